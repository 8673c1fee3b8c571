"""The Telegram adapter's contract with the core: the bot runner, delivery, team news."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import delete

from rapport import hookimpl
from rapport.adapters.telegram.i18n import Translator
from rapport.adapters.telegram.running import RUNNING
from rapport.adapters.telegram.tables import HandledUpdateRow
from rapport.core.db.dml import execute_counted
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel, FieldType
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Deal, Stage
from rapport.core.explain import field_label
from rapport.core.extensions import JobSpec, MigrationSource, Notification, RunnerSpec
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import language_of
from rapport.core.settings import Settings
from rapport.core.words import stage_word, texts

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

KEEP_UPDATES = timedelta(days=2)


@hookimpl
def register_migrations(register: Callable[[MigrationSource], None]) -> None:
    register(MigrationSource("telegram", Path(__file__).parent / "migrations"))


@hookimpl
def register_fields(register: Callable[[FieldSpec], None], settings: Settings) -> None:
    """Where a visit was checked in (so the next one nearby is offered first), and the
    Telegram file a note carries."""
    for name, label, ru, uk in (
        ("latitude", "Latitude", "Широта", "Широта"),
        ("longitude", "Longitude", "Долгота", "Довгота"),
    ):
        register(
            FieldSpec(
                entity="interaction",
                name=name,
                type=FieldType.NUMBER,
                label=label,
                labels={"ru": ru, "uk": uk},
            )
        )
    register(
        FieldSpec(
            entity="interaction",
            name="attachment",
            type=FieldType.TEXT,
            label="Attachment",
            labels={"ru": "Вложение", "uk": "Вкладення"},
        )
    )


@hookimpl
def register_jobs(register: Callable[[JobSpec], None]) -> None:
    register(JobSpec("telegram.forget_updates", forget_handled_updates, "interval", {"hours": 6}))


def forget_handled_updates(app: App) -> int:
    """Telegram keeps an unconfirmed update for a day; after two, its id can go."""
    with UnitOfWork(app) as uow:
        gone = execute_counted(
            uow.session,
            delete(HandledUpdateRow).where(HandledUpdateRow.at < app.clock() - KEEP_UPDATES),
        )
        uow.commit()
    return gone


@hookimpl
def register_runners(register: Callable[[RunnerSpec], None]) -> None:
    register(RunnerSpec("telegram", run_bot))


async def run_bot(app: App) -> None:
    """The bot (or the console chat): aiogram is imported here, by ``rapport run`` alone."""
    from rapport.adapters.telegram.runner import run

    await run(app)


@hookimpl
async def deliver_notification(app: App, notification: Notification) -> bool | None:
    if app not in RUNNING:
        return None  # no bot in this process: the core offers it again later
    from rapport.adapters.telegram.delivery import deliver  # aiogram, only with a bot

    return await deliver(app, notification)


@hookimpl
def after_deal_updated(
    app: App, deal: Deal, changes: Mapping[str, tuple[Any, Any]], actor: Actor
) -> None:
    """A rep hears when someone else changed their deal (from the sheet, say); not of
    Rapport's own bookkeeping (a deal flagged as an opportunity), which no person did."""
    if deal.owner_id is None or actor.user_id in (None, deal.owner_id):
        return
    _ = Translator(language_of(app, deal.owner_id))
    fields = ", ".join(sorted(field_label(app, key, _.language) for key in changes))
    who = actor.display_name or _("A manager")
    if actor.channel is Channel.SHEET:
        text = _("{who} changed your deal “{title}” in the spreadsheet: {fields}.", who=who,
                 title=deal.title, fields=fields)  # fmt: skip
    else:
        text = _("{who} changed your deal “{title}”: {fields}.", who=who, title=deal.title,
                 fields=fields)  # fmt: skip
    _tell(app, deal.owner_id, text, deal, _)


@hookimpl
def after_deal_stage_changed(
    app: App, deal: Deal, from_stage: Stage, to_stage: Stage, actor: Actor
) -> None:
    if deal.owner_id is None or actor.user_id == deal.owner_id:
        return
    language = language_of(app, deal.owner_id)
    _, core = Translator(language), texts(app, language)
    old, new = stage_word(core, from_stage.name), stage_word(core, to_stage.name)
    who = actor.display_name or _("A manager")
    text = _("{who} moved your deal “{title}”: {old} → {new}.",
             who=who, title=deal.title, old=old, new=new)  # fmt: skip
    _tell(app, deal.owner_id, text, deal, _)


def _tell(app: App, user_id: int, text: str, deal: Deal, _: Translator) -> None:
    app.hooks.send_notification(
        app,
        Notification(
            user_id, text, kind="deal_changed", options=((_("Open"), f"/deal {deal.id}"),)
        ),
    )


@hookimpl
async def after_deal_won(app: App, deal: Deal, first_for_customer: bool, actor: Actor) -> None:
    """Won deals announced in the team chat, when one is configured."""
    if app.settings.telegram.team_chat_id is None or app not in RUNNING:
        return
    from rapport.adapters.telegram.delivery import announce  # aiogram, only with a bot

    _ = Translator(app.settings.language)
    who = actor.display_name or _("The team")
    first = " " + _("(first deal with this customer!)") if first_for_customer else ""
    won = _("{who} won “{title}”: {amount} {currency}", who=who, title=deal.title,
            amount=f"{deal.amount:,.2f}", currency=deal.currency)  # fmt: skip
    await announce(app, f"🏆 {won}{first}")


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from rapport.adapters.telegram.cli import invite_command

    register(invite_command)
