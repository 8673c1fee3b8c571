"""Task reminders, morning digests and escalations, each delivered exactly once.

The job runs in every process. A reminder is claimed in the database when it comes due
(an ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`` on
PostgreSQL; SQLite serialises writers, so the same statement is safe there) and queued in
the core's notification outbox in the same transaction, so two instances never queue the
same one; the outbox then sends each message once and marks it as it goes. One that comes
due while the application is down is sent when it starts, marked late.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, and_, func, select, update
from sqlalchemy.orm import Session

from rapport.core.db.dml import conflict_insert
from rapport.core.db.tables import UserRow
from rapport.core.domain.enums import Role
from rapport.core.domain.values import zone_or
from rapport.core.extensions import Notification
from rapport.core.services.customers import customer_names
from rapport.core.services.isolation import isolated
from rapport.core.services.outbox import deliver_queued, queue
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
DUE = (TaskRow.id, TaskRow.title, TaskRow.kind, TaskRow.assignee_id, TaskRow.customer_id,
       TaskRow.deal_id, TaskRow.source, TaskRow.due_at, TaskRow.remind_at)  # fmt: skip
"""What a reminder is written from: read as plain rows (a batch is a thousand tasks, and
loading each as an ORM object cost more than writing its reminder), while the batch's
write lock is held."""
DueRow = Row[int, str, str, int, int | None, int | None, str, datetime, datetime]
"""One row of :data:`DUE`."""


async def send_due_reminders(app: App) -> None:
    """One tick: queue what came due (reminders, digests, escalations), then send it."""
    await asyncio.to_thread(queue_due_reminders, app)
    await asyncio.to_thread(queue_digests, app)
    await asyncio.to_thread(queue_escalations, app)
    await deliver_queued(app)


def reminder_key(task_id: int) -> str:
    """The outbox key prefix of a task's reminders (one per time it is due)."""
    return f"tasks.reminder:{task_id}:"


def queue_due_reminders(app: App) -> int:
    """Claim every reminder that is due, in batches of :data:`BATCH`; the number queued."""
    queued = 0
    while True:
        claimed, count = _queue_due(app)
        queued += count
        if claimed < BATCH:
            return queued


def _queue_due(app: App) -> tuple[int, int]:
    """One batch: the number of tasks claimed and of reminders queued (one that cannot be
    written is logged with its task and skipped, the others go out)."""
    options = tasks_options(app.settings)
    now = app.clock()
    late_after = timedelta(minutes=options.late_after_minutes)
    due: list[tuple[dict[str, Any], bool]] = []
    with UnitOfWork(app) as uow:
        session = uow.session
        waiting = (
            select(TaskRow.id)
            .where(
                TaskRow.status == TaskStatus.OPEN.value,
                TaskRow.remind_at <= now,
                TaskRow.reminded_at.is_(None),
            )
            .order_by(TaskRow.remind_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        claimed = _claim(session, waiting, reminded_at=now)
        rows = list(session.execute(select(*DUE).where(TaskRow.id.in_(claimed)))) if claimed else []
        names = customer_names(session, (r.customer_id for r in rows))
        people = _people(app, session, {r.assignee_id for r in rows})
        messages = []
        for row in rows:
            with isolated("task reminder", row.id):
                late = now - row.remind_at > late_after
                notification = _reminder(app, row, late, names, people[row.assignee_id])
                messages.append(
                    (notification, f"{reminder_key(row.id)}{row.remind_at:%Y%m%dT%H%M}")
                )
                due.append((_summary(row), late))
        queue(session, messages, now)
        uow.after_commit(lambda: _tell_due(app, due))
        uow.commit()
    return len(claimed), len(due)


def queue_digests(app: App) -> int:
    """A morning digest for each user whose digest hour has come today, once per day; one
    person's bad record is logged and skipped, the others get theirs."""
    options = tasks_options(app.settings)
    now = app.clock()
    queued = 0
    with UnitOfWork(app) as uow:
        session = uow.session
        users = session.execute(
            select(UserRow.id, UserRow.timezone, UserRow.language).where(UserRow.active)
        ).all()
        for user_id, zone, language in users:
            with isolated("morning digest of user", user_id, session):
                local = now.astimezone(zone_or(zone, app.settings.timezone))
                if local.hour < options.digest_hour or not _claim_day(
                    session, user_id, local.date(), now
                ):
                    continue
                text = _digest(session, user_id, local, texts(app, language))
                if text:
                    digest = Notification(user_id, text, kind="digest")
                    key = f"tasks.digest:{user_id}:{local.date()}"
                    queued += queue(session, [(digest, key)], now)
        uow.commit()
    return queued


def queue_escalations(app: App) -> int:
    """Alerts about key customers that their owner ignored go to the team's managers."""
    options = tasks_options(app.settings)
    now = app.clock()
    cutoff = now - timedelta(days=options.escalate_after_days)
    queued = 0
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
        rows = list(session.scalars(select(TaskRow).where(TaskRow.id.in_(claimed))))
        for row in rows:
            with isolated("escalation of task", row.id, session):
                queued += _escalate(app, session, row, options.escalate_after_days, now)
        uow.commit()
    return queued


def _escalate(app: App, session: Session, row: TaskRow, days: int, now: datetime) -> int:
    owner = session.get(UserRow, row.assignee_id)
    managers = _escalated_to(session, owner.team if owner else None)
    alerts = []
    for manager, language in managers:
        _ = texts(app, language)
        text = _("Escalated: «{title}» (task #{id}) is {days}+ days overdue.",
                 title=row.title, id=row.id, days=days)  # fmt: skip
        if owner:
            text += " " + _("It is {name}'s.", name=owner.display_name)
        alert = Notification(manager, text, kind="escalation")
        alerts.append((alert, f"tasks.escalation:{row.id}:{manager}"))
    return queue(session, alerts, now)


def _escalated_to(session: Session, team: str | None) -> list[tuple[int, str | None]]:
    """The team's managers; where a team has none, the admins, so nobody's alert is lost."""
    for wanted in (and_(UserRow.role == Role.MANAGER.value, UserRow.team == team),
                   UserRow.role == Role.ADMIN.value):  # fmt: skip
        found = session.execute(
            select(UserRow.id, UserRow.language).where(wanted, UserRow.active)
        ).all()
        if found:
            return [(user_id, language) for user_id, language in found]
    return []


def _reminder(app: App, row: DueRow, late: bool, names: dict[int, str],
              person: tuple[str, str | None]) -> Notification:  # fmt: skip
    zone, language = person
    _ = texts(app, language)
    local = row.due_at.astimezone(zone_or(zone, app.settings.timezone))
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
    return Notification(row.assignee_id, text, kind="reminder", options=options)


def _tell_due(app: App, due: list[tuple[dict[str, Any], bool]]) -> None:
    for task, late in due:
        app.hooks.after_task_due(app, task, late)


def _summary(row: DueRow) -> dict[str, Any]:
    """What ``after_task_due`` tells other plugins about the task."""
    return {"id": row.id, "title": row.title, "kind": row.kind, "assignee_id": row.assignee_id,
            "due_at": row.due_at, "customer_id": row.customer_id, "deal_id": row.deal_id,
            "source": row.source}  # fmt: skip


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
    claimed = session.scalar(
        conflict_insert(session, DigestRow)
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
