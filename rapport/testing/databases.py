"""The databases a test runs on: a migrated SQLite file per test, or PostgreSQL.

Migrating is slow, so SQLite tests copy a template migrated once per session, and the
PostgreSQL tests share one database of the run's own, emptied before each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from rapport.core.bootstrap import build_app
from rapport.core.db.base import Base
from rapport.core.db.migrate import upgrade
from rapport.core.settings import Settings

REQUIRE_POSTGRES = "RAPPORT_REQUIRE_POSTGRES"
"""Set to 1 (as CI does) to fail, not skip, when the PostgreSQL server does not answer."""


def psycopg_url(url: str) -> str:
    """``postgresql://`` as people write it, with the driver SQLAlchemy should use."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def reachable(url: str) -> str | None:
    """Why the server at ``url`` cannot be used, or None when it answers."""
    try:
        engine = create_engine(psycopg_url(url), connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL is unreachable at {url}: {exc}"
    return None


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A database of this run's own on the server, migrated, and dropped afterwards."""
    with empty_database(server_url) as url:
        migrate_everything(url)
        yield url


@contextmanager
def empty_database(server_url: str, prefix: str = "rapport_test") -> Iterator[str]:
    """A new empty database on the server (for a test, or a benchmark's baseline), dropped
    afterwards, connections and all."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(psycopg_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(psycopg_url(server_url)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate_everything(url: str) -> None:
    """Apply the core's and every installed plugin's migrations, as `rapport db upgrade` does."""
    app = build_app(Settings(database_url=url), check_schema=False)
    upgrade(app.engine, app.migrations)
    app.close()  # the last connection to close checkpoints SQLite's WAL into the file


def empty_every_table(engine: Engine) -> None:
    """Remove every row and restart the ids, so a PostgreSQL test starts as a new install."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def postgres_required() -> bool:
    return os.environ.get(REQUIRE_POSTGRES) == "1"
