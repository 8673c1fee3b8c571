"""Keeping customer records right from any channel: ``/set``, ``/merge``, ``/tag``,
``/untag``, ``/date``, ``/duplicates`` and ``/interactions``, in the bot, the console chat
and ``rapport do``.

Each is a thin reading of the command line over the core's use cases, so roles,
validation, other plugins' vetoes and the audit trail apply exactly as they do elsewhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rapport.core.command_lines import record_and_rest, record_number
from rapport.core.domain.errors import NotFound
from rapport.core.explain import field_label
from rapport.core.extensions import CommandReply, CommandRequest
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.customers import (
    MergePreview,
    get_customer,
    merge_customers,
    merge_preview,
    update_customer,
)
from rapport.core.services.interactions import list_interactions
from rapport.core.words import field_word, interaction_word
from rapport.core.words import texts as core_texts
from rapport.plugins.contacts.dates import add_date
from rapport.plugins.contacts.duplicates import find_duplicates
from rapport.plugins.contacts.tags import get_tags, set_tags

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor

texts = texts_for(__file__)
_l = texts.lazy
SETTABLE = ("name", "position", "phones", "emails", "address", "status")
"""The core fields ``/set`` changes; custom fields are named by their key or label."""
SINGULAR = {
    "phone": "phones",
    "email": "emails",
    "e-mail": "emails",
    "телефон": "phones",
    "почта": "emails",
    "пошта": "emails",
    "имя": "name",
    "название": "name",
    "назва": "name",
    "ім'я": "name",
}
YES = {"yes", "да", "так", "y"}
CLEARS = {"-", "–", "—"}
"""A lone dash typed as the value clears the field, as it reads on paper and in sheets."""


def field_key(app: App, word: str) -> str:
    """What ``word`` names: a core field (``phones``) or a custom one (``fields.turnover``),
    by its key or its label in any of the team's languages."""
    wanted = word.strip().lower()
    for key in SETTABLE:
        names = {key, *(field_word(core_texts(app, lang), key) for lang in ("en", "ru", "uk"))}
        if wanted in {str(name).lower() for name in names if name}:
            return key
    if wanted in SINGULAR:
        return SINGULAR[wanted]
    for spec in app.registry.fields_for("customer"):
        if wanted in {spec.name, spec.label.lower(), *(v.lower() for v in spec.labels.values())}:
            return f"fields.{spec.name}"
    known = [*SETTABLE, *(spec.name for spec in app.registry.fields_for("customer"))]
    raise NotFound(_l("A customer has no field «{word}». Fields: {known}.", word=word,
                      known=", ".join(known)))  # fmt: skip


def set_customer_field(app: App, actor: Actor, customer_id: int, word: str, value: str) -> str:
    """Set one field to what the person typed (nothing or a dash clears it); its key."""
    key = field_key(app, word)
    update_customer(app, actor, customer_id, field_patch(key, value))
    return key


def field_patch(key: str, value: str) -> dict[str, Any]:
    """What one typed value changes: ``{"phones": [...]}`` (several, by commas),
    ``{"fields": {"inn": "77…"}}``, ``{"address": None}`` (nothing or a dash clears)."""
    value = "" if value.strip() in CLEARS else value
    if key.startswith("fields."):
        return {"fields": {key.removeprefix("fields."): value}}
    if key in ("phones", "emails"):
        return {key: [part.strip() for part in re.split(r"[,;]", value) if part.strip()]}
    return {key: value.strip() or None}


def set_command(request: CommandRequest) -> CommandReply:
    """``/set 12 phone +7 912 000-11-22``, ``/set 12 Оборот 5000000``, ``/set 12 consent email``."""
    _ = texts(request.app, request.actor.language)
    customer_id, rest = record_and_rest(request.args)
    if customer_id is None or not rest.strip():
        return CommandReply(_("Write: /set 12 phone +79120001122 (12 is the customer)."))
    word, value = field_and_value(request.app, rest)
    key = set_customer_field(request.app, request.actor, customer_id, word, value)
    customer = get_customer(request.app, request.actor, customer_id)
    label = field_label(request.app, key, _.language)
    said = (
        _("{name} (#{id}): {field} cleared.", name=customer.name, id=customer.id, field=label)
        if not value.strip() or value.strip() in CLEARS
        else _("{name} (#{id}): {field} saved.", name=customer.name, id=customer.id, field=label)
    )
    return CommandReply(said, options=((_("Card"), f"/card {customer.id}"),))


