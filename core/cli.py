"""The ``rapport`` command: set up, run and administer a Rapport installation."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from sqlalchemy import func, select

from rapport.core.bootstrap import App, build_app
from rapport.core.cli_values import RECORD_ID, TELEGRAM_ID, OneOf
from rapport.core.config_template import config_text
from rapport.core.db.migrate import require_current_schema, schema_state, upgrade
from rapport.core.db.tables import CustomerRow, UserRow
from rapport.core.demo import load_demo
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel, FieldType, Role
from rapport.core.domain.errors import RapportError, _l
from rapport.core.explain import explain, field_label
from rapport.core.hooks import Hooks
from rapport.core.i18n import Catalogue, Translator
from rapport.core.logs import configure_logging
from rapport.core.plugins import make_plugin_manager
from rapport.core.services.archive import Archivable, set_archived
from rapport.core.services.audit import history
from rapport.core.services.fields import define_field
from rapport.core.services.pipelines import ensure_default_pipeline
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import (
    add_user,
    find_user,
    list_users,
    person_acting,
    set_active,
    set_role,
)
from rapport.core.settings import Settings, config_path, load_settings
from rapport.core.words import action_word, channel_word, role_word, texts

P = ParamSpec("P")
R = TypeVar("R")
OPENED = "rapport.app"
LANGUAGE = "rapport.language"
"""The language the terminal is spoken to in: the team's once the settings are read (before
the database opens), the acting person's once :func:`cli_actor` knows them."""
ANNOUNCED = "rapport.announced"


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show a Rapport error as one line for the user instead of a traceback, in the team's
    language, fields named by their labels."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except RapportError as exc:
            context = click.get_current_context(silent=True)
            root = context.find_root() if context is not None else None
            if root is not None and (root.obj or {}).get("debug"):
                raise
            app = root.meta.get(OPENED) if root is not None else None
            language = root.meta.get(LANGUAGE) if root is not None else None
            raise click.ClickException(explain(app, exc, language)) from exc

    return wrapper


class RapportCommands(click.Group):
    """The built-in commands plus those that plugins add through ``register_cli_commands``.

    Whatever goes wrong is one line for the person at the terminal; ``--debug`` shows the
    traceback, for whoever reports the bug.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except RapportError as exc:  # a value refused while the command line was read
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(explain(None, exc, _spoken())) from exc
        except Exception as exc:
            if ctx.params.get("debug") or (ctx.obj or {}).get("debug"):
                raise
            _ = Translator(_spoken(), texts.locales)
            error = f"{type(exc).__name__}: {exc}"
            raise click.ClickException(
                _(
                    "something went wrong ({error}); "
                    "run the command again with --debug to see where",
                    error=error,
                )
            ) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugin_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or _plugin_commands(ctx).get(cmd_name)


def _plugin_commands(ctx: click.Context) -> dict[str, click.Command]:
    if "plugin_commands" not in ctx.meta:
        try:
            settings = load_settings(ctx.params.get("config"))
        except RapportError as exc:
            raise click.ClickException(str(exc)) from exc
        plugins = make_plugin_manager(disabled=settings.plugins.disabled)
        added = Hooks(plugins.manager).register_cli_commands()
        ctx.meta["plugin_commands"] = {c.name: c for c in added if c.name}
    commands: dict[str, click.Command] = ctx.meta["plugin_commands"]
    return commands


@click.group(cls=RapportCommands)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default: $RAPPORT_CONFIG or ./rapport.toml).",
)
@click.option("--debug", is_flag=True, help="Show the traceback when something goes wrong.")
@click.option(
    "--as",
    "as_user",
    metavar="USER",
    default=None,
    help="Act as this user (a name or an id), with their rights (default: [cli] user).",
)
@click.pass_context
@friendly_errors
def main(ctx: click.Context, config: Path | None, debug: bool, as_user: str | None) -> None:
    """Rapport: a CRM that lives in Telegram and a spreadsheet."""
    ctx.obj = {"config": config, "as": as_user, "debug": debug}


def _settings(ctx: click.Context) -> Settings:
    settings = load_settings(ctx.obj["config"])
    ctx.meta[LANGUAGE] = settings.language  # a refusal before the app opens is read in it
    configure_logging(settings.log_level, settings.secrets())
    return settings


@contextmanager
def open_app(ctx: click.Context, *, check_schema: bool = True) -> Iterator[App]:
    """The application for one CLI command, with the ``--config`` the user gave."""
    app = build_app(_settings(ctx.find_root()), check_schema=check_schema)
    ctx.find_root().meta[OPENED] = app  # for friendly_errors: labels and the team's language
    try:
        yield app
    finally:
        app.close()


def cli_actor(app: App) -> Actor:
    """The person this command acts as: ``--as USER``, else ``[cli] user``, else the first
    active admin, with that person's rights. Said on stderr once per command, so whoever
    runs it knows whose name the history will show."""
    root = click.get_current_context().find_root()
    wanted = (root.obj or {}).get("as") or app.settings.cli.user
    actor = person_acting(app, wanted, Channel.CLI)
    root.meta[LANGUAGE] = actor.language or app.settings.language
    if not root.meta.get(ANNOUNCED):
        _ = cli_words()
        click.echo(
            _("(as {name}, {role})", name=actor.display_name, role=role_word(_, actor.role)),
            err=True,
        )
        root.meta[ANNOUNCED] = True
    return actor


def cli_words(catalogue: Catalogue = texts) -> Translator:
    """What a command prints, from ``catalogue`` (a plugin passes its own), in the language
    its errors are read in: the person it acts as once :func:`cli_actor` knows them, else the
    team's. One rule for every command, so a line and the refusal after it never differ."""
    root = click.get_current_context().find_root()
    if LANGUAGE not in root.meta:
        _settings(root)
    return Translator(root.meta[LANGUAGE], catalogue.locales)


