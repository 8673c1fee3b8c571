"""What the sync remembers of a sheet between cycles, and when it may change.

The base (what the sheet holds, per record) and the columns' positions describe the
sheet as written, so they are saved only once a write has landed (:func:`confirm`): a
write that fails leaves them as they were, and the next cycle sees the database's
changes as still to write rather than as the manager's edits. A record created from a
row is remembered at once (:func:`remember_created`), before the write that puts its ID
in the row, so a retried or killed cycle finds it instead of creating it twice.

A workbook file can be copied, and an older copy saved over a later write (a manager who
opened it from a shared folder, where her lock file never reaches Rapport). Each write of
a file is numbered in the file (a generation), and each record's base before a generation
changed it is kept for :data:`KEPT`: a copy of an older generation is compared with the
base it was written from, so the cells its manager never touched are not taken for edits
undoing what Rapport wrote since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from rapport.adapters.sheets.memory import remember, remembered
from rapport.adapters.sheets.tables import (
    BaseRow,
    ColumnRow,
    CreatedRow,
    GenerationRow,
    HistoryRow,
    RevisionRow,
    TabNoteRow,
)
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

Values = dict[str, str]
CHUNK = 5000  # ids per IN (...), well under every database's limit on parameters
BASE = "base"  # the part of a sheet's state a process keeps (memory.py)
KEPT = timedelta(days=90)
"""How long the bases older generations were written from are kept: a copy older than
that is read as saying nothing new."""


@dataclass
class SheetState:
    base: dict[int, Values] = field(default_factory=dict)
    """What the sheet as read was written from: the last write's, or an older copy's."""
    written: dict[int, Values] = field(default_factory=dict)
    """What the last confirmed write put in the sheet."""
    outdated: bool = False
    """The sheet is a copy older than any base kept: nothing it says can be told new."""
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Column key -> its position and its header (as the manager may have renamed it)."""
    created: dict[str, int] = field(default_factory=dict)
    """Row key -> the record made from that row, whose ID the sheet may not show yet."""
    tab_note: str = ""
    """What the note at the top of the tab says."""


@dataclass(frozen=True)
class Copy:
    """Which of Rapport's writes a workbook file as read says it is (``generation``; None:
    it does not say), beside the last one written and the oldest whose replaced bases are
    still kept (0 before any file was written)."""

    generation: int | None
    last: int
    first: int

    @property
    def behind(self) -> bool:
        """An older copy than the last write, even if it now shows all it should."""
        return (self.generation or 0) < self.last

    @property
    def outdated(self) -> bool:
        """Older than any base kept: nothing in it can be told new."""
        return self.generation is not None and self.generation < self.first - 1

    @property
    def next(self) -> int:
        """The number the coming write gets."""
        return max(self.last, self.generation or 0) + 1


def copy_read(app: App, generation: int | None) -> Copy:
    """What the remembered writes say of a file read as ``generation``."""
    with UnitOfWork(app, read_only=True) as uow:
        last, first = uow.session.execute(
            select(func.max(GenerationRow.generation), func.min(GenerationRow.generation))
        ).one()
    return Copy(generation, last or 0, first or 0)


def written(app: App, generation: int) -> None:
    """A file was written as ``generation``; generations older than :data:`KEPT` go,
    with the bases they replaced."""
    now = app.clock()
    with UnitOfWork(app) as uow:
        session = uow.session
        session.add(GenerationRow(generation=generation, written_at=now))
        old = select(GenerationRow.generation).where(GenerationRow.written_at < now - KEPT)
        session.execute(delete(HistoryRow).where(HistoryRow.generation.in_(old)))
        session.execute(delete(GenerationRow).where(GenerationRow.written_at < now - KEPT))
        uow.commit()


def load(app: App, sheet: str, copy: Copy | None = None) -> SheetState:
    """The sheet's state; ``copy``: which write a file as read says it is (None: a live
    spreadsheet, always the last write)."""
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        revision = session.scalar(select(RevisionRow.revision).where(RevisionRow.sheet == sheet))
        written = _written(session, sheet, revision, remembered(app, sheet, BASE, (revision,)))
        remember(app, sheet, BASE, (revision,), written)
        columns = {
            key: (position, header)
            for key, position, header in session.execute(
                select(ColumnRow.key, ColumnRow.position, ColumnRow.header).where(
                    ColumnRow.sheet == sheet
                )
            )
        }
        created = {
            row_key: record_id
            for row_key, record_id in session.execute(
                select(CreatedRow.row_key, CreatedRow.record_id).where(CreatedRow.sheet == sheet)
            )
        }
        tab_note = session.scalar(select(TabNoteRow.note).where(TabNoteRow.sheet == sheet))
    outdated = copy is not None and copy.outdated
    base = written
    if copy is not None and copy.generation is not None and copy.behind and not outdated:
        base = _as_of(app, sheet, copy.generation, written)
    return SheetState(base, written, outdated, columns, created, tab_note or "")


