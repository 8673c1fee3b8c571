"""Bulk writes that need to know how many rows they touched (a claim, a move, a purge)."""

from __future__ import annotations

from sqlalchemy import Delete, Update
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
