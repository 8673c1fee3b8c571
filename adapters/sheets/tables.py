"""What the sheet held after the last sync, per record (the base of the three-way merge),
where each column was, and the rows created from the sheet whose IDs it may not hold yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db.base import Base, JsonDocument


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
