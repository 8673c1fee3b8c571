"""The sales plugin's own tables, prefixed ``sales_``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db.base import Amount, Base, JsonDocument, UTCDateTime
from rapport.core.db.tables import StageChangeRow


class DealLineRow(Base):
    """A product on a deal: what, how many, at what price."""

    __tablename__ = "sales_deal_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(200), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    price: Mapped[Decimal] = mapped_column(Amount)


class PlanRow(Base):
    """A quota: for a rep (or a whole team), a period, a measure and a target."""

    __tablename__ = "sales_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(8))  # 2026-03 or 2026-Q1
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)  # exclusive
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team: Mapped[str | None] = mapped_column(String(500))
    metric: Mapped[str] = mapped_column(String(80))  # amount, count or stage:<key>
    target: Mapped[Decimal] = mapped_column(Amount)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_sales_plans_period", "period", "metric"),)


class ApprovalRow(Base):
    """A change a rep may not make alone (a large discount, a reassignment), and its fate."""

    __tablename__ = "sales_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # discount or reassign
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending approved rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class DealScoreRow(Base):
    """An open deal's win chance and the factors behind it (see :mod:`.scoring`).

    A table of its own rather than a deal field: a score is computed, not typed, so it
    must not be an editable custom field, nor write an audit entry, bump the deal's
    version (a rep's edit racing the nightly run would be refused) and fire
    ``after_deal_updated`` for every open deal every night.
    """

    __tablename__ = "sales_deal_scores"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    chance: Mapped[float] = mapped_column(Float)
    learned: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[list[Any]]] = mapped_column(
        JsonDocument
    )  # factor, value, won, closed, weight
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SalesStateRow(Base):
    """What a full run leaves for the next single-deal update: the scoring model's counts."""

    __tablename__ = "sales_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


STAGE_STAYS = Index(
    "ix_sales_stage_stays",
    StageChangeRow.deal_id,
    StageChangeRow.changed_at,
    StageChangeRow.id,
    StageChangeRow.to_stage_id,
)
"""The core's stage changes in the order ``sales.durations`` pairs each with the next (by
deal, time, then id), with the stage they entered: the report reads the index alone, in
order, instead of sorting a million rows and fetching each one's stage from the table."""
