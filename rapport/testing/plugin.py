"""The pytest plugin of Rapport's test kit, registered through the ``pytest11`` entry point.

Installing Rapport gives every test in the environment these fixtures (the project's own
suite uses the same ones):

* ``app`` / ``make_app(plugins=..., plugins_options=..., disabled=..., **settings)``: the
  real application on a migrated database, with the core, the built-in plugins and every
  installed plugin; ``database_url`` runs each test on SQLite and, when a PostgreSQL URL is
  given (``--rapport-postgres``, ``RAPPORT_TEST_DATABASE_URL`` or the ``rapport_postgres``
  ini option), on PostgreSQL too.
* ``admin``, ``act_as(role, team=..., channel=...)`` and ``team``: people to act as.
* ``clock``: the application's clock, moved by hand.
* ``chat``: the real Telegram dispatcher driven as people (:class:`~rapport.testing.Chat`).
* ``workbook``: a sheet sync with a local .xlsx file (:class:`~rapport.testing.Workbook`).
* ``cli``: the ``rapport`` command in an empty folder of its own.

Heavy imports (aiogram, openpyxl, the application) happen inside the fixtures, so a test
run that uses none of them pays nothing for the kit.
"""

from __future__ import annotations

import importlib
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor
    from rapport.core.settings import Settings
    from rapport.testing.chat import Chat
    from rapport.testing.clock import FakeClock
    from rapport.testing.workbook import Workbook

AppFactory = Callable[..., "App"]
POSTGRES_OPTION = "--rapport-postgres"
POSTGRES_ENV = "RAPPORT_TEST_DATABASE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rapport", "Rapport's test kit")
    group.addoption(
        POSTGRES_OPTION,
        metavar="URL",
        help=f"also run every database test on this PostgreSQL server (or ${POSTGRES_ENV})",
    )
    parser.addini("rapport_postgres", "PostgreSQL server URL for database tests", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: runs on the PostgreSQL server given to Rapport's test kit"
    )


