"""The ``rapport`` command: set up, run and administer a Rapport installation."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import func, select

from core.bootstrap import App, build_app
from core.config_template import TEMPLATE
from core.db.migrate import require_current_schema, schema_state, upgrade
from core.db.tables import CustomerRow, UserRow
from core.demo import load_demo
from core.domain.actor import Actor
from core.domain.enums import Channel, Role
from core.domain.errors import RapportError
from core.logs import configure_logging
from core.services.pipelines import ensure_default_pipeline
from core.services.uow import UnitOfWork
from core.services.users import actor_for, add_user, find_user, list_users, set_role
from core.settings import Settings, config_path, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(command: F) -> F:
    """Show a Rapport error as one line for the user instead of a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RapportError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


@click.group()
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default: $RAPPORT_CONFIG or ./rapport.toml).",
)
@click.pass_context
@friendly_errors
def main(ctx: click.Context, config: Path | None) -> None:
    """Rapport: a CRM that lives in Telegram and a spreadsheet."""
    ctx.obj = {"config": config}


def _settings(ctx: click.Context) -> Settings:
    settings = load_settings(ctx.obj["config"])
    configure_logging(settings.log_level, settings.secrets())
    return settings


@contextmanager
def _app(ctx: click.Context, *, check_schema: bool = True) -> Iterator[App]:
    app = build_app(_settings(ctx), check_schema=check_schema)
    try:
        yield app
    finally:
        app.close()


def _cli_actor(app: App) -> Actor:
    """The CLI acts as the first admin, so every change it makes names a person."""
    with UnitOfWork(app, read_only=True) as uow:
        admin_id = uow.session.scalar(
            select(UserRow.id).where(UserRow.role == Role.ADMIN.value, UserRow.active).limit(1)
        )
    if admin_id is None:
        raise RapportError("There is no admin yet: run `rapport init` first.")
    return actor_for(find_user(app, admin_id), Channel.CLI)


def _initialise(app: App, admin_name: str, telegram_id: int | None) -> list[str]:
    """Create or upgrade the schema, the default pipeline and the first admin."""
    done = []
    before = schema_state(app.engine, app.migrations)
    upgrade(app.engine, app.migrations)
    if not before.current:
        done.append(f"Database ready at {app.settings.safe_database_url()}.")
    ensure_default_pipeline(app)
    with UnitOfWork(app, read_only=True) as uow:
        has_users = bool(uow.session.scalar(select(func.count()).select_from(UserRow)))
    if not has_users:
        admin = add_user(
            app,
            Actor.system().via(Channel.CLI),
            {"display_name": admin_name, "role": Role.ADMIN, "telegram_id": telegram_id},
        )
        done.append(f"Admin user #{admin.id} {admin.display_name!r} created.")
    return done


@main.command()
@click.option("--admin", "admin_name", default=None, help="The first admin's name.")
@click.option("--telegram-id", type=int, default=None, help="The first admin's Telegram user id.")
@click.pass_context
@friendly_errors
def init(ctx: click.Context, admin_name: str | None, telegram_id: int | None) -> None:
    """Create the config file, the database, the default pipeline and an admin user."""
    path = config_path(ctx.obj["config"])
    if not path.exists():
        path.write_text(TEMPLATE, encoding="utf-8")
        click.echo(f"Wrote {path} (edit it to connect Telegram, Google Sheets or PostgreSQL).")
    with _app(ctx, check_schema=False) as app:
        done = _initialise(app, admin_name or getpass.getuser(), telegram_id)
    click.echo("\n".join(done) if done else "Already initialised; nothing to do.")


@main.command()
@click.pass_context
@friendly_errors
def demo(ctx: click.Context) -> None:
    """Initialise if needed, then load a sample sales team with customers and deals."""
    with _app(ctx, check_schema=False) as app:
        for line in _initialise(app, getpass.getuser(), None):
            click.echo(line)
        with UnitOfWork(app, read_only=True) as uow:
            existing = uow.session.scalar(select(func.count()).select_from(CustomerRow)) or 0
        if existing:
            click.echo(
                f"The database already has {existing} customers, so no demo data was added "
                "(demo data only goes into an empty database)."
            )
            return
        summary = load_demo(app, _cli_actor(app))
    click.echo(
        f"Demo loaded: {summary.users} users, {summary.customers} customers, "
        f"{summary.deals} deals, {summary.interactions} interactions."
    )