def _spoken() -> str:
    """The terminal's language for a refusal: English when the settings themselves are what
    could not be read."""
    try:
        return cli_words().language
    except RapportError:
        return "en"


def _initialise(app: App, admin_name: str, telegram_id: int | None) -> list[str]:
    """Create or upgrade the schema, the default pipeline and the first admin."""
    _ = cli_words()
    done = []
    before = schema_state(app.engine, app.migrations)
    upgrade(app.engine, app.migrations)
    if not before.current:
        done.append(_("Database ready at {url}.", url=app.settings.safe_database_url()))
    ensure_default_pipeline(app)
    with UnitOfWork(app, read_only=True) as uow:
        has_users = bool(uow.session.scalar(select(func.count()).select_from(UserRow)))
    if not has_users:
        admin = add_user(
            app,
            Actor.system().via(Channel.CLI),
            {"display_name": admin_name, "role": Role.ADMIN, "telegram_id": telegram_id},
        )
        done.append(
            _("Admin user #{id} {name} created.", id=admin.id, name=repr(admin.display_name))
        )
    return done


@main.command()
@click.option("--admin", "admin_name", default=None, help="The first admin's name.")
@click.option("--telegram-id", type=TELEGRAM_ID, default=None, help="Their Telegram id.")
@click.pass_context
@friendly_errors
def init(ctx: click.Context, admin_name: str | None, telegram_id: int | None) -> None:
    """Create the config file, the database, the default pipeline and an admin user."""
    admin = admin_name or getpass.getuser()
    _write_config(ctx, admin)
    with open_app(ctx, check_schema=False) as app:
        done = _initialise(app, admin, telegram_id)
    _ = cli_words()
    click.echo("\n".join(done) if done else _("Already initialised; nothing to do."))


def _write_config(ctx: click.Context, admin: str) -> None:
    """Write the commented settings file where ``--config`` points, unless one is there."""
    path = config_path(ctx.find_root().obj["config"])
    if not path.exists():
        path.write_text(config_text(admin), encoding="utf-8")
        _ = cli_words()  # in the language the file just written names
        click.echo(
            _("Wrote {path} (edit it to connect Telegram, Google Sheets or PostgreSQL).", path=path)
        )


@main.command()
@click.pass_context
@friendly_errors
def demo(ctx: click.Context) -> None:
    """Initialise if needed, then load a sample sales team with customers and deals."""
    _write_config(ctx, getpass.getuser())
    with open_app(ctx, check_schema=False) as app:
        for line in _initialise(app, getpass.getuser(), None):
            click.echo(line)
        with UnitOfWork(app, read_only=True) as uow:
            existing = uow.session.scalar(select(func.count()).select_from(CustomerRow)) or 0
        if existing:
            _ = cli_words()
            click.echo(
                _(
                    "The database already has {count} customers, so no demo "
                    "data was added (demo data only goes into an empty "
                    "database).",
                    count=existing,
                )
            )
            return
        summary = load_demo(app, cli_actor(app))
    _ = cli_words()
    click.echo(
        _(
            "Demo loaded: {users} users, {customers} customers, {deals} deals, "
            "{interactions} interactions.",
            users=summary.users,
            customers=summary.customers,
            deals=summary.deals,
            interactions=summary.interactions,
        )
    )


