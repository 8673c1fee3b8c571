"""Customers waiting for their loyalty recalculation, recalculated together off the caller.

A logged interaction or a won or lost deal changes one customer's profile. Recalculating
it inside the use case cost several times the use case itself (the rep waited for it in
a one-shot command, and under load every write queued behind it), so an event only puts
the customer in a queue: a worker thread takes everyone waiting, at most ``BATCH`` per
transaction (a run holds the database's write lock, everyone else's writes wait for it),
and runs again while more arrived. Nobody sees a stale profile or loses an event:

* a reader of a customer still waiting (the card, :func:`profile_of`, the sheet's
  segment column) computes that customer's profile in its own transaction, as the
  worker will store it; the reports, which read every profile, first finish the queue;
* closing the application finishes the queue, so a one-shot command leaves every
  profile up to date, as it did when the recalculation ran inline;
* a process killed with customers waiting leaves their events in the database, which is
  the durable mark: the next start queues every customer with an event since the last
  full recalculation (less :data:`MARGIN`), and the nightly run recalculates everyone.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, union

from rapport.core.db.tables import DealRow, InteractionRow
from rapport.core.domain.enums import StageOutcome
from rapport.core.services.uow import UnitOfWork, in_unit_of_work

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

BATCH = 200
"""Customers recalculated in one transaction at most: one grouped query each for all of
them, and a run short enough (tens of milliseconds) that the writes queued behind its
hold on the database's write lock hardly notice."""
GATHER = 0.5
"""Seconds the worker lets events gather before a run: a run costs about as much for one
customer as for a hundred, so under load many share one (nobody reads a stale profile
meanwhile: a reader computes a waiting customer's own)."""
MARGIN = timedelta(minutes=10)
"""How far before the last full run the start-up catch-up looks: an event stamped just
before that run began may have committed after it read."""


@dataclass(eq=False)
class _Queue:
    """One application's waiting customers, the ones being recalculated, and its worker."""

    app: App
    waiting: set[int] = field(default_factory=set)
    running: frozenset[int] = frozenset()
    catching_up: bool = False
    """The customers with events since the last full run are to be looked up and queued."""
    worker: threading.Thread | None = None
    hurry: bool = False
    """Somebody waits for the queue to finish: no more gathering."""
    scored: bool = False
    """A run has finished in this process: the bounds every customer is scored against
    exist (the first event's run scores everyone, so nobody is read before it is done)."""
    changed: threading.Condition = field(default_factory=threading.Condition)

    def add(self, customer_ids: Collection[int], *, catch_up: bool = False) -> None:
        with self.changed:
            self.waiting.update(customer_ids)
            self.catching_up |= catch_up
            if len(self.waiting) >= BATCH:
                self.changed.notify_all()
            if self.worker is None and (self.waiting or self.catching_up):
                self.worker = threading.Thread(
                    target=self._work, name="loyalty-recalculation", daemon=True
                )
                self.worker.start()

    def pending(self, customer_ids: Collection[int]) -> set[int]:
        """Those of ``customer_ids`` whose stored profile does not yet count every event."""
        with self.changed:
            return {i for i in customer_ids if i in self.waiting or i in self.running}

    def _take(self) -> list[int]:
        with self.changed:
            self.changed.wait_for(lambda: self.hurry or len(self.waiting) >= BATCH, GATHER)
            catching_up = self.catching_up
        found = self._customers_with_events() if catching_up else []
        with self.changed:
            self.waiting.update(found)
            self.catching_up &= not catching_up  # cleared once what it found is waiting
            ids = sorted(self.waiting)[:BATCH]
            self.waiting.difference_update(ids)
            self.running = frozenset(ids)
            if not ids:
                self.worker, self.hurry = None, False
            self.changed.notify_all()
            return ids

    def _work(self) -> None:
        from rapport.plugins.loyalty.service import recalculate

        try:
            while ids := self._take():
                try:
                    recalculate(self.app, ids)
                    self.scored = True
                except Exception as exc:  # reported; the others waiting still get theirs
                    self.app.hooks.report_failure("loyalty", "recalculation", exc)
        finally:
            with self.changed:  # however it ended, nobody waits for this worker any more
                if self.worker is threading.current_thread():
                    self.worker, self.running, self.hurry = None, frozenset(), False
                    self.changed.notify_all()

    def _customers_with_events(self) -> list[int]:
        """Everyone with an event since the last full run (less :data:`MARGIN`); nobody
        before the first one, which the first event starts."""
        from rapport.plugins.loyalty.service import full_run_at

        closed = DealRow.status.in_((StageOutcome.WON.value, StageOutcome.LOST.value))
        try:
            with UnitOfWork(self.app, read_only=True) as uow:
                last = full_run_at(uow.session)
                if last is None:
                    return []
                since = last - MARGIN
                return list(
                    uow.session.scalars(
                        union(
                            select(InteractionRow.customer_id).where(
                                InteractionRow.created_at >= since
                            ),
                            select(DealRow.customer_id).where(closed, DealRow.updated_at >= since),
                        )
                    )
                )
        except Exception as exc:
            self.app.hooks.report_failure("loyalty", "catching up at start", exc)
            return []

    def first_run(self) -> bool:
        """Whether the first run, which may score everyone, is still to finish."""
        with self.changed:
            return not self.scored and self.worker is not None

    def finish(self) -> None:
        """Wait until everyone waiting now is recalculated; not for those queued meanwhile,
        or a steady stream of events would keep the caller waiting for ever."""
        with self.changed:
            due = self.waiting | self.running
            while self.worker is not None and (
                self.catching_up or not due.isdisjoint(self.waiting | self.running)
            ):
                self.hurry = True
                self.changed.notify_all()
                self.changed.wait()


_QUEUES: weakref.WeakKeyDictionary[App, _Queue] = weakref.WeakKeyDictionary()
_CREATING = threading.Lock()


def _queue(app: App) -> _Queue:
    queue = _QUEUES.get(app)
    if queue is None:
        with _CREATING:
            queue = _QUEUES.get(app)
            if queue is None:
                queue = _QUEUES[app] = _Queue(app)
                app.hooks.on_close("loyalty", queue.finish)
    return queue


def defer(app: App, customer_ids: Collection[int]) -> None:
    """Recalculate these customers soon, off the caller's thread."""
    _queue(app).add(customer_ids)


def pending(app: App, customer_ids: Collection[int]) -> set[int]:
    """Those of ``customer_ids`` still waiting for (or in) a recalculation. The first run
    in a process may score everyone (no bounds stored yet), so a reader outside a unit
    of work waits for it."""
    queue = _QUEUES.get(app)
    if queue is None:
        return set()
    if queue.first_run() and not in_unit_of_work(app):
        queue.finish()
    return queue.pending(customer_ids)


def settle(app: App) -> None:
    """Finish the queue before reading every profile (a report). Inside a unit of work the
    worker could need the write lock this thread holds: the profiles stay as stored."""
    queue = _QUEUES.get(app)
    if queue is not None and not in_unit_of_work(app):
        queue.finish()


def catch_up(app: App) -> None:
    """At start, queue every customer with an event since the last full run: the ones a
    process killed with a queue left behind (the others are recalculated to the same).
    The worker looks them up, so the start does not wait for it."""
    _queue(app).add((), catch_up=True)