@main.command()
@click.pass_context
@friendly_errors
def run(ctx: click.Context) -> None:
    """Start everything configured: the bot or console chat, sheet sync and the scheduler."""
    from core.runtime import serve

    with _app(ctx) as app:
        click.echo(f"Rapport on {app.settings.safe_database_url()}")
        asyncio.run(serve(app))


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.pass_context
@friendly_errors
def db_upgrade(ctx: click.Context) -> None:
    """Create the schema, or bring it up to this version of Rapport and its plugins."""
    with _app(ctx, check_schema=False) as app:
        before = schema_state(app.engine, app.migrations)
        after = upgrade(app.engine, app.migrations)
    if before.current:
        click.echo("The schema is already current.")
    else:
        click.echo(f"Schema upgraded to {', '.join(sorted(after.applied))}.")


@db.command("status")
@click.pass_context
@friendly_errors
def db_status(ctx: click.Context) -> None:
    """Tell whether the schema is current; exit 1 when it needs an upgrade."""
    with _app(ctx, check_schema=False) as app:
        state = schema_state(app.engine, app.migrations)
        if state.current:
            click.echo(f"Current ({', '.join(sorted(state.applied))}).")
            return
        try:
            require_current_schema(app.engine, app.migrations)
        except RapportError as exc:
            click.echo(str(exc))
    sys.exit(1)


@main.command()
@click.pass_context
@friendly_errors
def plugins(ctx: click.Context) -> None:
    """List plugins with their versions, where each came from, and what failed."""
    with _app(ctx, check_schema=False) as app:
        infos = app.plugins.infos
        conflicts = app.registry.conflicts
    if not infos:
        click.echo("No plugins loaded.")
    for info in infos:
        click.echo(f"{info.name:<20} {info.version or '-':<10} {info.status:<9} {info.source}")
        if info.hooks:
            click.echo(f"{'':<20} hooks: {', '.join(info.hooks)}")
        if info.error:
            click.echo(f"{'':<20} error: {info.error}")
    for conflict in conflicts:
        click.echo(f"warning: {conflict}")


@main.group()
def users() -> None:
    """Manage who may use Rapport."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.REP.value)
@click.option("--telegram-id", type=int, default=None, help="Their numeric Telegram user id.")
@click.option("--team", default=None, help="Team name; managers see their team's records.")
@click.option("--language", type=click.Choice(["en", "ru", "uk"]), default=None)
@click.option("--timezone", default=None, help="IANA time zone, e.g. Europe/Moscow.")
@click.pass_context
@friendly_errors
def users_add(ctx: click.Context, name: str, **options: Any) -> None:
    """Register a user."""
    with _app(ctx) as app:
        user = add_user(app, _cli_actor(app), {"display_name": name, **options})
    click.echo(f"User #{user.id} {user.display_name!r} added as {user.role}.")


@users.command("list")
@click.pass_context
@friendly_errors
def users_list(ctx: click.Context) -> None:
    """List users with their roles and teams."""
    with _app(ctx) as app:
        people = list_users(app)
    for user in people:
        telegram = user.telegram_id or "-"
        state = "" if user.active else " (inactive)"
        click.echo(
            f"#{user.id:<4} {user.display_name:<28} {user.role:<8} {user.team or '-':<12} "
            f"telegram {telegram}{state}"
        )


@users.command("role")
@click.argument("user")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.pass_context
@friendly_errors
def users_role(ctx: click.Context, user: str, role: str) -> None:
    """Change a user's role (USER is an id, a Telegram id or a name)."""
    with _app(ctx) as app:
        target = find_user(app, user)
        changed = set_role(app, _cli_actor(app), target.id, role)
    click.echo(f"{changed.display_name} is now {changed.role}.")
