"""Engines for SQLite (the embedded default) and PostgreSQL, configured for concurrent use.

SQLite runs in WAL mode with foreign keys on. Every write transaction starts with
``BEGIN IMMEDIATE``: a transaction that reads and then writes under plain ``BEGIN`` fails
at once with "database is locked" when another writer is active, whatever the busy
timeout; taking the write lock up front makes writers queue instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from rapport.core.domain.errors import DatabaseUnavailable, Text, _l

READ_ONLY = "rapport_read_only"
"""Execution option: a SQLite transaction that only reads starts with a plain ``BEGIN``."""


def database_url(raw: str) -> URL:
    """Use psycopg 3 for ``postgresql://`` URLs, as users copy them from their provider."""
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(raw_url: str, **options: Any) -> Engine:
    url = database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        _configure_sqlite(engine, in_memory=url.database in (None, "", ":memory:"))
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def check_reachable(engine: Engine) -> None:
    """Connect once, so a wrong ``database_url`` is one line saying what to do instead of
    a driver's traceback at the first query."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise DatabaseUnavailable(_l(
                "database_url: the folder {folder} for the SQLite file does not exist; "
                "create it, or point database_url elsewhere", folder=str(folder)))  # fmt: skip
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        raise DatabaseUnavailable(_why(url, str(exc.orig))) from None


def _why(url: URL, reason: str) -> Text:
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if url.get_backend_name() == "sqlite":
        return _l("database_url: cannot open the SQLite file {path}: {reason}",
                  path=str(url.database), reason=reason.strip())  # fmt: skip
    if "database" in reason and "does not exist" in reason:
        return _l("database_url: there is no database {name} on {where}; create it "
                  "(createdb {name}) or change database_url", name=str(url.database),
                  where=where)  # fmt: skip
    if "role" in reason or "authentication failed" in reason or "password" in reason:
        return _l("database_url: the server at {where} refused the user {user}; check the "
                  "user name and password in database_url", where=where,
                  user=str(url.username))  # fmt: skip
    return _l("database_url: no database server answers at {where}; start it, or change "
              "database_url", where=where)  # fmt: skip
