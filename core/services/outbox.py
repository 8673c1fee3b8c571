"""The notification outbox: queued once, sent one by one, each marked as it goes.

A job decides *what* to tell whom (a reminder came due, a digest's hour came) and queues it
with :func:`queue` in the same transaction that claims the work, under a key naming what
it is about; the same key queued twice (two processes, a retry) is stored once. Then
:func:`deliver_queued` sends: it takes a few messages at a time under a short lease, offers
each to the adapters, and marks each one sent in its own commit right after. A process
killed mid-way resends at most the message that was in flight; the messages it held are
taken over by another process as soon as the lease runs out (well within a minute).

A message no adapter delivered (no bot runs in this process, the person blocked the bot)
is offered again after :data:`RETRY_AFTER`, and given up after :data:`GIVE_UP_AFTER`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from rapport.core.db.dml import conflict_insert, execute_counted
from rapport.core.db.tables import NotificationRow
from rapport.core.extensions import Notification
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=20)
"""How long a process holds the messages it took; renewed while it is still sending."""
RETRY_AFTER = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(days=2)
TAKE = 20
"""Messages taken at once: few enough to be sent well within one lease."""


@dataclass(frozen=True)
class Queued:
    id: int
    notification: Notification


def queue(session: Session, messages: Iterable[tuple[Notification, str]], now: datetime) -> int:
    """Queue each ``(notification, key)`` in ``session``'s transaction; the number stored.
    A key queued before (by this process or another) is not stored again."""
    rows = [
        {"key": key[:200], "user_id": notification.user_id, "kind": notification.kind,
         "text": notification.text, "options": [list(option) for option in notification.options],
         "queued_at": now, "attempts": 0}
        for notification, key in messages
    ]  # fmt: skip
    if not rows:
        return 0
    statement = (
        conflict_insert(session, NotificationRow)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(NotificationRow.id)
    )
    # Rows as parameters of one cached statement, on the connection (batched by SQLAlchemy's
    # insertmanyvalues), not a VALUES list of thousands of parameters compiled every time.
    return len(session.connection().execute(statement, rows).all())


def withdraw(session: Session, key_prefix: str) -> int:
    """Drop the unsent messages whose key starts with ``key_prefix`` (the task was done or
    snoozed before its reminder went out): a stale message is worse than none."""
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return execute_counted(
        session,
        delete(NotificationRow).where(
            NotificationRow.key.like(f"{escaped}%", escape="\\"),
            NotificationRow.delivered_at.is_(None),
        ),
    )


async def deliver_queued(app: App) -> int:
    """Send everything waiting, a few at a time, each marked sent as soon as it is; the
    number delivered. Runs in every process: the lease keeps them from sending twice."""
    delivered = undelivered = 0
    while True:
        holder, batch = await asyncio.to_thread(_take, app)
        if not batch:
            break
        async with _Held(app, holder, batch) as held:
            for item in batch:
                if not held.still_ours():
                    break  # stalled past the lease: another process may have them now
                sent = await app.hooks.deliver_notification(app, item.notification)
                await asyncio.to_thread(_settle, app, item.id, sent)
                held.settled(item.id)
                delivered += sent
                undelivered += not sent
    if undelivered:
        log.warning(
            "%d notification(s) were not delivered (is a chat adapter running?); "
            "they will be offered again in %d minutes",
            undelivered,
            RETRY_AFTER.seconds // 60,
        )
    return delivered


def _take(app: App) -> tuple[str, list[Queued]]:
    """Lease up to :data:`TAKE` waiting messages to this process, in one statement
    (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers)."""
    now = app.clock()
    holder = uuid.uuid4().hex
    waiting = (
        select(NotificationRow.id)
        .where(
            NotificationRow.delivered_at.is_(None),
            or_(NotificationRow.held_until.is_(None), NotificationRow.held_until < now),
            NotificationRow.queued_at > now - GIVE_UP_AFTER,
        )
        .order_by(NotificationRow.id)
        .limit(TAKE)
        .with_for_update(skip_locked=True)
    )
    with UnitOfWork(app) as uow:
        rows = uow.session.execute(
            update(NotificationRow)
            .where(NotificationRow.id.in_(waiting.scalar_subquery()))
            .values(held_until=now + LEASE, holder=holder, attempts=NotificationRow.attempts + 1)
            .returning(
                NotificationRow.id,
                NotificationRow.user_id,
                NotificationRow.text,
                NotificationRow.kind,
                NotificationRow.options,
            )
        ).all()
        uow.commit()
    taken = [
        Queued(row_id, Notification(user_id, text, kind, tuple((o[0], o[1]) for o in options)))
        for row_id, user_id, text, kind, options in rows
    ]
    return holder, sorted(taken, key=lambda item: item.id)


def _settle(app: App, notification_id: int, sent: bool) -> None:
    """Mark one message sent, in its own commit; or hand it back for a later try."""
    now = app.clock()
    values = (
        {"delivered_at": now, "held_until": None, "holder": None}
        if sent
        else {"held_until": now + RETRY_AFTER, "holder": None}
    )
    with UnitOfWork(app) as uow:
        uow.session.execute(
            update(NotificationRow).where(NotificationRow.id == notification_id).values(**values)
        )
        uow.commit()


def _renew(app: App, holder: str, ids: list[int]) -> None:
    """Extend the lease on what this process still holds (not on what another took over)."""
    with UnitOfWork(app) as uow:
        uow.session.execute(
            update(NotificationRow)
            .where(NotificationRow.id.in_(ids), NotificationRow.holder == holder)
            .values(held_until=app.clock() + LEASE)
        )
        uow.commit()


class _Held:
    """The lease on one batch: renewed in the background while it is being sent, so a slow
    send (Telegram asking to wait) does not let another process take the rest."""

    def __init__(self, app: App, holder: str, batch: list[Queued]) -> None:
        self.app = app
        self.holder = holder
        self.waiting = {item.id for item in batch}
        self.renewed = time.monotonic()
        self._heartbeat: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _Held:
        self._heartbeat = asyncio.create_task(self._keep())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._heartbeat is not None
        self._heartbeat.cancel()
        with suppress(asyncio.CancelledError):
            await self._heartbeat

    def still_ours(self) -> bool:
        """Whether the lease surely has not run out (a margin for the send about to start)."""
        return time.monotonic() - self.renewed < LEASE.total_seconds() / 2

    def settled(self, notification_id: int) -> None:
        self.waiting.discard(notification_id)

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 4)
            if self.waiting:
                started = time.monotonic()
                await asyncio.to_thread(_renew, self.app, self.holder, sorted(self.waiting))
                self.renewed = started
