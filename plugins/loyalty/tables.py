"""The loyalty plugin's own tables, prefixed ``loyalty_``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db.base import Amount, Base, JsonDocument, UTCDateTime


class ProfileRow(Base):
    """What the last recalculation concluded about one customer, with its reasons."""

    __tablename__ = "loyalty_profiles"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    orders: Mapped[int] = mapped_column(Integer)
    monetary: Mapped[Decimal] = mapped_column(Amount)
    recency_days: Mapped[int | None] = mapped_column(Integer)
    r: Mapped[int] = mapped_column(Integer)
    f: Mapped[int] = mapped_column(Integer)
    m: Mapped[int] = mapped_column(Integer)
    value_score: Mapped[float] = mapped_column(Float, index=True)
    key_customer: Mapped[bool] = mapped_column(Boolean)
    cost_to_serve: Mapped[Decimal] = mapped_column(Amount)
    profit: Mapped[Decimal] = mapped_column(Amount)
    segment: Mapped[str] = mapped_column(String(32), index=True)
    strategy: Mapped[str | None] = mapped_column(String(32), index=True)
    verdicts: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    next_action: Mapped[str | None] = mapped_column(Text)
    discount_eligible: Mapped[bool] = mapped_column(Boolean)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OverrideRow(Base):
    """A person's decision about a customer's segment, kept over every recalculation."""

    __tablename__ = "loyalty_overrides"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    segment: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class StateRow(Base):
    """Figures the nightly run leaves for incremental updates (the RFM bucket bounds)."""

    __tablename__ = "loyalty_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
