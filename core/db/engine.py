"""Engines for SQLite (the embedded default) and PostgreSQL, configured for concurrent use.

SQLite runs in WAL mode with foreign keys on. Every write transaction starts with
``BEGIN IMMEDIATE``: a transaction that reads and then writes under plain ``BEGIN`` fails
at once with "database is locked" when another writer is active, whatever the busy
timeout; taking the write lock up front makes writers queue instead.

Writers of one process queue on a lock of the engine's before asking SQLite: SQLite
takes one writer at a time, and one left waiting in its busy handler sleeps in steps of
up to 100 ms however soon the lock is free, so under load (a bot serving a hundred
reps) every write would pay those sleeps. The lock is handed on the moment the previous
transaction ends; other processes on the same file still meet at the busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
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
        connect_args = {"check_same_thread": False, "factory": _writer_connection()}
        engine = create_engine(url, connect_args=connect_args, **options)
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
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        writer = connection.connection.dbapi_connection
        writer.start_writing()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.stop_writing()
            raise


class _WriterConnection(sqlite3.Connection):
    """A connection that holds its engine's write lock from ``BEGIN IMMEDIATE`` until its
    transaction ends (commit, rollback or close)."""

    lock: threading.RLock  # set on each engine's subclass
    writing = False

    def start_writing(self) -> None:
        self.lock.acquire()
        self.writing = True

    def stop_writing(self) -> None:
        if self.writing:
            self.writing = False
            self.lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.stop_writing()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.stop_writing()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.stop_writing()


def _writer_connection() -> type[_WriterConnection]:
    """A connection class with a lock of its own: one per engine (per database file)."""
    return type("WriterConnection", (_WriterConnection,), {"lock": threading.RLock()})


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
