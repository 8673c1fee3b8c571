"""Loyalty at scale: 100k customers, 1M interactions, 200k deals, on SQLite and PostgreSQL.

Prints the time of the nightly recalculation (value, segments, strategies for everyone;
the goal is well under a minute) and of one incremental update after an event (the goal
is milliseconds), next to a baseline measured in the same run: only reading the raw
interactions and deals into Python, which any approach outside SQL would start with.

Usage: python benchmarks/bench_loyalty.py [--customers N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import fresh_app, postgres_database
from benchmarks.seed import insert_customers, insert_reps
from rapport.core.db.tables import DealRow, InteractionRow
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.loyalty.service import recalculate

NOW = datetime(2026, 9, 1, tzinfo=UTC)
TOPICS = (None, None, None, "price", "new_products", "joint_work", "complaint")
CHUNK = 20_000


def populate(app, customers: int, rng: random.Random) -> None:
    [pipeline] = list_pipelines(app)
    won = next(s for s in pipeline.stages if s.key == "won")
    lost = next(s for s in pipeline.stages if s.key == "lost")
    with app.engine.begin() as connection:
        users = insert_reps(connection, 50, NOW)
        ids = insert_customers(connection, customers, NOW, owners=users)
        deals, interactions = [], []
        for _ in range(customers * 2):
            closed = NOW - timedelta(days=rng.randrange(1, 700))
            stage = won if rng.random() < 0.7 else lost
            deals.append(
                {
                    "title": "Order",
                    "customer_id": rng.choice(ids),
                    "owner_id": rng.choice(users),
                    "pipeline_id": pipeline.id,
                    "stage_id": stage.id,
                    "status": stage.outcome.value,
                    "amount": Decimal(rng.randrange(1, 2000) * 100),
                    "currency": "RUB",
                    "lost_reason": "competitor" if stage is lost else None,
                    "stage_entered_at": closed,
                    "closed_at": closed,
                    "fields": {"discount_percent": 5} if rng.random() < 0.2 else {},
                    "version": 1,
                    "created_at": closed,
                    "updated_at": closed,
                }
            )
        for start in range(0, len(deals), CHUNK):
            connection.execute(insert(DealRow), deals[start : start + CHUNK])
        for _ in range(customers * 10):
            topic = rng.choice(TOPICS)
            interactions.append(
                {
                    "customer_id": rng.choice(ids),
                    "kind": rng.choice(("call", "visit", "request")),
                    "direction": "outbound",
                    "summary": "",
                    "author_id": rng.choice(users),
                    "occurred_at": NOW - timedelta(days=rng.randrange(1, 400)),
                    "fields": {"topic": topic} if topic else {},
                    "created_at": NOW,
                    "duration_minutes": rng.choice((None, 10, 30)),
                }
            )
            if len(interactions) == CHUNK:
                connection.execute(insert(InteractionRow), interactions)
                interactions = []
        if interactions:
            connection.execute(insert(InteractionRow), interactions)  # fmt: skip


def measure(label: str, url: str, customers: int) -> None:
    app = fresh_app(url)
    app.clock = lambda: NOW
    started = time.perf_counter()
    populate(app, customers, random.Random(11))
    print(
        f"{label}: {customers} customers, {customers * 10} interactions, {customers * 2} deals "
        f"(loaded in {time.perf_counter() - started:.0f} s)"
    )
    started = time.perf_counter()
    count = recalculate(app)
    nightly = time.perf_counter() - started
    print(f"  nightly recalculation     : {nightly:7.2f} s  ({count} customers)")
    timings = []
    for customer_id in random.Random(3).sample(range(1, customers + 1), 50):
        started = time.perf_counter()
        recalculate(app, [customer_id])
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  incremental, one customer : {statistics.median(timings):7.1f} ms median, "
        f"{max(timings):.1f} ms worst of 50"
    )
    started = time.perf_counter()
    with UnitOfWork(app, read_only=True) as uow:
        rows = len(
            uow.session.execute(
                select(
                    InteractionRow.customer_id,
                    InteractionRow.kind,
                    InteractionRow.occurred_at,
                    InteractionRow.fields,
                )
            ).all()
        )
        rows += len(
            uow.session.execute(
                select(DealRow.customer_id, DealRow.status, DealRow.amount, DealRow.closed_at)
            ).all()
        )
    baseline = time.perf_counter() - started
    print(
        f"  baseline                  : {baseline:7.2f} s  (reading the {rows} rows into Python; "
        f"the nightly run takes {nightly / baseline:.1f}x that)"
    )
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--postgres", help="server URL; a scratch database is created on it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'loyalty.db'}", options.customers)
    if options.postgres:
        url, drop = postgres_database(options.postgres)
        try:
            measure("PostgreSQL", url, options.customers)
        finally:
            drop()


if __name__ == "__main__":
    main()
