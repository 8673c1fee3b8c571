"""``rapport pipelines`` and ``rapport plans``: the sales plugin's CLI."""

from __future__ import annotations

import click

from rapport.core.cli import cli_actor, cli_words, friendly_errors, open_app
from rapport.core.i18n import texts_for
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.users import find_user
from rapport.plugins.sales.plans import plan_vs_fact, set_plan

texts = texts_for(__file__)


@click.group("pipelines")
def pipelines_command() -> None:
    """Pipelines and their stages."""


@pipelines_command.command("list")
@click.pass_context
@friendly_errors
def pipelines_list(ctx: click.Context) -> None:
    """Every pipeline with its stages, win probability and SLA."""
    with open_app(ctx) as app:
        pipelines = list_pipelines(app)
    for pipeline in pipelines:
        click.echo(f"{pipeline.name}{' (default)' if pipeline.is_default else ''}")
        for stage in pipeline.stages:
            sla = f", SLA {stage.sla_days} d" if stage.sla_days else ""
            click.echo(
                f"  {stage.key:<18} {stage.name:<24} {stage.probability:>4.0%} {stage.outcome}{sla}"
            )


@pipelines_command.command("sync")
@click.pass_context
@friendly_errors
def pipelines_sync(ctx: click.Context) -> None:
    """Create or reshape the pipelines declared in [[plugins.sales.pipelines]]."""
    from rapport.plugins.sales.hooks import sync_pipelines

    with open_app(ctx) as app:
        names = sync_pipelines(app)
    _ = cli_words(texts)
    click.echo(
        _("Pipelines up to date: {names}.", names=", ".join(names))
        if names
        else _("No pipelines declared.")
    )


@click.group("plans")
def plans_command() -> None:
    """Sales plans per rep or team and period."""


@plans_command.command("set")
@click.argument("period")
@click.argument("metric")
@click.argument("target")
@click.option("--owner", default=None, help="The rep (name or id); without it, a team plan.")
@click.option("--team", default=None, help="The team, for a team plan.")
@click.pass_context
@friendly_errors
def plans_set(
    ctx: click.Context, period: str, metric: str, target: str, owner: str | None, team: str | None
) -> None:
    """Set a plan: rapport plans set 2026-03 amount 1500000 --owner "Ivan Petrov"."""
    with open_app(ctx) as app:
        actor = cli_actor(app)  # first: a refusal is read in their language
        owner_id = find_user(app, owner).id if owner else None
        line = set_plan(app, actor, period, metric, target, owner_id=owner_id, team=team)
    _ = cli_words(texts)
    click.echo(
        _(
            "Plan for {who}, {metric}: {plan} (done so far: {fact}).",
            who=line.who,
            metric=metric,
            plan=line.plan,
            fact=line.fact,
        )
    )


@plans_command.command("show")
@click.argument("period")
@click.pass_context
@friendly_errors
def plans_show(ctx: click.Context, period: str) -> None:
    """Plans of a period against the facts: rapport plans show 2026-Q1."""
    with open_app(ctx) as app:
        lines = plan_vs_fact(app, cli_actor(app), period)
    if not lines:
        _ = cli_words(texts)
        click.echo(_("No plans for this period."))
    for line in lines:
        if not line.planned:  # won in another currency than the plan's: shown, never added
            click.echo(f"{line.who:<24} {line.shown_metric:<16} plan {'-':>14} "
                       f"fact {line.fact:>14}")  # fmt: skip
            continue
        click.echo(
            f"{line.who:<24} {line.shown_metric:<16} plan {line.plan:>14} fact {line.fact:>14} "
            f"gap {line.gap:>14} ({line.done:.0f}%)"
        )


commands = [pipelines_command, plans_command]
