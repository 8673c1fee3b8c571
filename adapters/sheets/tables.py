"""What the sheet held after the last sync, per record: the base of the three-way merge."""

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
