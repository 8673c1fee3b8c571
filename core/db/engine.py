"""Engines for SQLite (the embedded default) and PostgreSQL, configured for concurrent use.

SQLite runs in WAL mode with foreign keys on. Every write transaction starts with
``BEGIN IMMEDIATE``: a transaction that reads and then writes under plain ``BEGIN`` fails
at once with "database is locked" when another writer is active, whatever the busy
timeout; taking the write lock up front makes writers queue instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

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
