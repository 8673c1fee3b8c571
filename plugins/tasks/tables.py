"""The tasks plugin's own tables, prefixed ``tasks_``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db.base import Amount, Base, UTCDateTime


class TaskRow(Base):
    """A task, always about a customer or a deal, with its reminder bookkeeping."""

    __tablename__ = "tasks_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    """Set on automatic tasks, so racing instances create each one once."""
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime] = mapped_column(UTCDateTime)
    repeat_every: Mapped[int | None] = mapped_column(Integer)
    repeat_unit: Mapped[str | None] = mapped_column(String(8))
    result: Mapped[str | None] = mapped_column(Text)
    spent_minutes: Mapped[int | None] = mapped_column(Integer)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    """The interaction logged on completion, which already carries the time spent."""
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_tasks_tasks_due_reminders", "status", "reminded_at", "remind_at"),
        Index("ix_tasks_tasks_assignee_due", "assignee_id", "status", "due_at"),
    )


class DigestRow(Base):
    """The morning digest of one user on one day, claimed once across all processes."""

    __tablename__ = "tasks_digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_tasks_digests_user_day"),)


class CostRow(Base):
    """Marketing money spent on a customer (an event, samples, a campaign share)."""

    __tablename__ = "tasks_costs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    note: Mapped[str] = mapped_column(String(500))
    spent_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