@main.command()
@click.pass_context
@friendly_errors
def run(ctx: click.Context) -> None:
    """Start everything configured: the bot or console chat, sheet sync and the scheduler."""
    from rapport.core.runtime import serve

    with open_app(ctx) as app:
        _ = cli_words()
        click.echo(_("Rapport on {url}", url=app.settings.safe_database_url()))
        asyncio.run(serve(app))


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.pass_context
@friendly_errors
def db_upgrade(ctx: click.Context) -> None:
    """Create the schema, or bring it up to this version of Rapport and its plugins."""
    with open_app(ctx, check_schema=False) as app:
        before = schema_state(app.engine, app.migrations)
        after = upgrade(app.engine, app.migrations)
    _ = cli_words()
    if before.current:
        click.echo(_("The schema is already current."))
    else:
        click.echo(_("Schema upgraded to {revisions}.", revisions=", ".join(sorted(after.applied))))


@db.command("status")
@click.pass_context
@friendly_errors
def db_status(ctx: click.Context) -> None:
    """Tell whether the schema is current; exit 1 when it needs an upgrade."""
    with open_app(ctx, check_schema=False) as app:
        state = schema_state(app.engine, app.migrations)
        if state.current:
            revisions = ", ".join(sorted(state.applied))  # the ids stay as scripts read them
            _ = cli_words()
            click.echo(_("Current ({revisions}).", revisions=revisions))
            return
        try:
            require_current_schema(app.engine, app.migrations)
        except RapportError as exc:
            click.echo(explain(app, exc))
    sys.exit(1)


@main.command()
@click.pass_context
@friendly_errors
def plugins(ctx: click.Context) -> None:
    """List plugins with their versions, where each came from, and what failed."""
    with open_app(ctx, check_schema=False) as app:
        infos = app.plugins.infos
        conflicts = app.registry.conflicts
    if not infos:
        _ = cli_words()
        click.echo(_("No plugins loaded."))
    for info in infos:
        click.echo(f"{info.name:<20} {info.version or '-':<10} {info.status:<9} {info.source}")
        if info.hooks:
            click.echo(f"{'':<20} hooks: {', '.join(info.hooks)}")
        if info.error:
            click.echo(f"{'':<20} error: {info.error}")
    for conflict in conflicts:
        click.echo(f"warning: {conflict}")


@main.group("plugin")
def plugin_group() -> None:
    """Write plugins of your own."""


@plugin_group.command("new")
@click.argument("name")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    help="The folder to create the package in (default: here).",
)
@friendly_errors
def plugin_new(name: str, into: Path) -> None:
    """Create an installable plugin package NAME, with a table, commands and tests."""
    from rapport.core.scaffold import new_plugin

    target = new_plugin(name, into)
    _ = cli_words()
    click.echo(
        _("Created {target}: a plugin named {name} with its tests.", target=target, name=repr(name))
    )
    click.echo(f"  cd {target} && pip install -e '.[test]' && python -m pytest")
    click.echo(
        "  " + _("then `rapport db upgrade` creates its table, and the bot offers its commands.")
    )


@main.command("report")
@click.argument("report_id", required=False)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A report parameter, e.g. period=2026-03 or owner=3.",
)
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Save the chart here.")
@click.pass_context
@friendly_errors
def report(
    ctx: click.Context, report_id: str | None, params: tuple[str, ...], png: Path | None
) -> None:
    """Show a report (without REPORT_ID, list them)."""
    with open_app(ctx) as app:
        if report_id is None:
            language = cli_words().language
            for offered in app.registry.reports.values():
                title, about = offered.title_for(language), offered.description_for(language)
                click.echo(f"{offered.id:<24} {title} — {about}")
            return
        spec = app.registry.reports.get(report_id)
        if spec is None:
            raise RapportError(
                _l("No report {id}; `rapport report` lists them.", id=repr(report_id))
            )
        values = dict(p.partition("=")[::2] for p in params)
        spec.check_params(values)
        result = app.hooks.call(
            spec.owner, f"report {spec.id}", spec.build, app, cli_actor(app), values
        )
    click.echo(result.title)
    click.echo(" | ".join(result.columns))
    for row in result.rows:
        click.echo(" | ".join("" if cell is None else str(cell) for cell in row))
    if png is not None and (picture := result.picture()):
        _save_chart(png, picture)


