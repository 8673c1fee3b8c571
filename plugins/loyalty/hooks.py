"""The loyalty plugin's contract with the core: the hooks it implements."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rapport import hookimpl
from rapport.core.domain.actor import Actor
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Customer, Deal, Interaction
from rapport.core.extensions import (
    CardSection,
    Classifier,
    CommandSpec,
    JobSpec,
    MigrationSource,
    ReportSpec,
    SheetColumn,
)
from rapport.core.i18n import texts_for
from rapport.core.settings import Settings
from rapport.core.words import number
from rapport.plugins.loyalty.actions import plan_actions
from rapport.plugins.loyalty.classify import SEGMENTS, classifiers
from rapport.plugins.loyalty.options import action_title, loyalty_options
from rapport.plugins.loyalty.pending import catch_up, defer
from rapport.plugins.loyalty.reports import report_specs
from rapport.plugins.loyalty.service import (
    override_segment,
    recalculate,
    segments_of,
    shown_verdicts,
    stored_profile,
)
from rapport.plugins.loyalty.topics import TOPIC_FIELD, ask_topic, topic_command

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)


@hookimpl
def register_migrations(register: Callable[[MigrationSource], None]) -> None:
    register(MigrationSource("loyalty", Path(__file__).parent / "migrations"))


@hookimpl
def register_fields(register: Callable[[FieldSpec], None], settings: Settings) -> None:
    loyalty_options(settings)  # bad thresholds stop start-up with the numbers
    register(TOPIC_FIELD)


@hookimpl
def register_classifiers(register: Callable[[Classifier], None], settings: Settings) -> None:
    for classifier in classifiers(loyalty_options(settings)):
        register(classifier)


@hookimpl
def register_jobs(register: Callable[[JobSpec], None]) -> None:
    register(JobSpec("loyalty.nightly", nightly, "cron", {"hour": 2, "minute": 15}))


@hookimpl
def register_reports(register: Callable[[ReportSpec], None]) -> None:
    for spec in report_specs():
        register(spec)


@hookimpl
def register_sheet_columns(register: Callable[[SheetColumn], None]) -> None:
    register(
        SheetColumn(
            sheet="customers", key="segment", header="Segment",
            headers={"ru": "Сегмент", "uk": "Сегмент"},
            values=segments_of, choices=SEGMENTS, save=_segment_from_sheet,
        )
    )  # fmt: skip


def _segment_from_sheet(app: App, actor: Actor, customer_id: int, segment: str | None) -> None:
    """A manager's pick in the sheet is an override, like one from the CLI; a cleared cell
    hands the customer back to the rules."""
    override_segment(app, actor, customer_id, segment, note="set in the spreadsheet")


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    register(
        CommandSpec(
            "topic",
            "What a call or visit was about: /topic 57 price",
            topic_command,
            in_menu=False,
            descriptions={
                "ru": "О чём был звонок или визит: /topic 57 цена",
                "uk": "Про що був дзвінок чи візит: /topic 57 ціна",
            },
        )
    )


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from rapport.plugins.loyalty.cli import loyalty_command

    register(loyalty_command)


@hookimpl
async def after_interaction_logged(app: App, interaction: Interaction, actor: Actor) -> None:
    defer(app, [interaction.customer_id])  # queued first: a failed question loses nothing
    await ask_topic(app, interaction, actor)


@hookimpl
def after_deal_won(app: App, deal: Deal) -> None:
    defer(app, [deal.customer_id])


@hookimpl
def after_deal_lost(app: App, deal: Deal) -> None:
    defer(app, [deal.customer_id])


@hookimpl
def startup(app: App) -> None:
    catch_up(app)  # what a process killed with customers waiting left behind


@hookimpl
def customer_card_sections(app: App, customer: Customer, actor: Actor) -> CardSection | None:
    profile = stored_profile(app, customer.id)  # the card is of a customer the actor sees
    if profile is None:
        return None
    _ = texts(app, actor.language)
    value = _("Value {score} (R{r} F{f} M{m})", score=f"{profile.value_score:g}", r=profile.r,
              f=profile.f, m=profile.m)  # fmt: skip
    key = ", " + _("a key customer") if profile.key_customer else ""
    lines = [
        value
        + key
        + "; "
        + _("profit after cost to serve: {profit}", profit=number(profile.profit, _.language))
    ]
    lines += [shown.line() for shown in shown_verdicts(app, profile.verdicts, _.language)]
    if profile.next_action:
        action = action_title(loyalty_options(app.settings), profile.next_action, _.language)
        lines.append(_("Next: {action}", action=action))
    if profile.contact_cap_reached:
        lines.append(_("Contacted often lately: give them a rest"))
    lines.append(_("Discount: eligible") if profile.discount_eligible
                 else _("Discount: not by default"))  # fmt: skip
    return CardSection(_("Loyalty"), tuple(lines), order=15)


async def nightly(app: App) -> None:
    await asyncio.to_thread(recalculate, app)
    await asyncio.to_thread(plan_actions, app)


@hookimpl(trylast=True)
def load_demo(app: App) -> None:
    """Last, after the other plugins added their part (costs, orders): score everyone and
    plan this week's actions, as the nightly run would."""
    recalculate(app)
    plan_actions(app)
