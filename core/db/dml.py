"""Writes the ORM does not say plainly: bulk ones that need to know how many rows they
touched (a claim, a move, a purge), and inserts that say what to do on a conflict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Delete, Update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session


def execute_counted(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE in ``session``; the number of rows it matched.

    ``Session.execute`` is typed to return a plain ``Result``. For an UPDATE or DELETE
    without RETURNING it returns a ``CursorResult``, the kind that knows its row count.
    """
    result = session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} does not count rows")
    return result.rowcount


def conflict_insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` that can say what to do ON CONFLICT (keep the row, or
    replace it), in the dialect of ``session``'s database: PostgreSQL and SQLite spell it
    alike, but each through its own construct."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