def run_chat_line(ctx: click.Context, line: str, png: Path | None = None) -> None:
    """Run a chat command line as the CLI's person and print its reply, the bot's buttons
    as the command lines they would run: ``rapport do`` and plugins' thin CLI verbs."""
    from rapport.core.command_lines import run_command_line

    with open_app(ctx) as app:
        reply = asyncio.run(run_command_line(app, cli_actor(app), f"/{line.lstrip('/')}"))
    click.echo(reply.text)
    for label, follow_up in reply.options:
        click.echo(f"  [{label}] rapport do {follow_up}")
    if reply.completes:
        click.echo(f"  rapport do {reply.completes} …")
    if reply.image_png is not None and png is not None:
        _save_chart(png, reply.image_png)


def _save_chart(path: Path, picture: bytes) -> None:
    """Write a report's chart where ``--png`` points, and say so."""
    path.write_bytes(picture)
    _ = cli_words()
    click.echo(_("Chart saved to {path}.", path=path))


@main.command("do")
@click.argument("line", nargs=-1, required=True)
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Save a chart here.")
@click.pass_context
@friendly_errors
def do(ctx: click.Context, line: tuple[str, ...], png: Path | None) -> None:
    """Run a chat command as in the bot: rapport do /merge 12 15 (every plugin's commands).

    The bot's buttons are printed as the command lines they would run, to copy.
    """
    run_chat_line(ctx, " ".join(line), png)


@main.group()
def fields() -> None:
    """Custom fields on customers, deals and interactions."""


@fields.command("add")
@click.argument("entity", type=OneOf(["customer", "deal", "interaction"]))
@click.argument("name")
@click.argument("type_", metavar="TYPE", type=OneOf([t.value for t in FieldType]))
@click.argument("label")
@click.option("--choices", default="", help="Comma-separated, for choice fields.")
@click.option("--label-ru", default=None, help="The label in Russian.")
@click.option("--label-uk", default=None, help="The label in Ukrainian.")
@click.option("--required", is_flag=True, help="Refuse new records without a value.")
@click.pass_context
@friendly_errors
def fields_add(
    ctx: click.Context,
    entity: str,
    name: str,
    type_: str,
    label: str,
    choices: str,
    label_ru: str | None,
    label_uk: str | None,
    required: bool,
) -> None:
    """Declare a custom field: rapport fields add customer turnover money "Turnover"."""
    labels = {lang: text for lang, text in (("ru", label_ru), ("uk", label_uk)) if text}
    data = {
        "entity": entity,
        "name": name,
        "type": type_,
        "label": label,
        "labels": labels,
        "choices": tuple(c.strip() for c in choices.split(",") if c.strip()),
        "required": required,
    }
    with open_app(ctx) as app:
        spec = define_field(app, cli_actor(app), data)
    _ = cli_words()
    click.echo(
        _("Field {field} ({type}) added.", field=f"{spec.entity}.{spec.name}", type=spec.type)
    )


@fields.command("list")
@click.pass_context
@friendly_errors
def fields_list(ctx: click.Context) -> None:
    """List every custom field and who declared it."""
    with open_app(ctx) as app:
        with UnitOfWork(app, read_only=True) as uow:
            app.registry.refresh_stored_fields(uow.session)
        specs = sorted(app.registry.fields.values(), key=lambda s: (s.entity, s.name))
    if not specs:
        _ = cli_words()
        click.echo(_("No custom fields yet."))
    for spec in specs:
        extra = f" [{', '.join(spec.choices)}]" if spec.choices else ""
        required = " required" if spec.required else ""
        click.echo(
            f"{spec.entity}.{spec.name:<20} {spec.type:<12} {spec.label!r}{extra}{required}"
            f"  ({spec.owner})"
        )


