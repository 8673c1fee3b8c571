"""The core's own words in the reader's language (catalogues in ``core/locales``)."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from rapport.core.i18n import Translator, texts_for

texts = texts_for(__file__)


def interaction_word(_: Translator, kind: str) -> str:
    words = {"call": _("call"), "visit": _("visit"), "meeting": _("meeting"),
             "message": _("message"), "email": _("e-mail"), "note": _("note"),
             "request": _("request")}  # fmt: skip
    return words.get(kind, kind)


def outcome_word(_: Translator, outcome: str) -> str:
    """How a call or a visit went, as the reader says it (the stored value is the key)."""
    words = {"reached": _("Reached"), "no_answer": _("No answer"), "call_back": _("Call back"),
             "not_interested": _("Not interested"), "met": _("Met"), "not_met": _("Not met"),
             "order_taken": _("Order taken"), "checkin": _("Checked in")}  # fmt: skip
    return words.get(outcome, outcome)


def role_word(_: Translator, role: str) -> str:
    """A role as the reader says it: the CLI and the bot show it, the stored value is the key."""
    words = {"rep": _("rep"), "manager": _("manager"), "admin": _("admin")}
    return words.get(role, role)


def channel_word(_: Translator, channel: str) -> str:
    words = {"bot": _("in the bot"), "sheet": _("in the spreadsheet"), "cli": _("from the CLI"),
             "api": _("through the API"), "system": _("automatically")}  # fmt: skip
    return words.get(channel, channel)


def action_word(_: Translator, action: str) -> str:
    words = {"create": _("created"), "update": _("changed"), "merge": _("merged"),
             "merged_into": _("merged into another"), "tags": _("tags changed"),
             "date_added": _("date added"), "date_removed": _("date removed"),
             "segment_override": _("segment set"),
             "sheet_conflict": _("conflicting edit kept"), "move": _("moved"),
             "save": _("saved"), "lines": _("products changed"),
             "request": _("approval requested"), "invite": _("invited"),
             "delete": _("deleted")}  # fmt: skip
    return words.get(action, action)


def field_word(_: Translator, key: str) -> str | None:
    """The name a person knows a core field by, or None for a key the core does not own."""
    words = {"name": _("name"), "display_name": _("name"), "title": _("title"),
             "kind": _("kind"), "phones": _("phones"), "emails": _("e-mails"),
             "address": _("address"), "position": _("position"), "owner_id": _("owner"),
             "owner": _("owner"), "status": _("status"), "amount": _("amount"),
             "currency": _("currency"), "expected_close": _("expected close"),
             "lost_reason": _("lost reason"), "stage": _("stage"), "customer_id": _("customer"),
             "organisation_id": _("organisation"), "deal_id": _("deal"), "summary": _("text"),
             "outcome": _("outcome"), "duration_minutes": _("duration"),
             "occurred_at": _("when"), "when": _("when"), "due": _("when"), "until": _("when"),
             "note": _("note"), "role": _("role"), "team": _("team"),
             "timezone": _("time zone"), "language": _("language"),
             "telegram_id": _("Telegram id"), "direction": _("direction"),
             "channel": _("channel"), "pipeline_id": _("pipeline"), "stage_id": _("stage"),
             "day": _("date"),
             "date": _("date"), "spent_on": _("date"), "label": _("what it is"),
             "tags": _("tags"), "line": _("product line"), "product": _("product"),
             "quantity": _("quantity"), "price": _("price"),
             "discount_percent": _("discount"), "file": _("file"), "task": _("task"),
             "request": _("request"), "repeat": _("repeat"), "segment": _("segment"),
             "expression": _("filter"), "metric": _("metric"), "period": _("period"),
             "target": _("target"), "user": _("user"), "assignee_id": _("assignee"),
             "merge_id": _("customer"), "spent_minutes": _("minutes"), "invite": _("invite"),
             "stages": _("stages"), "map": _("columns"), "choices": _("choices"),
             "input": _("input"), "probability": _("probability"),
             "organisation": _("organisation")}  # fmt: skip
    return words.get(key)


def stage_word(_: Translator, name: str) -> str:
    """A stage as the reader says it: Rapport's default stages in their language, a
    team's own (or renamed) stage as the team named it."""
    words = {"Lead": _("Lead"), "Information sent": _("Information sent"),
             "Demonstration": _("Demonstration"), "Reference visit": _("Reference visit"),
             "Trial": _("Trial"), "Contract negotiation": _("Contract negotiation"),
             "Won": _("Won"), "Lost": _("Lost")}  # fmt: skip
    return words.get(name, name)


def money(amount: Decimal | float | int, currency: str, language: str) -> str:
    """An amount as a reader of ``language`` writes it: ``45 000,00 ₽``, ``RUB 45,000.00``."""
    shown = format_currency(Decimal(str(amount)), currency, locale=language)
    return re.sub(r"([A-Z]{3})(?=\d)", "\\1\u00a0", shown)


def number(value: Decimal | float | int, language: str) -> str:
    """A figure with the reader's digit grouping and decimal sign: ``380 000``, ``1,5``."""
    return format_decimal(value, locale=language)
