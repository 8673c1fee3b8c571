"""Fixtures that build the real application on a real database.

Every database test runs twice: on a fresh SQLite file and on PostgreSQL. The PostgreSQL
run uses ``RAPPORT_TEST_DATABASE_URL`` (default: the local server with trust auth) and is
skipped when no server answers, unless ``RAPPORT_REQUIRE_POSTGRES=1`` (set by CI), in which
case it fails: CI must never silently skip it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from rapport.core.bootstrap import App, build_app
from rapport.core.db.base import Base
from rapport.core.db.engine import make_engine
from rapport.core.db.migrate import upgrade
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel, Role
from rapport.core.services.pipelines import ensure_default_pipeline
from rapport.core.services.users import actor_for, add_user
from rapport.core.settings import PluginSettings, Settings

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class FakeClock:
    """A clock the test moves by hand; starts on a fixed Monday morning, UTC."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _postgres_server_url() -> str | None:
    url = os.environ.get("RAPPORT_TEST_DATABASE_URL", DEFAULT_PG)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        if os.environ.get("RAPPORT_REQUIRE_POSTGRES") == "1":
            raise RuntimeError(f"PostgreSQL is required but unreachable at {url}: {exc}") from exc
        return None
    return url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end."""
    server = _postgres_server_url()
    if server is None:
        yield None
        return
    name = f"rapport_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    migrate_everything(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_everything(f"sqlite:///{path}")
    return path


def migrate_everything(url: str) -> None:
    """Apply the core's and the built-in plugins' migrations, as `rapport db upgrade` does."""
    app = build_app(Settings(database_url=url), check_schema=False, load_entry_points=False)
    upgrade(app.engine, app.migrations)
    app.close()  # the last connection to close checkpoints SQLite's WAL into the file


def _truncate(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database: a copied SQLite file, or the run's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "rapport.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    if url is None:
        pytest.skip("PostgreSQL is not reachable (set RAPPORT_TEST_DATABASE_URL)")
    engine = make_engine(url)
    _truncate(engine)
    engine.dispose()
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, sheets={"path": tmp_path / "rapport.xlsx"})


AppFactory = Callable[..., App]


@pytest.fixture
def make_app(settings: Settings, clock: FakeClock) -> Iterator[AppFactory]:
    """Build the real application with throwaway plugins: ``make_app(plugins=[("p", obj)])``."""
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
        app = build_app(
            settings.model_copy(update=overrides) if overrides else settings,
            clock=clock,
            extra_plugins=plugins or [],
            load_entry_points=False,
        )
        ensure_default_pipeline(app)
        built.append(app)
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
    user = add_user(app, Actor.system(), {"display_name": "Anna Admin", "role": "admin"})
    return actor_for(user, Channel.CLI)


@pytest.fixture
def team(app: App, admin: Actor) -> dict[str, Actor]:
    """A small sales team: a manager and two reps in "north", a rep in "south"."""
    people = {
        "manager": ("Olga Manager", Role.MANAGER, "north", 1001),
        "ivan": ("Ivan Rep", Role.REP, "north", 1002),
        "petr": ("Petr Rep", Role.REP, "north", 1003),
        "sofia": ("Sofia Rep", Role.REP, "south", 1004),
    }
    actors = {}
    for key, (name, role, team_name, telegram_id) in people.items():
        user = add_user(
            app,
            admin,
            {"display_name": name, "role": role, "team": team_name, "telegram_id": telegram_id},
        )
        actors[key] = actor_for(user, Channel.BOT)
    return actors


EXAMPLE_PLUGIN = Path(__file__).parents[1] / "docs" / "example-plugin"


@pytest.fixture(scope="session")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's example plugin, installed by pip (with its entry point) into its own folder."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(EXAMPLE_PLUGIN),
        ],
        check=True,
        capture_output=True,
    )
    return target


@pytest.fixture
def on_path(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Put a folder of installed packages on ``sys.path`` for this test only."""

    def add(path: Path) -> None:
        monkeypatch.syspath_prepend(str(path))
        importlib.invalidate_caches()

    return add
