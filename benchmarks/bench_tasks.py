"""Tasks at scale: 100k scheduled tasks, 10k reminders falling due in one tick.

Prints how long claiming and dispatching the due reminders take (claimed in batches
with one UPDATE ... RETURNING each, FOR UPDATE SKIP LOCKED on PostgreSQL, and queued in
the outbox, by three instances at once, each with its own engine, as three processes
would; then sent one by one, each marked sent in its own commit) and checks that each
reminder was claimed and sent exactly once, next to a baseline measured in the same run:
claiming the same reminders one row at a time, one transaction each. Claiming is held
to the goal of issue 18 (10k reminders in under 2 s, three instances at once).

Usage: python benchmarks/bench_tasks.py [--tasks N] [--due N] [--instances N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, insert, select, update

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import postgres_database
from benchmarks.seed import insert_customers, insert_reps
from benchmarks.verdicts import verdict
from rapport import hookimpl
from rapport.core.bootstrap import build_app
from rapport.core.db.migrate import upgrade
from rapport.core.services.outbox import deliver_queued
from rapport.core.services.pipelines import ensure_default_pipeline
from rapport.core.services.uow import UnitOfWork
from rapport.core.settings import Settings
from rapport.plugins.tasks.reminders import queue_due_reminders
from rapport.plugins.tasks.tables import TaskRow

CLAIM_GOAL_S = 2.0
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Counting:
    """An adapter that delivers instantly and counts what it was given."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    @hookimpl
    async def deliver_notification(self, notification: object) -> bool:
        self.sent[notification.text] += 1  # type: ignore[attr-defined]
        return True


def build(url: str, adapter: Counting):
    app = build_app(Settings(database_url=url), clock=lambda: NOW, load_entry_points=False,
                    check_schema=False, extra_plugins=[("counting", adapter)])  # fmt: skip
    upgrade(app.engine, app.migrations)
    ensure_default_pipeline(app)
    return app


def schedule(app, tasks: int, due: int) -> float:
    started = time.perf_counter()
    with app.engine.begin() as connection:
        users = insert_reps(connection, 50, NOW)
        customers = insert_customers(connection, 1000, NOW, kind="person")
        rows = []
        for n in range(tasks):
            remind = (
                NOW - timedelta(minutes=n % 5) if n < due else NOW + timedelta(hours=1 + n % 500)
            )
            rows.append({
                "title": f"Task {n}", "kind": "call", "customer_id": customers[n % len(customers)],
                "assignee_id": users[n % len(users)], "priority": "normal", "status": "open",
                "source": "manual", "due_at": remind + timedelta(minutes=30),
                "remind_at": remind, "created_at": NOW, "updated_at": NOW,
            })  # fmt: skip
            if len(rows) == 20_000:
                connection.execute(insert(TaskRow), rows)
                rows = []
        if rows:
            connection.execute(insert(TaskRow), rows)
    return time.perf_counter() - started


def tick(apps: list) -> tuple[float, float, list[int]]:
    """Every instance claims at once; then the first one delivers what was queued."""
    started = time.perf_counter()
    with ThreadPoolExecutor(len(apps)) as pool:
        claimed = list(pool.map(queue_due_reminders, apps))
    claiming = time.perf_counter() - started
    started = time.perf_counter()
    asyncio.run(deliver_queued(apps[0]))
    return claiming, time.perf_counter() - started, claimed


def row_by_row(app) -> float:
    with UnitOfWork(app, read_only=True) as uow:
        due = list(
            uow.session.scalars(
                select(TaskRow.id).where(TaskRow.remind_at <= NOW, TaskRow.reminded_at.is_(None))
            )
        )
    started = time.perf_counter()
    for task_id in due:
        with UnitOfWork(app) as uow:
            pending = and_(TaskRow.id == task_id, TaskRow.reminded_at.is_(None))
            uow.session.execute(update(TaskRow).where(pending).values(reminded_at=NOW))
            uow.commit()
    return time.perf_counter() - started


def measure(label: str, url: str, baseline_url: str, tasks: int, due: int, instances: int) -> None:
    adapter = Counting()
    app = build(url, adapter)
    seconds = schedule(app, tasks, due)
    others = [
        build_app(Settings(database_url=url), clock=lambda: NOW, load_entry_points=False)
        for _ in range(instances - 1)
    ]
    claiming, dispatching, claimed = tick([app, *others])
    repeated = sum(1 for count in adapter.sent.values() if count > 1)
    print(f"{label}: {tasks} tasks scheduled in {seconds:.1f} s ({tasks / seconds:,.0f}/s, bulk)")
    shares = " + ".join(str(count) for count in claimed)
    print(f"  claiming {sum(claimed)} due reminders : {claiming:6.2f} s "
          f"({instances} instances at once: {shares})")  # fmt: skip
    print(f"  dispatching, one commit each: {dispatching:6.2f} s")
    once = "yes" if repeated == 0 and len(adapter.sent) == due == sum(claimed) else "NO"
    distinct = len(adapter.sent)
    print(f"  sent once each              : {once} ({distinct} distinct, {repeated} repeated)")
    for instance in [app, *others]:
        instance.close()
    baseline_app = build(baseline_url, Counting())
    schedule(baseline_app, tasks, due)
    naive = row_by_row(baseline_app)
    ratio = naive / claiming
    print(f"  baseline, row by row        : {naive:6.2f} s  (claiming only; {ratio:.1f}x slower)")
    verdict(f"claim {due} due reminders < {CLAIM_GOAL_S:g} s, {instances} instances, once each",
            claiming < CLAIM_GOAL_S and once == "yes")  # fmt: skip
    baseline_app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--postgres", help="server URL; scratch databases are created on it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(
            "SQLite",
            f"sqlite:///{Path(folder) / 'tasks.db'}",
            f"sqlite:///{Path(folder) / 'baseline.db'}",
            options.tasks,
            options.due,
            options.instances,
        )
    if options.postgres:
        url, drop = postgres_database(options.postgres)
        baseline_url, drop_baseline = postgres_database(options.postgres)
        try:
            measure("PostgreSQL", url, baseline_url, options.tasks, options.due, options.instances)
        finally:
            drop()
            drop_baseline()


if __name__ == "__main__":
    main()
