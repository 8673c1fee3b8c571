"""Task reminders, morning digests and escalations, each delivered exactly once.

The job runs in every process. A reminder is claimed in the database before it is sent:
an ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`` on
PostgreSQL (SQLite serialises writers, so the same statement is safe there), so two
instances never send the same one. A claimed reminder that no adapter delivered (or
whose process died) is taken back after a while; one that comes due while the
application is down is sent when it starts, marked late.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rapport.core.db.tables import UserRow
from rapport.core.domain.enums import Role
from rapport.core.extensions import Notification
from rapport.core.services.customers import customer_names
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.tasks.model import TaskStatus
from rapport.plugins.tasks.options import tasks_options
from rapport.plugins.tasks.tables import DigestRow, TaskRow
from rapport.plugins.tasks.words import kind_word, texts

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.i18n import Translator

log = logging.getLogger(__name__)
BATCH = 1000
RETRY_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Due:
    task: dict[str, Any]
    late: bool
    notification: Notification


async def send_due_reminders(app: App) -> None:
    """One tick: claim and send what is due, then digests and escalations."""
    await deliver(app, await asyncio.to_thread(claim_due, app))
    for notification in await asyncio.to_thread(claim_digests, app):
        await app.hooks.deliver_notification(app, notification)
    for notification in await asyncio.to_thread(claim_escalations, app):
        await app.hooks.deliver_notification(app, notification)


async def deliver(app: App, batch: list[Due]) -> int:
    """Hand a claimed batch to the adapters at once; record what they delivered in one go.

    Adapters pace their own sending (Telegram's limits); an undelivered reminder keeps
    its claim without a delivery and is offered again later.
    """
    answers = await asyncio.gather(
        *(app.hooks.deliver_notification(app, due.notification) for due in batch)
    )
    delivered = [due for due, answer in zip(batch, answers, strict=True) if answer]
    if delivered:
        await asyncio.to_thread(_mark_delivered, app, [due.task["id"] for due in delivered])
    for due in delivered:
        app.hooks.after_task_due(app, due.task, due.late)
    if len(delivered) < len(batch):
        log.warning(
            "%d task reminder(s) were not delivered (is a chat adapter running?); "
            "they will be offered again in %d minutes",
            len(batch) - len(delivered),
            RETRY_AFTER.seconds // 60,
        )
    return len(delivered)


def claim_due(app: App, *, limit: int = BATCH) -> list[Due]:
    """Claim up to ``limit`` reminders that are due, and those to send again."""
    options = tasks_options(app.settings)
    now = app.clock()
    with UnitOfWork(app) as uow:
        session = uow.session
        waiting = (
            select(TaskRow.id)
            .where(
                TaskRow.status == TaskStatus.OPEN.value,
                TaskRow.remind_at <= now,
                or_(
                    TaskRow.reminded_at.is_(None),
                    and_(
                        TaskRow.reminder_delivered_at.is_(None),
                        TaskRow.reminded_at < now - RETRY_AFTER,
                    ),
                ),
            )
            .order_by(TaskRow.remind_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = _claim(session, waiting, reminded_at=now)
        rows = (
            list(session.scalars(select(TaskRow).where(TaskRow.id.in_(claimed)))) if claimed else []
        )
        late_after = timedelta(minutes=options.late_after_minutes)
        names = customer_names(session, (r.customer_id for r in rows))
        people = _people(app, session, {r.assignee_id for r in rows})
        found = [_due(app, row, now - row.remind_at > late_after, names, people[row.assignee_id])
                 for row in rows]  # fmt: skip
        uow.commit()
    return found


def claim_digests(app: App) -> list[Notification]:
    """A morning digest for each user whose digest hour has come today, once per day."""
    options = tasks_options(app.settings)
    now = app.clock()
    digests = []
    with UnitOfWork(app) as uow:
        session = uow.session
        users = session.execute(
            select(UserRow.id, UserRow.timezone, UserRow.language).where(UserRow.active)
        )
        for user_id, zone, language in users:
            local = now.astimezone(ZoneInfo(zone or app.settings.timezone))
            if local.hour < options.digest_hour or not _claim_day(
                session, user_id, local.date(), now
            ):
                continue
            text = _digest(session, user_id, local, texts(app, language))
            if text:
                digests.append(Notification(user_id, text, kind="digest"))
        uow.commit()
    return digests


def claim_escalations(app: App) -> list[Notification]:
    """Alerts about key customers that their owner ignored go to the team's managers."""
    options = tasks_options(app.settings)
    now = app.clock()
    cutoff = now - timedelta(days=options.escalate_after_days)
    with UnitOfWork(app) as uow:
        session = uow.session
        ignored = (
            select(TaskRow.id)
            .where(
                TaskRow.status == TaskStatus.OPEN.value,
                TaskRow.source == "no_contact",
                TaskRow.escalated_at.is_(None),
                TaskRow.due_at < cutoff,
            )
            .with_for_update(skip_locked=True)
        )
        claimed = _claim(session, ignored, escalated_at=now)
        notifications = []
        for row in (
            session.scalars(select(TaskRow).where(TaskRow.id.in_(claimed))) if claimed else []
        ):
            owner = session.get(UserRow, row.assignee_id)
            managers = session.execute(
                select(UserRow.id, UserRow.language).where(
                    UserRow.role == Role.MANAGER.value,
                    UserRow.active,
                    UserRow.team == (owner.team if owner else None),
                )
            )
            days = options.escalate_after_days
            for manager, language in managers:
                _ = texts(app, language)
                text = _("Escalated: «{title}» (task #{id}) is {days}+ days overdue.",
                         title=row.title, id=row.id, days=days)  # fmt: skip
                if owner:
                    text += " " + _("It is {name}'s.", name=owner.display_name)
                notifications.append(Notification(manager, text, kind="escalation"))
        uow.commit()
    return notifications


def _due(app: App, row: TaskRow, late: bool, names: dict[int, str],
         person: tuple[str, str | None]) -> Due:  # fmt: skip
    zone, language = person
    _ = texts(app, language)
    local = row.due_at.astimezone(ZoneInfo(zone))
    about = f" — {names[row.customer_id]}" if row.customer_id in names else ""
    late_mark = _("Late:") + " " if late else ""
    text = f"{late_mark}⏰ {local:%d.%m %H:%M} {kind_word(_, row.kind)}: {row.title}{about}"
    options: tuple[tuple[str, str], ...] = (
        (_("Done"), f"/done {row.id}"),
        (_("Snooze 1 h"), f"/snooze {row.id} через час"),
        (_("Tomorrow"), f"/snooze {row.id} завтра"),
    )
    if row.source == "sla" and row.deal_id is not None:
        # A stalled deal: move it on or close it, in one tap.
        options = ((_("Move on"), f"/move {row.deal_id} next"),
                   (_("Lost"), f"/lost {row.deal_id}"), *options[1:])  # fmt: skip
    task = {"id": row.id, "title": row.title, "kind": row.kind, "assignee_id": row.assignee_id,
            "due_at": row.due_at, "customer_id": row.customer_id, "deal_id": row.deal_id,
            "source": row.source}  # fmt: skip
    return Due(task, late, Notification(row.assignee_id, text, kind="reminder", options=options))


def _digest(session: Session, user_id: int, local: datetime, _: Translator) -> str | None:
    end_of_day = datetime.combine(local.date() + timedelta(days=1), time.min, local.tzinfo)
    counts = dict(
        session.execute(
            select(TaskRow.kind, func.count())
            .where(
                TaskRow.assignee_id == user_id,
                TaskRow.status == TaskStatus.OPEN.value,
                TaskRow.due_at >= local.replace(hour=0, minute=0, second=0, microsecond=0),
                TaskRow.due_at < end_of_day,
            )
            .group_by(TaskRow.kind)
        ).all()
    )
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    overdue = (
        session.scalar(
            select(func.count()).where(
                TaskRow.assignee_id == user_id,
                TaskRow.status == TaskStatus.OPEN.value,
                TaskRow.due_at < start_of_day,
            )
        )
        or 0
    )
    if not counts and not overdue:
        return None
    parts = [f"{kind_word(_, kind)} × {count}" for kind, count in sorted(counts.items())]
    if overdue:
        parts.append(_("overdue: {count}", count=overdue))
    return _("Today: {items}.", items=", ".join(parts))


def _claim_day(session: Session, user_id: int, day: Any, now: datetime) -> bool:
    insert = postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = session.scalar(
        insert(DigestRow)
        .values(user_id=user_id, day=day, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "day"])
        .returning(DigestRow.id)
    )
    return claimed is not None


def _claim(session: Session, candidates: Select[int], **stamp: datetime) -> list[int]:
    """Stamp the tasks ``candidates`` selects (rows another instance holds are skipped) in
    one UPDATE ... RETURNING; the ids this instance now owns."""
    return list(
        session.scalars(
            update(TaskRow)
            .where(TaskRow.id.in_(candidates.scalar_subquery()))
            .values(**stamp)
            .returning(TaskRow.id)
        )
    )


def _people(app: App, session: Session, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """Each user's time zone and language, for reminders written the way they read them."""
    rows = session.execute(
        select(UserRow.id, UserRow.timezone, UserRow.language).where(UserRow.id.in_(ids))
    )
    return {user_id: (zone or app.settings.timezone, language) for user_id, zone, language in rows}


def _mark_delivered(app: App, task_ids: list[int]) -> None:
    with UnitOfWork(app) as uow:
        uow.session.execute(
            update(TaskRow)
            .where(TaskRow.id.in_(task_ids))
            .values(reminder_delivered_at=app.clock())
        )
        uow.commit()
