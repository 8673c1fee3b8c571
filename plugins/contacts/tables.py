"""The contacts plugin's own tables, prefixed ``contacts_``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db.base import Base, UTCDateTime


class TagRow(Base):
    __tablename__ = "contacts_tags"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class SignificantDateRow(Base):
    """A date worth remembering about a customer: a company anniversary, a name day."""

    __tablename__ = "contacts_dates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    yearly: Mapped[bool] = mapped_column(Boolean, default=True)


class SegmentRow(Base):
    """A saved filter over customers, e.g. ``turnover > 1 000 000 and region = North``."""

    __tablename__ = "contacts_segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    expression: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReminderRow(Base):
    """One reminder of one occasion, claimed by exactly one process, which queues it in the
    core's notification outbox in the same transaction."""

    __tablename__ = "contacts_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    occasion: Mapped[str] = mapped_column(String(240))
    occurs_on: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("customer_id", "occasion", "occurs_on", name="uq_contacts_reminders_once"),
    )