def merge_command(request: CommandRequest) -> CommandReply:
    """``/merge 12 15`` shows what merging 15 into 12 would do; ``/merge 12 15 yes`` does it."""
    _ = texts(request.app, request.actor.language)
    keep, merge, confirm = [*request.args.split(maxsplit=2), "", "", ""][:3]
    keep_id, merge_id = record_number(keep), record_number(merge)
    if keep_id is None or merge_id is None:
        return CommandReply(_("Write: /merge 12 15 to fold customer 15 into 12."))
    if confirm.strip().lower() in YES:
        kept = merge_customers(request.app, request.actor, keep_id, merge_id)
        return CommandReply(
            _(
                "#{merged} merged into {name} (#{id}): nothing was lost, the history says what.",
                merged=merge_id,
                name=kept.name,
                id=kept.id,
            ),
            options=((_("Card"), f"/card {kept.id}"),),
        )
    preview = merge_preview(request.app, request.actor, keep_id, merge_id)
    return CommandReply(
        _preview_text(request.app, preview, _),
        options=((_("Merge"), f"/merge {keep_id} {merge_id} yes"),),
    )


def tag_command(request: CommandRequest) -> CommandReply:
    """``/tag 12 vip, dealer``."""
    return _tags(request, adding=True)


def untag_command(request: CommandRequest) -> CommandReply:
    """``/untag 12 vip``."""
    return _tags(request, adding=False)


def interactions_command(request: CommandRequest) -> CommandReply:
    """``/interactions 12``: the customer's calls, visits and notes, newest first."""
    _ = texts(request.app, request.actor.language)
    customer_id = record_number(request.args.split(maxsplit=1)[0] if request.args else "")
    if customer_id is None:
        return CommandReply(_("Write: /interactions 12 (12 is the customer)."))
    customer = get_customer(request.app, request.actor, customer_id)
    found = list_interactions(request.app, request.actor, customer_id=customer_id, limit=20)
    if not found:
        return CommandReply(_("Nothing logged with {name} yet.", name=customer.name))
    words = core_texts(request.app, _.language)
    lines = [f"{customer.name} (#{customer.id})"]
    for item in found:
        about = f": {item.summary}" if item.summary else ""
        lines.append(f"{item.occurred_at:%d.%m.%Y} {interaction_word(words, item.kind)}{about}")
    return CommandReply("\n".join(lines), options=((_("Card"), f"/card {customer.id}"),))


def field_and_value(app: App, rest: str) -> tuple[str, str]:
    """``Дата рождения 01.02.1990`` → the longest leading words naming a field, and the rest;
    when none do, the first word (so the refusal names what was typed)."""
    words = rest.split()
    for cut in range(min(len(words), 4), 0, -1):
        named = " ".join(words[:cut])
        try:
            field_key(app, named)
        except NotFound:
            continue
        return named, " ".join(words[cut:])
    return words[0], " ".join(words[1:])


def duplicates_command(request: CommandRequest) -> CommandReply:
    """``/duplicates 12``: records that look like customer 12 (same phone or e-mail, a
    similar name), each with a one-tap merge into 12."""
    _ = texts(request.app, request.actor.language)
    customer_id = record_number(request.args.split(maxsplit=1)[0] if request.args else "")
    if customer_id is None:
        return CommandReply(_("Write: /duplicates 12 (12 is the customer)."))
    customer = get_customer(request.app, request.actor, customer_id)
    looks_alike = {"name": customer.name, "kind": customer.kind, "phones": customer.phones,
                   "emails": customer.emails,
                   "organisation_id": customer.organisation_id}  # fmt: skip
    found = [
        d for d in find_duplicates(request.app, request.actor, looks_alike)
        if d.customer_id != customer_id and d.visible
    ]  # fmt: skip
    if not found:
        return CommandReply(_("No likely duplicates of {name}.", name=customer.name))
    lines = [_("Look like {name} (#{id}):", name=customer.name, id=customer.id)]
    lines += [d.describe() for d in found]
    options = tuple(
        (_("Merge #{id} into it", id=d.customer_id), f"/merge {customer_id} {d.customer_id}")
        for d in found[:5]
    )
    return CommandReply("\n".join(lines), options=options)


