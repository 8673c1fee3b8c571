"""``rapport loyalty``: recalculate, show a customer's profile, override a segment."""

from __future__ import annotations

import click

from rapport.core.cli import cli_actor, cli_words, friendly_errors, open_app
from rapport.core.cli_values import RECORD_ID
from rapport.core.i18n import texts_for
from rapport.plugins.loyalty.actions import plan_actions
from rapport.plugins.loyalty.options import action_title, loyalty_options
from rapport.plugins.loyalty.service import (
    override_segment,
    profile_of,
    recalculate,
    shown_verdicts,
)

texts = texts_for(__file__)


@click.group("loyalty")
def loyalty_command() -> None:
    """Customer value, motivation segments and relationship strategies."""


@loyalty_command.command("recalculate")
@click.option("--tasks", is_flag=True, help="Also create this week's tasks from the strategies.")
@click.pass_context
@friendly_errors
def recalculate_command(ctx: click.Context, tasks: bool) -> None:
    """Recalculate every customer now (it also runs every night)."""
    with open_app(ctx) as app:
        count = recalculate(app)
        created = plan_actions(app) if tasks else 0
    _ = cli_words(texts)
    click.echo(
        _("{count} customers recalculated, {created} tasks created.", count=count, created=created)
        if tasks
        else _("{count} customers recalculated.", count=count)
    )


@loyalty_command.command("show")
@click.argument("customer_id", type=RECORD_ID)
@click.pass_context
@friendly_errors
def show_command(ctx: click.Context, customer_id: int) -> None:
    """A customer's value, segment, strategy and next action, with the reasons."""
    with open_app(ctx) as app:
        profile = profile_of(app, cli_actor(app), customer_id)
        _ = cli_words(texts)
        verdicts = shown_verdicts(app, profile.verdicts, _.language) if profile else []
    if profile is None:
        click.echo(_("Not calculated yet: run `rapport loyalty recalculate`."))
        return
    scores = dict(
        score=f"{profile.value_score:g}",
        r=profile.r,
        f=profile.f,
        m=profile.m,
        profit=profile.profit,
    )
    click.echo(
        _("value {score} (R{r} F{f} M{m}), key customer, profit {profit}", **scores)
        if profile.key_customer
        else _("value {score} (R{r} F{f} M{m}), profit {profit}", **scores)
    )
    for verdict in verdicts:
        click.echo(verdict.line())
    action = profile.next_action and action_title(
        loyalty_options(app.settings), profile.next_action, _.language
    )
    click.echo(_("next: {action}", action=action or "-"))


@loyalty_command.command("override")
@click.argument("customer_id", type=RECORD_ID)
@click.argument("segment")
@click.option("--note", default=None, help="Why: kept with the decision.")
@click.pass_context
@friendly_errors
def override_command(ctx: click.Context, customer_id: int, segment: str, note: str | None) -> None:
    """Set a customer's segment by hand ("rules" gives it back to the rules)."""
    with open_app(ctx) as app:
        override_segment(
            app, cli_actor(app), customer_id, None if segment == "rules" else segment, note
        )
    _ = cli_words(texts)
    click.echo(_("Saved."))