def _written(
    session: Session, sheet: str, revision: int | None, kept: dict[int, Values] | None
) -> dict[int, Values]:
    """The base the last confirmed write left: as this process kept it, if no process
    rewrote it since (its revision says), else read; as plain rows, not ORM objects: a
    row per record of the sheet, and an ORM object each cost more than the cycle's
    comparisons."""
    if kept is not None and revision is not None:
        return kept
    query = select(BaseRow.record_id, BaseRow.values).where(BaseRow.sheet == sheet)
    return {record_id: values for record_id, values in session.execute(query)}


def _as_of(
    app: App, sheet: str, generation: int, written: Mapping[int, Values]
) -> dict[int, Values]:
    """The base ``generation`` was written from: each record as the first later
    generation that changed it found it."""
    base = dict(written)
    with UnitOfWork(app, read_only=True) as uow:
        replaced = uow.session.execute(
            select(HistoryRow.record_id, HistoryRow.values)
            .where(HistoryRow.sheet == sheet, HistoryRow.generation > generation)
            .order_by(HistoryRow.generation.desc())
        )
        for record_id, values in replaced:  # newest first: the oldest is left standing
            if values is None:
                base.pop(record_id, None)
            else:
                base[record_id] = dict(values)
    return base


def remember_created(app: App, sheet: str, row_key: str, record_id: int) -> None:
    with UnitOfWork(app) as uow:
        uow.session.execute(delete(CreatedRow).where(CreatedRow.sheet == sheet,
                                                     CreatedRow.row_key == row_key))  # fmt: skip
        uow.session.add(CreatedRow(sheet=sheet, row_key=row_key, record_id=record_id))
        uow.commit()


def rewrites(old: SheetState, records: Mapping[int, Values],
             columns: Mapping[str, tuple[int, str]]) -> bool:  # fmt: skip
    """Whether confirming that the sheet holds ``records`` in ``columns`` changes what is
    remembered of it."""
    return (bool(old.created) or dict(columns) != old.columns or len(records) != len(old.written)
            or any(old.written.get(rid) != values for rid, values in records.items()))  # fmt: skip


def confirm(
    app: App,
    sheet: str,
    old: SheetState,
    records: Mapping[int, Values],
    versions: Mapping[int, int],
    columns: Mapping[str, tuple[int, str]],
    generation: int | None = None,
    tab_note: str = "",
) -> None:
    """After a write has landed: the sheet holds ``records`` in ``columns``, every created
    row its ID, and ``tab_note`` at its top. Only the records whose cells changed are
    rewritten; with the ``generation`` a file was written as, the bases they replace are
    kept."""
    if tab_note != old.tab_note:
        with UnitOfWork(app) as uow:
            uow.session.execute(delete(TabNoteRow).where(TabNoteRow.sheet == sheet))
            if tab_note:
                uow.session.add(TabNoteRow(sheet=sheet, note=tab_note))
            uow.commit()
    if not rewrites(old, records, columns):
        return
    stale = [rid for rid in old.written if rid not in records]
    changed = [rid for rid, values in records.items() if old.written.get(rid) != values]
    with UnitOfWork(app) as uow:
        session = uow.session
        gone = stale + changed
        if generation is not None and gone:
            session.connection().execute(insert(HistoryRow), [
                {"sheet": sheet, "generation": generation, "record_id": rid,
                 "values": old.written.get(rid)} for rid in gone])  # fmt: skip
        for start in range(0, len(gone), CHUNK):
            chunk = gone[start : start + CHUNK]
            session.execute(
                delete(BaseRow).where(BaseRow.sheet == sheet, BaseRow.record_id.in_(chunk))
            )
        rows = [{"sheet": sheet, "record_id": rid, "values": records[rid],
                 "version": versions[rid]} for rid in changed]  # fmt: skip
        if rows:
            session.connection().execute(insert(BaseRow), rows)
        if dict(columns) != old.columns:
            session.execute(delete(ColumnRow).where(ColumnRow.sheet == sheet))
            session.add_all(ColumnRow(sheet=sheet, key=key, position=position, header=header)
                            for key, (position, header) in columns.items())  # fmt: skip
        session.execute(delete(CreatedRow).where(CreatedRow.sheet == sheet))
        revision = _next_revision(session, sheet)
        uow.commit()
    remember(app, sheet, BASE, (revision,), dict(records))


def _next_revision(session: Session, sheet: str) -> int:
    """Count a rewrite of the base, in its transaction: one that two processes confirm
    at once (the row locked on PostgreSQL, the writer lock on SQLite) each get their
    own number, so neither takes the base it kept for the other's."""
    bumped = session.execute(
        update(RevisionRow)
        .where(RevisionRow.sheet == sheet)
        .values(revision=RevisionRow.revision + 1)
        .returning(RevisionRow.revision)
    ).scalar()
    if bumped is None:
        session.add(RevisionRow(sheet=sheet, revision=1))
        return 1
    return bumped