def date_command(request: CommandRequest) -> CommandReply:
    """``/date 12 15.06.2019 Годовщина фирмы``: a yearly date the owner is reminded of."""
    _ = texts(request.app, request.actor.language)
    number, day, label = [*request.args.split(maxsplit=2), "", "", ""][:3]
    customer_id = record_number(number)
    if customer_id is not None and not day:
        customer = get_customer(request.app, request.actor, customer_id)
        return CommandReply(
            _("Which date of {name} to remember, and what is it? E.g. 15.06.2019 Company "
              "anniversary (/cancel to stop).", name=customer.name),
            completes=f"/date {customer_id}",
        )  # fmt: skip
    if customer_id is None or not label.strip():
        return CommandReply(
            _("Write: /date 12 15.06.2019 Company anniversary (12 is the customer).")
        )
    added = add_date(request.app, request.actor, customer_id, label, day)
    return CommandReply(
        _("Saved: {label}, {day}; the owner is reminded every year.", label=added.label,
          day=f"{added.day:%d.%m.%Y}"),
        options=((_("Card"), f"/card {customer_id}"),),
    )  # fmt: skip


def _tags(request: CommandRequest, *, adding: bool) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    customer_id, rest = record_and_rest(request.args)
    given = [tag.strip() for tag in re.split(r"[,;]", rest) if tag.strip()]
    if customer_id is not None and not given:
        return _ask_tags(request, customer_id, adding=adding)
    if customer_id is None or not given:
        return CommandReply(_("Write: /tag 12 vip (12 is the customer; several: vip, dealer)."))
    changes = {"add": given} if adding else {"remove": given}
    tags = set_tags(request.app, request.actor, customer_id, **changes)
    shown = ", ".join(tags) if tags else _("none")
    return CommandReply(_("Tags of #{id}: {tags}.", id=customer_id, tags=shown))


def _ask_tags(request: CommandRequest, customer_id: int, *, adding: bool) -> CommandReply:
    """``/tag 12`` alone asks which tags; ``/untag 12`` offers the customer's own."""
    _ = texts(request.app, request.actor.language)
    customer = get_customer(request.app, request.actor, customer_id)
    current = get_tags(request.app, request.actor, customer_id)
    shown = ", ".join(current) if current else _("none")
    verb = "tag" if adding else "untag"
    question = (
        _("Tags of {name}: {tags}. Which to add? Several: vip, dealer (/cancel to stop).",
          name=customer.name, tags=shown)
        if adding
        else _("Tags of {name}: {tags}. Which to remove? (/cancel to stop)",
               name=customer.name, tags=shown)
    )  # fmt: skip
    options = () if adding else tuple((tag, f"/untag {customer_id} {tag}") for tag in current)
    return CommandReply(question, options=options, completes=f"/{verb} {customer_id}")


def _preview_text(app: App, preview: MergePreview, _: Translator) -> str:
    kept, merged = preview.kept, preview.merged
    lines = [
        _(
            "Merge {merged} (#{merged_id}) into {kept} (#{kept_id})?",
            merged=merged.name,
            merged_id=merged.id,
            kept=kept.name,
            kept_id=kept.id,
        ),
        _(
            "Moves {interactions} interaction(s), {deals} deal(s), {people} contact person(s).",
            interactions=preview.interactions,
            deals=preview.deals,
            people=preview.contact_persons,
        ),
    ]
    added = [*preview.phones_added, *preview.emails_added]
    if added:
        lines.append(_("Adds: {values}.", values=", ".join(added)))
    if preview.conflicting:
        lines.append(
            _(
                "Kept as they are here (the other values go to the history): {fields}.",
                fields=", ".join(_label(app, key, _.language) for key in preview.conflicting),
            )
        )
    return "\n".join(lines)


def _label(app: App, key: str, language: str) -> str:
    """A conflicting value's field as the person knows it (custom fields by their label)."""
    custom = any(spec.name == key for spec in app.registry.fields_for("customer"))
    return field_label(app, f"fields.{key}" if custom else key, language)