@main.group()
def users() -> None:
    """Manage who may use Rapport."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=OneOf([r.value for r in Role]), default=Role.REP.value)
@click.option("--telegram-id", type=TELEGRAM_ID, default=None, help="Their Telegram id.")
@click.option("--team", default=None, help="Team name; managers see their team's records.")
@click.option("--language", type=OneOf(["en", "ru", "uk"]), default=None)
@click.option("--timezone", default=None, help="IANA time zone, e.g. Europe/Moscow.")
@click.pass_context
@friendly_errors
def users_add(ctx: click.Context, /, name: str, **options: Any) -> None:
    """Register a user."""
    with open_app(ctx) as app:
        user = add_user(app, cli_actor(app), {"display_name": name, **options})
    _ = cli_words()
    click.echo(
        _(
            "User #{id} {name} added as {role}.",
            id=user.id,
            name=repr(user.display_name),
            role=role_word(_, user.role),
        )
    )


@users.command("list")
@click.pass_context
@friendly_errors
def users_list(ctx: click.Context) -> None:
    """List users with their roles and teams."""
    with open_app(ctx) as app:
        people = list_users(app)
    for user in people:
        telegram = user.telegram_id or "-"
        state = "" if user.active else " (inactive)"
        click.echo(
            f"#{user.id:<4} {user.display_name:<28} {user.role:<8} {user.team or '-':<12} "
            f"telegram {telegram}{state}"
        )


@users.command("deactivate")
@click.argument("user")
@click.pass_context
@friendly_errors
def users_deactivate(ctx: click.Context, user: str) -> None:
    """Shut a user out (someone who left); their records and history stay."""
    with open_app(ctx) as app:
        changed = set_active(app, cli_actor(app), find_user(app, user).id, False)
    _ = cli_words()
    click.echo(_("{name} can no longer use Rapport.", name=changed.display_name))


@users.command("activate")
@click.argument("user")
@click.pass_context
@friendly_errors
def users_activate(ctx: click.Context, user: str) -> None:
    """Let a deactivated user in again."""
    with open_app(ctx) as app:
        changed = set_active(app, cli_actor(app), find_user(app, user).id, True)
    _ = cli_words()
    click.echo(_("{name} can use Rapport again.", name=changed.display_name))


@main.command("history")
@click.argument("entity", type=OneOf(["customer", "deal", "interaction", "task", "user"]))
@click.argument("entity_id", type=RECORD_ID)
@click.option("--limit", default=50, show_default=True)
@click.pass_context
@friendly_errors
def history_command(ctx: click.Context, entity: str, entity_id: int, limit: int) -> None:
    """Who changed a record, when, through which channel, from what to what."""
    with open_app(ctx) as app:
        names = {user.id: user.display_name for user in list_users(app)}
        entries = history(app, cli_actor(app), entity, entity_id, limit=limit)
    _ = cli_words()
    if not entries:
        click.echo(_("No changes recorded."))
    for entry in entries:
        who = entry.actor_name or names.get(entry.actor_id or 0) or _("system")
        how = f"{channel_word(_, entry.channel)}: {action_word(_, entry.action)}"
        click.echo(f"{entry.at:%Y-%m-%d %H:%M} {who} {how}")
        for field, change in entry.changes.items():
            if isinstance(change, dict) and set(change) == {"old", "new"}:
                label = field_label(app, field, _.language)
                old, new = (_stored_word(_, field, change[side]) for side in ("old", "new"))
                click.echo(f"    {label}: {old!r} -> {new!r}")


def _stored_word(_: Translator, field: str, value: Any) -> Any:
    """A value from the history as the reader says it, where it is a word of the core's
    vocabulary (a role); any other value is shown as it was stored."""
    return role_word(_, value) if field == "role" and isinstance(value, str) else value


@main.command("archive")
@click.argument("entity", type=OneOf(["customer", "deal"]))
@click.argument("record_id", type=RECORD_ID)
@click.option("--restore", is_flag=True, help="Bring an archived record back.")
@click.pass_context
@friendly_errors
def archive_command(ctx: click.Context, entity: Archivable, record_id: int, restore: bool) -> None:
    """Take a customer or deal out of every list and report (its history stays)."""
    with open_app(ctx) as app:
        changed = set_archived(app, cli_actor(app), entity, record_id, archived=not restore)
    click.echo(_archive_line(cli_words(), entity, record_id, restore, changed))


def _archive_line(
    _: Translator, entity: Archivable, record_id: int, restore: bool, changed: bool
) -> str:
    """One whole sentence per case, so a translation can agree in gender and case."""
    if not changed:
        return _("Already restored.") if restore else _("Already archived.")
    if entity == "deal":
        done = _("Deal #{id} restored.") if restore else _("Deal #{id} archived.")
    else:
        done = _("Customer #{id} restored.") if restore else _("Customer #{id} archived.")
    return done.format(id=record_id)


@users.command("role")
@click.argument("user")
@click.argument("role", type=OneOf([r.value for r in Role]))
@click.pass_context
@friendly_errors
def users_role(ctx: click.Context, user: str, role: str) -> None:
    """Change a user's role (USER is an id, a Telegram id or a name)."""
    with open_app(ctx) as app:
        actor = cli_actor(app)  # first: a refusal is read in their language
        changed = set_role(app, actor, find_user(app, user).id, role)
    _ = cli_words()
    click.echo(
        _("{name} is now {role}.", name=changed.display_name, role=role_word(_, changed.role))
    )
