"""What the sheet held after the last sync, per record (the base of the three-way merge),
where each column was, the rows created from the sheet whose IDs it may not hold yet, and
what older copies of a workbook file were written from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db.base import Base, JsonDocument, UTCDateTime


class BaseRow(Base):
    __tablename__ = "sheets_base"

    sheet: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    version: Mapped[int] = mapped_column(Integer)


class ColumnRow(Base):
    """A column's position and header after the last confirmed write: a header renamed
    in place is still known by where it stands, and from then on by its new name."""

    __tablename__ = "sheets_columns"

    sheet: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    header: Mapped[str] = mapped_column(String(200))


class CreatedRow(Base):
    """A record made from a row without an ID, kept until a write has put the ID in the
    row: a retried or killed cycle finds the record instead of creating it again."""

    __tablename__ = "sheets_created"

    sheet: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer)


class GenerationRow(Base):
    """A write of a workbook that can be copied (a file), numbered in the workbook itself:
    a copy saved over a later write says which one it was made from."""

    __tablename__ = "sheets_generations"

    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HistoryRow(Base):
    """A record's base before a generation changed it (None: it had no row yet), so the
    base a copy of an older generation was written from can be told again."""

    __tablename__ = "sheets_history"

    sheet: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    values: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, nullable=True)


class TabNoteRow(Base):
    """What the note at the top of a tab says (why rows or columns were not read), so it is
    written only when it changes and cleared once nothing is wrong."""

    __tablename__ = "sheets_tab_notes"

    sheet: Mapped[str] = mapped_column(String(32), primary_key=True)
    note: Mapped[str] = mapped_column(Text)


class RevisionRow(Base):
    """How many times a sheet's base was rewritten: a process that keeps the base it
    wrote in memory knows from this one number whether another process wrote since."""

    __tablename__ = "sheets_revisions"

    sheet: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
