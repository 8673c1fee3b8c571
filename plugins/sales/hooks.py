"""The sales plugin's contract with the core: the hooks it implements."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rapport import hookimpl
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role, StageOutcome
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Customer, Deal, Pipeline
from rapport.core.extensions import (
    CommandReply,
    CommandRequest,
    CommandSpec,
    MigrationSource,
    ProposedChange,
    ReportSpec,
    Term,
)
from rapport.core.i18n import texts_for
from rapport.core.services.deals import get_deal, move_deal
from rapport.core.services.pipelines import list_pipelines, save_pipeline
from rapport.core.settings import Settings
from rapport.plugins.sales.approvals import decide, pending_requests
from rapport.plugins.sales.fields import sales_fields
from rapport.plugins.sales.lifecycle import flag_opportunity, follow_deals
from rapport.plugins.sales.options import sales_options
from rapport.plugins.sales.reports import report_specs
from rapport.plugins.sales.rules import check_deal

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})


texts = texts_for(__file__)


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
def validate_change(app: App, change: ProposedChange) -> str | None:
    return check_deal(sales_options(app.settings), change)


@hookimpl
def after_deal_created(app: App, deal: Deal) -> None:
    flag_opportunity(app, deal)
    follow_deals(app, deal.customer_id)


@hookimpl
def after_deal_updated(app: App, deal: Deal, changes: Mapping[str, Any]) -> None:
    if "amount" in changes:
        flag_opportunity(app, deal)
    if "fields.opportunity" in changes:
        follow_deals(app, deal.customer_id)


@hookimpl
def after_deal_stage_changed(app: App, deal: Deal) -> None:
    follow_deals(app, deal.customer_id)


@hookimpl
def after_customers_merged(app: App, kept: Customer) -> None:
    follow_deals(app, kept.id)


def _decision(approve: bool) -> Callable[[CommandRequest], CommandReply]:
    def handle(request: CommandRequest) -> CommandReply:
        _ = texts(request.app, request.actor.language)
        number, _sep, note = request.args.strip().partition(" ")
        if not number.lstrip("#").isdigit():
            command = "approve" if approve else "reject"
            return CommandReply(_("Which request? Send /{command} 12.", command=command))
        decided = decide(
            request.app,
            request.actor,
            int(number.lstrip("#")),
            approve=approve,
            note=note.strip() or None,
        )
        done = _("approved") if decided.status == "approved" else _("rejected")
        return CommandReply(_("Request #{id} {status}.", id=decided.id, status=done))

    return handle


def move_command(request: CommandRequest) -> CommandReply:
    """``/move 12 next`` moves to the following open stage; ``/move 12 trial`` to that one."""
    _ = texts(request.app, request.actor.language)
    number, _sep, stage = request.args.strip().partition(" ")
    if not number.lstrip("#").isdigit():
        return CommandReply(_("Write: /move 12 next, or /move 12 and the stage."))
    app, actor, deal_id = request.app, request.actor, int(number.lstrip("#"))
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
        s.name for p in list_pipelines(app) for s in p.stages if s.id == moved.stage_id
    )
    return CommandReply(_("Deal #{id} moved to {stage}.", id=moved.id, stage=stage_name))


def lost_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    number, _sep, reason = request.args.strip().partition(" ")
    if not number.lstrip("#").isdigit():
        return CommandReply(_("Write: /lost 12 and the reason (price, competitor, ...)."))
    options = sales_options(request.app.settings)
    if not reason.strip():
        reasons = tuple((r, f"/lost {number} {r}") for r in options.lost_reasons)
        return CommandReply(_("Why was it lost?"), options=reasons)
    lost_stage = next(
        s.key for p in list_pipelines(request.app) for s in p.stages
        if p.id == get_deal(request.app, request.actor, int(number)).pipeline_id
        and s.outcome is StageOutcome.LOST
    )  # fmt: skip
    move_deal(request.app, request.actor, int(number), lost_stage, lost_reason=reason.strip())
    return CommandReply(_("Deal #{id} closed as lost: {reason}.", id=number, reason=reason.strip()))


def _position(pipeline: Pipeline, stage_id: int) -> int:
    return next(s.position for s in pipeline.stages if s.id == stage_id)


def requests_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    waiting = pending_requests(request.app, request.actor)
    if not waiting:
        return CommandReply(_("No requests are waiting."))
    lines = [_("#{id} {kind} on deal #{deal}: {payload}", id=r.id, kind=r.kind, deal=r.deal_id,
               payload=r.payload) for r in waiting]  # fmt: skip
    options: tuple[tuple[str, str], ...] = ()
    if request.actor.role in MANAGERS:
        options = tuple(
            option for r in waiting for option in
            ((_("Approve #{id}", id=r.id), f"/approve {r.id}"),
             (_("Reject #{id}", id=r.id), f"/reject {r.id}"))
        )  # fmt: skip
    return CommandReply("\n".join(lines), options=options)