def postgres_url(config: pytest.Config) -> str | None:
    """The server to run database tests on too: the option, then the variable, then the ini."""
    given = (
        config.getoption(POSTGRES_OPTION)
        or os.environ.get(POSTGRES_ENV)
        or config.getini("rapport_postgres")
    )
    return str(given) if given else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that needs a database on each backend the run was given."""
    if "database_url" not in metafunc.fixturenames:
        return
    backends: list[Any] = ["sqlite"]
    if postgres_url(metafunc.config):
        backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    metafunc.parametrize("database_url", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_database(pytestconfig: pytest.Config) -> Iterator[str | None]:
    """A migrated database of this run's own on the PostgreSQL server, dropped at the end."""
    from rapport.testing import databases

    server = postgres_url(pytestconfig)
    problem = databases.reachable(server) if server else "no PostgreSQL server was given"
    if problem:
        if databases.postgres_required():
            raise RuntimeError(f"{problem} (and {databases.REQUIRE_POSTGRES}=1)")
        yield None
        return
    assert server is not None
    with databases.scratch_database(server) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating per test is slow)."""
    from rapport.testing.databases import migrate_everything

    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_everything(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a copied SQLite file, or the run's PostgreSQL database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        path = tmp_path / "rapport.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    if url is None:
        pytest.skip(f"PostgreSQL is not reachable (give {POSTGRES_OPTION} or ${POSTGRES_ENV})")
    from rapport.core.db.engine import make_engine
    from rapport.testing.databases import empty_every_table

    engine = make_engine(url)
    empty_every_table(engine)
    engine.dispose()
    return str(url)


@pytest.fixture
def clock() -> FakeClock:
    from rapport.testing.clock import FakeClock

    return FakeClock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    from rapport.core.settings import Settings, SheetsSettings

    return Settings(
        database_url=database_url, sheets=SheetsSettings(path=tmp_path / "rapport.xlsx")
    )


@pytest.fixture
def make_app(settings: Settings, clock: FakeClock) -> Iterator[AppFactory]:
    """Build the real application: ``make_app(plugins=[("name", plugin_object)])``.

    Plugins given here are registered after the built-ins; their migrations are applied
    first if the database does not have them yet. Every installed plugin (entry point) is
    loaded as ``rapport run`` would load it, and one that fails to load fails the test.
    """
    from rapport.core.bootstrap import build_app
    from rapport.core.db.migrate import schema_state, upgrade
    from rapport.core.services.pipelines import ensure_default_pipeline
    from rapport.core.settings import PluginSettings

    built: list[App] = []

    def factory(
        plugins: list[tuple[str, object]] | None = None,
        plugins_options: dict[str, dict[str, object]] | None = None,
        disabled: list[str] | None = None,
        **overrides: object,
    ) -> App:
        if plugins_options or disabled:
            overrides["plugins"] = PluginSettings(
                disabled=disabled or [], **(plugins_options or {})
            )
        chosen = settings.model_copy(update=overrides) if overrides else settings
        app = build_app(chosen, clock=clock, extra_plugins=plugins or [], check_schema=False)
        built.append(app)
        failed = [f"{info.name}: {info.error}" for info in app.plugins.failed]
        assert not failed, f"plugins failed to load: {failed}"
        if plugins and not schema_state(app.engine, app.migrations).current:
            upgrade(app.engine, app.migrations)
        ensure_default_pipeline(app)
        return app

    yield factory
    for app in built:
        app.close()


@pytest.fixture
def app(make_app: AppFactory) -> App:
    return make_app()


@pytest.fixture
def admin(app: App) -> Actor:
    """The first user, an admin, acting from the CLI."""
    from rapport.core.domain.actor import Actor
    from rapport.core.domain.enums import Channel
    from rapport.core.services.users import actor_for, add_user

    user = add_user(app, Actor.system(), {"display_name": "Anna Admin", "role": "admin"})
    return actor_for(user, Channel.CLI)


@pytest.fixture
def act_as(app: App, admin: Actor) -> Callable[..., Actor]:
    """A new registered person to act as: ``act_as("rep", team="north", telegram_id=7)``."""
    from rapport.core.domain.enums import Channel
    from rapport.core.services.users import actor_for, add_user

    numbers = itertools.count(1)

    def person(
        role: str = "rep",
        *,
        team: str | None = None,
        channel: Channel | str = Channel.BOT,
        name: str | None = None,
        telegram_id: int | None = None,
        language: str | None = None,
    ) -> Actor:
        data: dict[str, Any] = {
            "display_name": name or f"{role.title()} {next(numbers)}",
            "role": role,
            "team": team,
            "telegram_id": telegram_id,
        }
        if language:
            data["language"] = language
        return actor_for(add_user(app, admin, data), Channel(channel))

    return person


@pytest.fixture
def team(act_as: Callable[..., Actor]) -> dict[str, Actor]:
    """A small sales team: a manager and two reps in "north", a rep in "south" (on the bot,
    Telegram ids 1001 to 1004)."""
    return {
        "manager": act_as("manager", team="north", name="Olga Manager", telegram_id=1001),
        "ivan": act_as("rep", team="north", name="Ivan Rep", telegram_id=1002),
        "petr": act_as("rep", team="north", name="Petr Rep", telegram_id=1003),
        "sofia": act_as("rep", team="south", name="Sofia Rep", telegram_id=1004),
    }


@pytest.fixture
def chat(app: App) -> Chat:
    """The real bot, driven as its registered users: ``await chat.say(1002, "/tasks")``."""
    from rapport.testing.chat import Chat

    return Chat(app)


@pytest.fixture
def workbook(app: App, tmp_path: Path) -> Workbook:
    """The managers' .xlsx workbook, synced with ``workbook.sync()`` and edited by hand."""
    from rapport.testing.workbook import Workbook

    return Workbook(app, tmp_path / "rapport.xlsx")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Run ``rapport ARGS`` in an empty folder with no RAPPORT_* variables: ``cli("init")``.

    ``code=`` is the exit status expected (0 by default); the output is returned.
    """
    from click.testing import CliRunner

    from rapport.core.cli import main

    for name in list(os.environ):
        if name.startswith("RAPPORT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return run


@pytest.fixture
def on_path(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Put a folder of installed packages on ``sys.path`` for this test only."""

    def add(path: Path) -> None:
        monkeypatch.syspath_prepend(str(path))
        importlib.invalidate_caches()

    return add
