"""The contacts plugin's contract with the core: the hooks it implements."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click
from sqlalchemy import delete, insert, update

from rapport import hookimpl
from rapport.core.command_lines import record_number
from rapport.core.domain.actor import Actor
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Customer
from rapport.core.extensions import (
    CardSection,
    CommandReply,
    CommandRequest,
    CommandSpec,
    JobSpec,
    MigrationSource,
)
from rapport.core.i18n import texts_for
from rapport.core.services.cards import customer_card
from rapport.core.services.uow import UnitOfWork
from rapport.core.settings import Settings
from rapport.plugins.contacts.adding import new_customer_line, newcustomer_command
from rapport.plugins.contacts.card_text import render_card
from rapport.plugins.contacts.dates import next_occurrence, stored_dates
from rapport.plugins.contacts.editing import edit_command
from rapport.plugins.contacts.fields import contact_fields
from rapport.plugins.contacts.options import contacts_options
from rapport.plugins.contacts.reminders import send_due_reminders
from rapport.plugins.contacts.search import search_customers, warm_index
from rapport.plugins.contacts.segments import segments_of
from rapport.plugins.contacts.tables import ReminderRow, SignificantDateRow, TagRow
from rapport.plugins.contacts.tags import tags_of
from rapport.plugins.contacts.upkeep import (
    date_command,
    duplicates_command,
    interactions_command,
    merge_command,
    set_command,
    tag_command,
    untag_command,
)

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)

UPCOMING_DAYS = 30
_WARMING: weakref.WeakKeyDictionary[App, asyncio.Future[None]] = weakref.WeakKeyDictionary()


@hookimpl
async def startup(app: App) -> None:
    """The name index is built in the background while the bot starts serving: a search
    that comes first waits for it (the index's lock), everything else runs at once."""
    _WARMING[app] = asyncio.get_running_loop().run_in_executor(None, warm_index, app)


@hookimpl
async def shutdown(app: App) -> None:
    warming = _WARMING.pop(app, None)
    if warming is not None:
        await warming


@hookimpl
def register_migrations(register: Callable[[MigrationSource], None]) -> None:
    register(MigrationSource("contacts", Path(__file__).parent / "migrations"))


@hookimpl
def register_fields(register: Callable[[FieldSpec], None], settings: Settings) -> None:
    for spec in contact_fields(contacts_options(settings)):
        register(spec)


@hookimpl
def register_jobs(register: Callable[[JobSpec], None]) -> None:
    register(
        JobSpec(
            id="contacts.reminders",
            func=send_due_reminders,
            trigger="interval",
            trigger_args={"minutes": 5},
        )
    )


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    register(
        CommandSpec(
            name="find",
            description="Find a customer by name, phone digits or e-mail",
            handler=find_command,
            descriptions={
                "ru": "Найти клиента по названию, цифрам телефона или e-mail",
                "uk": "Знайти клієнта за назвою, цифрами телефону або e-mail",
            },
        )
    )
    register(
        CommandSpec(
            name="card",
            description="A customer's card: contacts, facts, history",
            handler=card_command,
            descriptions={
                "ru": "Карточка клиента: контакты, факты, история",
                "uk": "Картка клієнта: контакти, факти, історія",
            },
            in_menu=False,
        )
    )
    for name, handler, en, ru, uk in UPKEEP:
        register(CommandSpec(name, en, handler, in_menu=False, descriptions={"ru": ru, "uk": uk}))


UPKEEP = (
    ("newcustomer", newcustomer_command, "Add a customer: /newcustomer ООО Ромашка",
     "Новый клиент: /newcustomer ООО Ромашка", "Новий клієнт: /newcustomer ТОВ Ромашка"),
    ("edit", edit_command, "Change a customer's record: /edit 12",
     "Изменить данные клиента: /edit 12", "Змінити дані клієнта: /edit 12"),
    ("set", set_command, "Set a customer's field: /set 12 phone +79120001122",
     "Поле клиента: /set 12 телефон +79120001122", "Поле клієнта: /set 12 телефон +79120001122"),
    ("merge", merge_command, "Merge duplicates: /merge 12 15 folds 15 into 12",
     "Объединить дубли: /merge 12 15 — 15 войдёт в 12",
     "Об'єднати дублікати: /merge 12 15 — 15 увійде в 12"),
    ("tag", tag_command, "Tag a customer: /tag 12 vip", "Метка клиенту: /tag 12 vip",
     "Мітка клієнту: /tag 12 vip"),
    ("untag", untag_command, "Remove a tag: /untag 12 vip", "Снять метку: /untag 12 vip",
     "Зняти мітку: /untag 12 vip"),
    ("duplicates", duplicates_command, "Likely duplicates of a customer: /duplicates 12",
     "Возможные дубли клиента: /duplicates 12", "Можливі дублікати клієнта: /duplicates 12"),
    ("date", date_command, "A yearly date to remember: /date 12 15.06.2019 Anniversary",
     "Памятная дата: /date 12 15.06.2019 Годовщина", "Пам'ятна дата: /date 12 15.06.2019 Річниця"),
    ("interactions", interactions_command, "A customer's calls, visits, notes: /interactions 12",
     "Звонки, визиты, заметки клиента: /interactions 12",
     "Дзвінки, візити, нотатки клієнта: /interactions 12"),
)  # fmt: skip


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from rapport.plugins.contacts.cli import commands
    from rapport.plugins.contacts.upkeep_cli import customers_command

    for command in (*commands, customers_command):
        register(command)


@hookimpl
def customer_card_sections(app: App, customer: Customer, actor: Actor) -> CardSection | None:
    """Tags, segments, consent and the dates coming up, on the customer's card."""
    today = app.clock().astimezone(ZoneInfo(app.settings.timezone)).date()
    with UnitOfWork(app, read_only=True) as uow:
        tags = tags_of(uow.session, [customer.id]).get(customer.id, [])
        segments = segments_of(app, uow.session, customer.id)
        dates = stored_dates(uow.session, customer.id)
    _ = texts(app, actor.language)
    upcoming = [(next_occurrence(d.day, d.yearly, today), d.label) for d in dates]
    if birthday := customer.fields.get("birthday"):
        upcoming.append((next_occurrence(date.fromisoformat(birthday), True, today), _("birthday")))
    lines = []
    if tags:
        lines.append(_("Tags: {tags}", tags=", ".join(tags)))
    if segments:
        lines.append(_("Segments: {segments}", segments=", ".join(segments)))
    soon = sorted(
        (when, label)
        for when, label in upcoming
        if when is not None and (when - today).days <= UPCOMING_DAYS
    )
    lines += [_("Coming up: {occasion} on {date}", occasion=label, date=when.isoformat())
              for when, label in soon]  # fmt: skip
    return CardSection(_("Contact"), tuple(lines), order=20) if lines else None


@hookimpl
def after_customers_merged(app: App, kept: Customer, merged: Customer) -> None:
    """Tags, dates and reminder history of the merged record now belong to the kept one."""
    with UnitOfWork(app) as uow:
        session = uow.session
        merged_tags = tags_of(session, [merged.id]).get(merged.id, [])
        kept_tags = set(tags_of(session, [kept.id]).get(kept.id, []))
        new = [t for t in merged_tags if t not in kept_tags]
        session.execute(delete(TagRow).where(TagRow.customer_id == merged.id))
        if new:
            session.execute(insert(TagRow), [{"customer_id": kept.id, "tag": t} for t in new])
        session.execute(
            update(SignificantDateRow)
            .where(SignificantDateRow.customer_id == merged.id)
            .values(customer_id=kept.id)
        )
        session.execute(delete(ReminderRow).where(ReminderRow.customer_id == merged.id))
        uow.commit()


def find_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    if not request.args.strip():
        return CommandReply(_("Type a name, the last digits of a phone or an e-mail after /find."))
    hits = search_customers(request.app, request.actor, request.args, limit=10)
    query = request.args.strip()
    add = (_("➕ New customer «{name}»", name=query[:40]), new_customer_line(query))
    if not hits:
        return CommandReply(_("Nothing found for «{query}».", query=query), options=(add,))
    lines = [f"{hit.customer.name} (#{hit.customer.id})" for hit in hits]
    options = tuple((hit.customer.name, f"/card {hit.customer.id}") for hit in hits)
    return CommandReply("\n".join(lines), options=(*options, add))


def card_command(request: CommandRequest) -> CommandReply:
    customer_id = record_number(request.args)
    if customer_id is None:
        _ = texts(request.app, request.actor.language)
        return CommandReply(_("Which customer? Send /card and the number, e.g. /card 12."))
    card = customer_card(request.app, request.actor, customer_id)
    return CommandReply(render_card(request.app, card))


@hookimpl
def load_demo(app: App, admin: Actor) -> None:
    """This plugin's part of ``rapport demo`` (see ``contacts/demo.py``)."""
    from rapport.plugins.contacts.demo import load_demo as load

    load(app, admin)
