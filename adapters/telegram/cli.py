"""``rapport invite``: a one-time link for a new colleague, from the admin's terminal."""

from __future__ import annotations

import click

from rapport.adapters.telegram.invites import create_invite
from rapport.core.cli import cli_actor, cli_words, friendly_errors, open_app
from rapport.core.cli_values import OneOf
from rapport.core.domain.enums import Role
from rapport.core.i18n import texts_for
from rapport.core.words import role_word
from rapport.core.words import texts as core_texts

texts = texts_for(__file__)


@click.command("invite")
@click.argument("name")
@click.option(
    "--role", type=OneOf([r.value for r in Role]), default=Role.REP.value, show_default=True
)
@click.option("--team", default=None, help="The team they join (a manager sees their team).")
@click.pass_context
@friendly_errors
def invite_command(ctx: click.Context, name: str, role: str, team: str | None) -> None:
    """Invite NAME to the bot: they open the link (or send /start CODE) and they are in."""
    with open_app(ctx) as app:
        made = create_invite(app, cli_actor(app), name, Role(role), team)
        username = app.settings.telegram.bot_username
    _ = cli_words(texts)
    role = role_word(cli_words(core_texts), made.role)
    click.echo(
        _("Invite for {name} ({role}), valid for 7 days, once:", name=made.display_name, role=role)
    )
    if username:
        click.echo(made.link(username))
    click.echo(_("or in the bot: /start {token}", token=made.token))
