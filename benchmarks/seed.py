"""Bulk seeding shared by the benchmarks: reps and customers in a few executemany calls.

The benchmarks measure the code under test, not the seeding, so rows go straight in
through SQLAlchemy Core, bypassing the service layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select

from rapport.core.db.tables import CustomerRow, UserRow

CHUNK = 20_000


def insert_reps(connection: Connection, count: int, at: datetime) -> list[int]:
    """``count`` active reps of one team; every user id in the database."""
    rows = [{"display_name": f"Rep {n}", "role": "rep", "team": "t", "active": True,
             "created_at": at} for n in range(count)]  # fmt: skip
    connection.execute(insert(UserRow), rows)
    return list(connection.scalars(select(UserRow.id)))


def insert_customers(
    connection: Connection,
    count: int,
    at: datetime,
    *,
    kind: str = "organisation",
    status: str = "customer",
    owners: Sequence[int] = (),
    name: Callable[[int], str] = "Customer {}".format,
) -> list[int]:
    """``count`` customers named ``name(N)`` ("Customer N"), owned round-robin by
    ``owners`` if given; every customer id in the database."""
    base = {"kind": kind, "search_text": "", "phones": [], "emails": [], "status": status,
            "fields": {}, "archived": False, "version": 1,
            "created_at": at, "updated_at": at}  # fmt: skip
    for start in range(0, count, CHUNK):
        connection.execute(insert(CustomerRow), [
            {**base, "name": name(n),
             **({"owner_id": owners[n % len(owners)]} if owners else {})}
            for n in range(start, min(start + CHUNK, count))])  # fmt: skip
    return list(connection.scalars(select(CustomerRow.id)))
