"""The sales plugin's contract with the core: the hooks it implements."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rapport import hookimpl
from rapport.core.command_lines import record_and_rest, record_number
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import FieldType, Role, StageOutcome
from rapport.core.domain.errors import Text
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Customer, Deal, Interaction, Pipeline
from rapport.core.extensions import (
    CardSection,
    CommandReply,
    CommandRequest,
    CommandSpec,
    Hold,
    JobSpec,
    MigrationSource,
    ProposedChange,
    ReportSpec,
    SheetColumn,
    Term,
)
from rapport.core.i18n import texts_for
from rapport.core.services.deals import get_deal, move_deal
from rapport.core.services.pipelines import list_pipelines, save_pipeline
from rapport.core.services.users import list_users
from rapport.core.settings import Settings
from rapport.core.words import stage_word
from rapport.core.words import texts as core_texts
from rapport.plugins.sales.approvals import (
    decide,
    describe,
    discount_percent,
    file_request,
    pending_requests,
    request_discount,
    request_reassignment,
    waiting_text,
)
from rapport.plugins.sales.fields import sales_fields
from rapport.plugins.sales.lifecycle import flag_opportunity, follow_deals
from rapport.plugins.sales.line_commands import (
    product_command,
    products_command,
    unproduct_command,
)
from rapport.plugins.sales.options import sales_options
from rapport.plugins.sales.orders import ask_for_the_order, order_command
from rapport.plugins.sales.reasons import reason_key, reason_label, reason_text
from rapport.plugins.sales.reports import report_specs
from rapport.plugins.sales.rules import check_deal
from rapport.plugins.sales.score_words import chance_lines
from rapport.plugins.sales.scores import (
    CUSTOMER_FACTORS,
    SCORED,
    nightly_scores,
    relearn_soon,
    rescore,
    rescore_customer,
    win_chances,
)

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})


texts = texts_for(__file__)
LINE_COMMANDS = (
    ("products", products_command, "A deal's products: /products 12",
     "Товары сделки: /products 12", "Товари угоди: /products 12"),
    ("product", product_command, "Add a product: /product 12 Brick 1000 45.50",
     "Добавить товар: /product 12 Кирпич 1000 45,50",
     "Додати товар: /product 12 Цегла 1000 45,50"),
    ("order", order_command, "Record a sale: /order 12 45000 (or the products)",
     "Записать продажу: /order 12 45000 (или товары)",
     "Записати продаж: /order 12 45000 (або товари)"),
    ("unproduct", unproduct_command, "Remove a product line: /unproduct 12 2",
     "Убрать строку товара: /unproduct 12 2", "Прибрати рядок товару: /unproduct 12 2"),
)  # fmt: skip


@hookimpl
def register_migrations(register: Callable[[MigrationSource], None]) -> None:
    register(MigrationSource("sales", Path(__file__).parent / "migrations"))


@hookimpl
def register_fields(register: Callable[[FieldSpec], None], settings: Settings) -> None:
    sales_options(settings)  # a bad [plugins.sales] section stops start-up, named
    for spec in sales_fields():
        register(spec)


@hookimpl
def register_terms(register: Callable[[Term], None], settings: Settings) -> None:
    register(Term("deal", sales_options(settings).deal_word))


@hookimpl
def register_reports(register: Callable[[ReportSpec], None]) -> None:
    for spec in report_specs():
        register(spec)


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    decisions = (
        ("approve", True, "Approve a request", "Одобрить запрос", "Схвалити запит"),
        ("reject", False, "Reject a request", "Отклонить запрос", "Відхилити запит"),
    )
    for name, approve, en, ru, uk in decisions:
        register(CommandSpec(name, en, _decision(approve), roles=MANAGERS, in_menu=False,
                             descriptions={"ru": ru, "uk": uk}))  # fmt: skip
    register(
        CommandSpec(
            "discount",
            "Give a deal a discount: /discount 12 15 and why",
            discount_command,
            in_menu=False,
            descriptions={
                "ru": "Скидка по сделке: /discount 12 15 и причина",
                "uk": "Знижка на угоду: /discount 12 15 і причина",
            },
        )
    )
    register(
        CommandSpec(
            "reassign",
            "Hand a deal to a colleague: /reassign 12 Name and why",
            reassign_command,
            in_menu=False,
            descriptions={
                "ru": "Передать сделку коллеге: /reassign 12 Имя и причина",
                "uk": "Передати угоду колезі: /reassign 12 Ім'я і причина",
            },
        )
    )
    for name, handler, en, ru, uk in LINE_COMMANDS:
        register(CommandSpec(name, en, handler, in_menu=False, descriptions={"ru": ru, "uk": uk}))
    register(
        CommandSpec(
            "requests",
            "Requests waiting for a decision",
            requests_command,
            descriptions={"ru": "Запросы, ждущие решения", "uk": "Запити, що чекають рішення"},
        )
    )
    register(
        CommandSpec(
            "move",
            "Move a deal: /move 12 next (or a stage)",
            move_command,
            in_menu=False,
            descriptions={
                "ru": "Передвинуть сделку: /move 12 next (или этап)",
                "uk": "Пересунути угоду: /move 12 next (або етап)",
            },
        )
    )
    register(
        CommandSpec(
            "lost",
            "Close a deal as lost: /lost 12 price",
            lost_command,
            in_menu=False,
            descriptions={
                "ru": "Закрыть сделку как проигранную: /lost 12 цена",
                "uk": "Закрити угоду як програну: /lost 12 ціна",
            },
        )
    )


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from rapport.plugins.sales.cli import commands

    for command in commands:
        register(command)


@hookimpl
async def startup(app: App) -> None:
    """Create or reshape the pipelines declared in ``[[plugins.sales.pipelines]]``."""
    await asyncio.to_thread(sync_pipelines, app)


def sync_pipelines(app: App) -> list[str]:
    names = []
    for pipeline in sales_options(app.settings).pipelines:
        stages = [stage.model_dump() for stage in pipeline.stages]
        names.append(save_pipeline(app, Actor.system(), pipeline.name, stages).name)
    return names


@hookimpl
def validate_change(app: App, change: ProposedChange) -> Text | Hold | None:
    """The sales rules, on deals only: any other change (an import's every customer) is
    let through before the plugin's options are even looked up."""
    if change.entity != "deal":
        return None
    return check_deal(sales_options(app.settings), change)


@hookimpl
def after_change_held(app: App, change: ProposedChange, hold: Hold) -> None:
    """A discount typed above the person's limit (a card, the sheet, the CLI) is asked for."""
    if change.entity == "deal" and change.entity_id is not None:
        file_request(app, change.actor, hold.kind, change.entity_id, dict(hold.payload), None)


@hookimpl
async def after_interaction_logged(app: App, interaction: Interaction, actor: Actor) -> None:
    await ask_for_the_order(app, interaction, actor)


@hookimpl
def after_deal_created(app: App, deal: Deal) -> None:
    flag_opportunity(app, deal)
    follow_deals(app, deal.customer_id)
    rescore(app, [deal.id])


@hookimpl
def after_deal_updated(app: App, deal: Deal, changes: Mapping[str, Any]) -> None:
    if "amount" in changes:
        flag_opportunity(app, deal)
    if "fields.opportunity" in changes:
        follow_deals(app, deal.customer_id)
    if SCORED.intersection(changes):
        rescore(app, [deal.id])


@hookimpl
def after_deal_stage_changed(app: App, deal: Deal) -> None:
    follow_deals(app, deal.customer_id)
    if deal.status is StageOutcome.OPEN:  # a win or a loss relearns everything, below
        rescore(app, [deal.id])


@hookimpl
def after_customer_updated(app: App, customer: Customer, changes: Mapping[str, Any]) -> None:
    if CUSTOMER_FACTORS.intersection(changes):
        rescore_customer(app, customer.id)


@hookimpl
async def after_deal_won(app: App) -> None:
    await relearn_soon(app)


@hookimpl
async def after_deal_lost(app: App) -> None:
    await relearn_soon(app)


@hookimpl
def register_jobs(register: Callable[[JobSpec], None]) -> None:
    register(JobSpec("sales.scoring", nightly_scores, "cron", {"hour": 2, "minute": 45}))


@hookimpl
def register_sheet_columns(register: Callable[[SheetColumn], None]) -> None:
    register(
        SheetColumn(
            sheet="deals", key="win_chance", header="Win chance, %",
            headers={"ru": "Шанс на успех, %", "uk": "Шанс на успіх, %"},
            values=win_chances, type=FieldType.NUMBER,
        )
    )  # fmt: skip


@hookimpl
def customer_card_sections(app: App, customer: Customer, actor: Actor) -> CardSection | None:
    """The win chance of each open deal: what to expect of a prospect, and why."""
    lines = chance_lines(app, actor, customer.id)
    if not lines:
        return None
    return CardSection(texts(app, actor.language)("Sales"), tuple(lines), order=12)


@hookimpl
def after_customers_merged(app: App, kept: Customer) -> None:
    follow_deals(app, kept.id)


def _decision(approve: bool) -> Callable[[CommandRequest], CommandReply]:
    def handle(request: CommandRequest) -> CommandReply:
        _ = texts(request.app, request.actor.language)
        request_id, note = record_and_rest(request.args)
        if request_id is None:
            command = "approve" if approve else "reject"
            return CommandReply(_("Which request? Send /{command} 12.", command=command))
        decided = decide(
            request.app,
            request.actor,
            request_id,
            approve=approve,
            note=note.strip() or None,
        )
        done = _("approved") if decided.status == "approved" else _("rejected")
        return CommandReply(_("Request #{id} {status}.", id=decided.id, status=done))

    return handle


def move_command(request: CommandRequest) -> CommandReply:
    """``/move 12 next`` moves to the following open stage; ``/move 12 trial`` to that one."""
    _ = texts(request.app, request.actor.language)
    deal_id, stage = record_and_rest(request.args)
    if deal_id is None:
        return CommandReply(_("Write: /move 12 next, or /move 12 and the stage."))
    app, actor = request.app, request.actor
    deal = get_deal(app, actor, deal_id)
    target = stage.strip() or "next"
    if target.casefold() == "next":
        pipeline = next(p for p in list_pipelines(app) if p.id == deal.pipeline_id)
        later = [
            s
            for s in pipeline.stages
            if s.outcome is StageOutcome.OPEN and s.position > _position(pipeline, deal.stage_id)
        ]
        if not later:
            return CommandReply(_("This is the last open stage: /move it to won, or /lost it."))
        target = later[0].key
    moved = move_deal(app, actor, deal_id, target)
    stage_name = next(
        stage_word(core_texts(app, actor.language), s.name)
        for p in list_pipelines(app)
        for s in p.stages
        if s.id == moved.stage_id
    )
    return CommandReply(_("Deal #{id} moved to {stage}.", id=moved.id, stage=stage_name))


def lost_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    deal_id, reason = record_and_rest(request.args)
    if deal_id is None:
        return CommandReply(_("Write: /lost 12 and the reason (price, competitor, ...)."))
    options = sales_options(request.app.settings)
    if not reason.strip():
        reasons = tuple((reason_label(_, r), f"/lost {deal_id} {r}") for r in options.lost_reasons)
        return CommandReply(
            _("Why was deal #{id} lost? Tap one or type it.", id=deal_id),
            options=reasons,
            completes=f"/lost {deal_id}",
        )
    reason = reason_key(reason)
    lost_stage = next(
        s.key for p in list_pipelines(request.app) for s in p.stages
        if p.id == get_deal(request.app, request.actor, deal_id).pipeline_id
        and s.outcome is StageOutcome.LOST
    )  # fmt: skip
    move_deal(request.app, request.actor, deal_id, lost_stage, lost_reason=reason.strip())
    shown = reason_text(_, reason.strip())
    return CommandReply(_("Deal #{id} closed as lost: {reason}.", id=deal_id, reason=shown))


def _position(pipeline: Pipeline, stage_id: int) -> int:
    return next(s.position for s in pipeline.stages if s.id == stage_id)


DISCOUNTS = (5, 10, 15, 20, 25, 30)


def discount_command(request: CommandRequest) -> CommandReply:
    """``/discount 12 15 big order``: at once within the person's limit, else a request."""
    _ = texts(request.app, request.actor.language)
    number, percent, reason = [*request.args.split(maxsplit=2), "", "", ""][:3]
    deal_id = record_number(number)
    if deal_id is None:
        return CommandReply(_("Write: /discount 12 15 and why (12 is the deal, 15 the percent)."))
    if not percent:
        deal = get_deal(request.app, request.actor, deal_id)
        choices = tuple((f"{p}%", f"/discount {deal_id} {p}") for p in DISCOUNTS)
        return CommandReply(
            _("What discount on «{title}» (#{id})? Tap one, or type the percent and why, "
              "e.g. 15 large order (/cancel to stop).", title=deal.title, id=deal_id),
            options=choices,
            completes=f"/discount {deal_id}",
        )  # fmt: skip
    asked = request_discount(request.app, request.actor, deal_id, percent, reason or None)
    if asked is None:
        shown = f"{discount_percent(percent):g}"
        return CommandReply(_("Deal #{id}: {percent}% discount given.", id=deal_id, percent=shown))
    return CommandReply(_(waiting_text(asked)))


def reassign_command(request: CommandRequest) -> CommandReply:
    """``/reassign 12 Olga Smirnova``: a manager hands it over, a rep asks for it."""
    _ = texts(request.app, request.actor.language)
    deal_id, rest = record_and_rest(request.args)
    if deal_id is None:
        return CommandReply(_("Write: /reassign 12 and the colleague's name."))
    if not rest.strip():
        deal = get_deal(request.app, request.actor, deal_id)
        colleagues = tuple(
            (user.display_name, f"/reassign {deal_id} {user.id}")
            for user in list_users(request.app)
            if user.active and user.id != request.actor.user_id
            and (request.actor.team is None or user.team == request.actor.team)
        )  # fmt: skip
        return CommandReply(
            _("Whom to hand «{title}» (#{id}) to? Tap a colleague, or type the name and why "
              "(/cancel to stop).", title=deal.title, id=deal_id),
            options=colleagues,
            completes=f"/reassign {deal_id}",
        )  # fmt: skip
    colleague, reason = _colleague_and_reason(request.app, rest.split())
    asked = request_reassignment(request.app, request.actor, deal_id, colleague, reason)
    if asked is None:
        return CommandReply(_("Deal #{id} handed over.", id=deal_id))
    return CommandReply(_(waiting_text(asked)))


def _colleague_and_reason(app: App, words: list[str]) -> tuple[str, str | None]:
    """``Olga Smirnova she covers the north`` → the longest leading words naming a user
    (a name or an id), and the rest as the reason."""
    names = {user.display_name.casefold() for user in list_users(app)}
    for cut in range(len(words), 0, -1):
        wanted = " ".join(words[:cut])
        if wanted.casefold() in names or (cut == 1 and wanted.isdigit()):
            return wanted, " ".join(words[cut:]) or None
    return " ".join(words), None  # names nobody: find_user says so


def requests_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    waiting = pending_requests(request.app, request.actor)
    if not waiting:
        return CommandReply(_("No requests are waiting."))
    lines = [describe(request.app, r, _) for r in waiting]
    options: tuple[tuple[str, str], ...] = ()
    if request.actor.role in MANAGERS:
        options = tuple(
            option for r in waiting for option in
            ((_("Approve #{id}", id=r.id), f"/approve {r.id}"),
             (_("Reject #{id}", id=r.id), f"/reject {r.id}"))
        )  # fmt: skip
    return CommandReply("\n".join(lines), options=options)


@hookimpl
def load_demo(app: App, admin: Actor) -> None:
    """This plugin's part of ``rapport demo`` (see ``sales/demo.py``)."""
    from rapport.plugins.sales.demo import load_demo as load

    load(app, admin)
