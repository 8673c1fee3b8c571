"""Birthdays and significant dates become reminders for the customer's owner.

The job runs in every process every few minutes. Each reminder is claimed in the
database (a unique row per customer, occasion and day) and queued in the core's
notification outbox in the same transaction, so it is queued once however many instances
run; the outbox sends each once, offers one no adapter could deliver again later, and one
missed while the application was down is sent when it starts.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rapport.core.db.dml import conflict_insert
from rapport.core.db.tables import CustomerRow, UserRow
from rapport.core.extensions import Notification
from rapport.core.services.isolation import isolated
from rapport.core.services.outbox import deliver_queued, queue
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.options import contacts_options
from rapport.plugins.contacts.tables import ReminderRow, SignificantDateRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

TEMPLATES = {
    "en": {
        0: "Today: {occasion} — {name}{org}.",
        1: "In {days} day(s): {occasion} — {name}{org}.",
    },
    "ru": {
        0: "Сегодня: {occasion} — {name}{org}.",
        1: "Через {days} дн.: {occasion} — {name}{org}.",
    },
    "uk": {
        0: "Сьогодні: {occasion} — {name}{org}.",
        1: "Через {days} дн.: {occasion} — {name}{org}.",
    },
}
BIRTHDAY = {"en": "birthday", "ru": "день рождения", "uk": "день народження"}


async def send_due_reminders(app: App) -> None:
    """Queue the occasions that came due, then send what waits in the outbox."""
    await asyncio.to_thread(queue_due_reminders, app)
    await deliver_queued(app)


def queue_due_reminders(app: App) -> int:
    """Claim and queue today's reminders (and those a few days ahead); the number queued.
    A customer whose reminder cannot be written is logged and skipped, not the others."""
    options = contacts_options(app.settings)
    now = app.clock()
    local = now.astimezone(ZoneInfo(app.settings.timezone))
    if local.hour < options.reminder_hour:
        return 0
    queued = 0
    with UnitOfWork(app) as uow:
        session = uow.session
        for lead in sorted({0, options.reminder_days_ahead}):
            day = local.date() + timedelta(days=lead)
            for customer_id, occasion, owner in _occasions_on(session, day):
                if owner is None:
                    continue
                with isolated("date reminder of customer", customer_id, session):
                    claimed = _claim(session, customer_id, f"{occasion}|{lead}", day, owner, now)
                    if claimed is not None:
                        notification = _render(session, app, claimed, local.date())
                        queued += queue(session, [(notification, f"contacts.date:{claimed}")], now)
        uow.commit()
    return queued


def _occasions_on(session: Session, day: date) -> list[tuple[int, str, int | None]]:
    """Birthdays and yearly dates falling on ``day`` (29 February counts on the 28th)."""
    month_days = [f"-{day.month:02d}-{day.day:02d}"]
    if (day.month, day.day) == (2, 28) and not _leap(day.year):
        month_days.append("-02-29")
    birthday = CustomerRow.fields["birthday"].as_string()
    found = [
        (row.id, "birthday", row.owner_id)
        for row in session.execute(
            select(CustomerRow.id, CustomerRow.owner_id).where(
                CustomerRow.archived.is_(False),
                or_(*(birthday.like(f"%{md}") for md in month_days)),
            )
        )
    ]
    dates = session.execute(
        select(SignificantDateRow, CustomerRow.owner_id)
        .join(CustomerRow, CustomerRow.id == SignificantDateRow.customer_id)
        .where(CustomerRow.archived.is_(False))
    )
    for row, owner in dates:
        falls = (
            (row.day.month, row.day.day) == (day.month, day.day)
            or (f"-{row.day.month:02d}-{row.day.day:02d}" in month_days[1:])
            if row.yearly
            else row.day == day
        )
        if falls:
            found.append((row.customer_id, f"date:{row.id}:{row.label}", owner))
    return found


def _claim(
    session: Session, customer_id: int, occasion: str, day: date, user_id: int, now: datetime
) -> int | None:
    statement = (
        conflict_insert(session, ReminderRow)
        .values(
            customer_id=customer_id,
            occasion=occasion[:240],
            occurs_on=day,
            user_id=user_id,
            claimed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["customer_id", "occasion", "occurs_on"])
        .returning(ReminderRow.id)
    )
    return session.scalar(statement)


def _render(session: Session, app: App, reminder_id: int, today: date) -> Notification:
    reminder, name, organisation_id, user_id, language = session.execute(
        select(
            ReminderRow, CustomerRow.name, CustomerRow.organisation_id, UserRow.id, UserRow.language
        )
        .join(CustomerRow, CustomerRow.id == ReminderRow.customer_id)
        .join(UserRow, UserRow.id == ReminderRow.user_id)
        .where(ReminderRow.id == reminder_id)
    ).one()
    lang = language if language in TEMPLATES else app.settings.language
    organisation = session.get(CustomerRow, organisation_id) if organisation_id else None
    occasion = reminder.occasion.split("|")[0]
    label = BIRTHDAY[lang] if occasion == "birthday" else occasion.split(":", 2)[2]
    days = (reminder.occurs_on - today).days
    text = TEMPLATES[lang][0 if days <= 0 else 1].format(
        occasion=label,
        name=name,
        org=f" ({organisation.name})" if organisation else "",
        days=days,
    )
    return Notification(user_id, text, kind="reminder")


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
