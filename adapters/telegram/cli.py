"""``rapport invite``: a one-time link for a new colleague, from the admin's terminal."""

from __future__ import annotations

import click

from rapport.adapters.telegram.invites import create_invite
from rapport.core.cli import cli_actor, friendly_errors, open_app
from rapport.core.domain.enums import Role


@click.command("invite")
@click.argument("name")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.REP.value, show_default=True
)
@click.option("--team", default=None, help="The team they join (a manager sees their team).")
@click.pass_context
@friendly_errors
def invite_command(ctx: click.Context, name: str, role: str, team: str | None) -> None:
    """Invite NAME to the bot: they open the link (or send /start CODE) and they are in."""
    with open_app(ctx) as app:
        made = create_invite(app, cli_actor(app), name, Role(role), team)
        username = app.settings.telegram.bot_username
    click.echo(f"Invite for {made.display_name} ({made.role.value}), valid for 7 days, once:")
    if username:
        click.echo(made.link(username))
    click.echo(f"or in the bot: /start {made.token}")
