"""What the sync remembers of a sheet between cycles, and when it may change.

The base (what the sheet holds, per record) and the columns' positions describe the
sheet as written, so they are saved only once a write has landed (:func:`confirm`): a
write that fails leaves them as they were, and the next cycle sees the database's
changes as still to write rather than as the manager's edits. A record created from a
row is remembered at once (:func:`remember_created`), before the write that puts its ID
in the row, so a retried or killed cycle finds it instead of creating it twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from rapport.adapters.sheets.tables import BaseRow, ColumnRow, CreatedRow
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

Values = dict[str, str]
CHUNK = 5000  # ids per IN (...), well under every database's limit on parameters


@dataclass
class SheetState:
    base: dict[int, Values] = field(default_factory=dict)
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Column key -> its position and its header (as the manager may have renamed it)."""
    created: dict[str, int] = field(default_factory=dict)
    """Row key -> the record made from that row, whose ID the sheet may not show yet."""


def load(app: App, sheet: str) -> SheetState:
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        base = {
            row.record_id: dict(row.values)
            for row in session.scalars(select(BaseRow).where(BaseRow.sheet == sheet))
        }
        columns = {
            row.key: (row.position, row.header)
            for row in session.scalars(select(ColumnRow).where(ColumnRow.sheet == sheet))
        }
        created = {
            row.row_key: row.record_id
            for row in session.scalars(select(CreatedRow).where(CreatedRow.sheet == sheet))
        }
    return SheetState(base, columns, created)  # fmt: skip


def remember_created(app: App, sheet: str, row_key: str, record_id: int) -> None:
    with UnitOfWork(app) as uow:
        uow.session.execute(delete(CreatedRow).where(CreatedRow.sheet == sheet,
                                                     CreatedRow.row_key == row_key))  # fmt: skip
        uow.session.add(CreatedRow(sheet=sheet, row_key=row_key, record_id=record_id))
        uow.commit()


def confirm(
    app: App,
    sheet: str,
    old: SheetState,
    records: Mapping[int, Values],
    versions: Mapping[int, int],
    columns: Mapping[str, tuple[int, str]],
) -> None:
    """After a write has landed: the sheet holds ``records`` in ``columns``, and every
    created row its ID. Only the records whose cells changed are rewritten."""
    stale = [rid for rid in old.base if rid not in records]
    changed = [rid for rid, values in records.items() if old.base.get(rid) != values]
    moved = dict(columns) != old.columns
    if not (stale or changed or moved or old.created):
        return
    with UnitOfWork(app) as uow:
        session = uow.session
        gone = stale + changed
        for start in range(0, len(gone), CHUNK):
            chunk = gone[start : start + CHUNK]
            session.execute(
                delete(BaseRow).where(BaseRow.sheet == sheet, BaseRow.record_id.in_(chunk))
            )
        rows = [{"sheet": sheet, "record_id": rid, "values": records[rid],
                 "version": versions[rid]} for rid in changed]  # fmt: skip
        if rows:
            session.connection().execute(insert(BaseRow), rows)
        if moved:
            session.execute(delete(ColumnRow).where(ColumnRow.sheet == sheet))
            session.add_all(ColumnRow(sheet=sheet, key=key, position=position, header=header)
                            for key, (position, header) in columns.items())  # fmt: skip
        session.execute(delete(CreatedRow).where(CreatedRow.sheet == sheet))
        uow.commit()
