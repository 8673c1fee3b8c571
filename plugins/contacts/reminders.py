"""Birthdays and significant dates become reminders for the customer's owner.

The job runs in every process every few minutes. Each reminder is claimed in the
database (a unique row per customer, occasion and day) before it is sent, so it is sent
once however many instances run; one that no adapter could deliver is offered again
later, and one missed while the application was down is sent when it starts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rapport.core.db.dml import execute_counted
from rapport.core.db.tables import CustomerRow, UserRow
from rapport.core.extensions import Notification
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.options import contacts_options
from rapport.plugins.contacts.tables import ReminderRow, SignificantDateRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)
RETRY_AFTER = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(days=2)
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


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: int
    text: str


async def send_due_reminders(app: App) -> None:
    """Claim what is due now and hand it to the adapters; unclaimed work is left alone."""
    missed = 0
    for reminder in await asyncio.to_thread(claim_due_reminders, app):
        notification = Notification(reminder.user_id, reminder.text, kind="reminder")
        if await app.hooks.deliver_notification(app, notification):
            await asyncio.to_thread(_mark_delivered, app, reminder.id)
        else:
            missed += 1
    if missed:
        log.warning(
            "%d date reminder(s) were not delivered (is a chat adapter running?); "
            "they will be offered again in %d minutes",
            missed,
            RETRY_AFTER.seconds // 60,
        )


def claim_due_reminders(app: App) -> list[Claimed]:
    options = contacts_options(app.settings)
    now = app.clock()
    local = now.astimezone(ZoneInfo(app.settings.timezone))
    with UnitOfWork(app) as uow:
        session = uow.session
        claimed_ids = _retry_undelivered(session, now)
        if local.hour >= options.reminder_hour:
            for lead in sorted({0, options.reminder_days_ahead}):
                day = local.date() + timedelta(days=lead)
                for customer_id, occasion, owner in _occasions_on(session, day):
                    if owner is None:
                        continue
                    key = f"{occasion}|{lead}"
                    claimed = _claim(session, customer_id, key, day, owner, now)
                    if claimed is not None:
                        claimed_ids.append(claimed)
        reminders = _render(session, app, claimed_ids, local.date())
        uow.commit()
    return reminders


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
    insert = postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ReminderRow)
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


def _retry_undelivered(session: Session, now: datetime) -> list[int]:
    """Take back reminders claimed but never delivered (no adapter, a crash), atomically."""
    stale = session.execute(
        select(ReminderRow.id, ReminderRow.claimed_at).where(
            ReminderRow.delivered_at.is_(None),
            ReminderRow.claimed_at < now - RETRY_AFTER,
            ReminderRow.claimed_at > now - GIVE_UP_AFTER,
        )
    ).all()
    taken = []
    for reminder_id, claimed_at in stale:
        claimed = execute_counted(
            session,
            update(ReminderRow)
            .where(and_(ReminderRow.id == reminder_id, ReminderRow.claimed_at == claimed_at))
            .values(claimed_at=now),
        )
        if claimed:
            taken.append(reminder_id)
    return taken


def _render(session: Session, app: App, ids: list[int], today: date) -> list[Claimed]:
    if not ids:
        return []
    rows = session.execute(
        select(
            ReminderRow, CustomerRow.name, CustomerRow.organisation_id, UserRow.id, UserRow.language
        )
        .join(CustomerRow, CustomerRow.id == ReminderRow.customer_id)
        .join(UserRow, UserRow.id == ReminderRow.user_id)
        .where(ReminderRow.id.in_(ids))
    )
    rendered = []
    for reminder, name, organisation_id, user_id, language in rows:
        lang = language if language in TEMPLATES else app.settings.language
        organisation = session.get(CustomerRow, organisation_id) if organisation_id else None
        occasion = reminder.occasion.split("|")[0]
        label = BIRTHDAY[lang] if occasion == "birthday" else occasion.split(":", 2)[2]
        days = (reminder.occurs_on - today).days
        template = TEMPLATES[lang][0 if days <= 0 else 1]
        text = template.format(
            occasion=label,
            name=name,
            org=f" ({organisation.name})" if organisation else "",
            days=days,
        )
        rendered.append(Claimed(reminder.id, user_id, text))  # the join leaves no None
    return rendered


def _mark_delivered(app: App, reminder_id: int) -> None:
    with UnitOfWork(app) as uow:
        uow.session.execute(
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id)
            .values(delivered_at=app.clock())
        )
        uow.commit()


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
