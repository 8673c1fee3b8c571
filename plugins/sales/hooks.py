"""The sales plugin's contract with the core: the hooks it implements."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from core import hookimpl
from core.domain.actor import Actor
from core.domain.enums import Role, StageOutcome
from core.domain.fields import FieldSpec
from core.domain.models import Customer, Deal, Pipeline
from core.extensions import (
    CommandReply,
    CommandRequest,
    CommandSpec,
    MigrationSource,
    ProposedChange,
    ReportSpec,
    Term,
)
from core.services.deals import get_deal, move_deal
from core.services.pipelines import list_pipelines, save_pipeline
from core.settings import Settings
from plugins.sales.approvals import decide, pending_requests
from plugins.sales.fields import sales_fields
from plugins.sales.lifecycle import flag_opportunity, follow_deals
from plugins.sales.options import sales_options
from plugins.sales.reports import report_specs
from plugins.sales.rules import check_deal

if TYPE_CHECKING:
    from core.bootstrap import App

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})


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
    register(CommandSpec("approve", "Approve a request", _decision(True), MANAGERS, in_menu=False))
    register(CommandSpec("reject", "Reject a request", _decision(False), MANAGERS, in_menu=False))
    register(CommandSpec("requests", "Requests waiting for a decision", requests_command))
    register(
        CommandSpec("move", "Move a deal: /move 12 next (or a stage)", move_command, in_menu=False)
    )
    register(
        CommandSpec("lost", "Close a deal as lost: /lost 12 price", lost_command, in_menu=False)
    )


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from plugins.sales.cli import commands

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
        number, _, note = request.args.strip().partition(" ")
        if not number.lstrip("#").isdigit():
            return CommandReply(f"Which request? Send /{'approve' if approve else 'reject'} 12.")
        decided = decide(
            request.app,
            request.actor,
            int(number.lstrip("#")),
            approve=approve,
            note=note.strip() or None,
        )
        return CommandReply(f"Request #{decided.id} {decided.status}.")

    return handle


def move_command(request: CommandRequest) -> CommandReply:
    """``/move 12 next`` moves to the following open stage; ``/move 12 trial`` to that one."""
    number, _, stage = request.args.strip().partition(" ")
    if not number.lstrip("#").isdigit():
        return CommandReply("Write: /move 12 next, or /move 12 and the stage.")
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
            return CommandReply("This is the last open stage: /move it to won, or /lost it.")
        target = later[0].key
    moved = move_deal(app, actor, deal_id, target)
    return CommandReply(f"Deal #{moved.id} moved.")


def lost_command(request: CommandRequest) -> CommandReply:
    number, _, reason = request.args.strip().partition(" ")
    if not number.lstrip("#").isdigit():
        return CommandReply("Write: /lost 12 and the reason (price, competitor, ...).")
    options = sales_options(request.app.settings)
    if not reason.strip():
        reasons = tuple((r, f"/lost {number} {r}") for r in options.lost_reasons)
        return CommandReply("Why was it lost?", options=reasons)
    lost_stage = next(
        s.key for p in list_pipelines(request.app) for s in p.stages
        if p.id == get_deal(request.app, request.actor, int(number)).pipeline_id
        and s.outcome is StageOutcome.LOST
    )  # fmt: skip
    move_deal(request.app, request.actor, int(number), lost_stage, lost_reason=reason.strip())
    return CommandReply(f"Deal #{number} closed as lost: {reason.strip()}.")


def _position(pipeline: Pipeline, stage_id: int) -> int:
    return next(s.position for s in pipeline.stages if s.id == stage_id)


def requests_command(request: CommandRequest) -> CommandReply:
    waiting = pending_requests(request.app, request.actor)
    if not waiting:
        return CommandReply("No requests are waiting.")
    lines = [f"#{r.id} {r.kind} on deal #{r.deal_id}: {r.payload}" for r in waiting]
    options: tuple[tuple[str, str], ...] = ()
    if request.actor.role in MANAGERS:
        options = tuple(
            option for r in waiting for option in
            ((f"Approve #{r.id}", f"/approve {r.id}"), (f"Reject #{r.id}", f"/reject {r.id}"))
        )  # fmt: skip
    return CommandReply("\n".join(lines), options=options)
