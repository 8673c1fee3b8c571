"""Sales reports over 100k deals with 1M stage changes, on SQLite and PostgreSQL.

Prints seconds per report (funnel, stage durations and bottleneck, weighted forecast,
win rate by rep, top customers, lost reasons), each computed by the database, next to
a baseline measured in the same run: reading the same stage changes into Python, which
is what a report would cost before it computed anything if it did not use SQL.

Usage: python benchmarks/bench_sales.py [--deals N] [--changes-per-deal K] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import fresh_app, postgres_database
from rapport.core.db.tables import CustomerRow, DealRow, StageChangeRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import StageOutcome
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork

REPORTS = ("sales.funnel", "sales.durations", "sales.forecast", "sales.reps",
           "sales.top_customers", "sales.lost_reasons")  # fmt: skip
CHUNK = 20_000


def populate(app, deals: int, per_deal: int, rng: random.Random) -> None:
    """Bulk rows straight into the tables: the benchmark measures reports, not inserts."""
    [pipeline] = list_pipelines(app)
    open_stages = [s for s in pipeline.stages if s.outcome is StageOutcome.OPEN]
    won = next(s for s in pipeline.stages if s.outcome is StageOutcome.WON)
    lost = next(s for s in pipeline.stages if s.outcome is StageOutcome.LOST)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with app.engine.begin() as connection:
        users = [{"display_name": f"Rep {n}", "role": "rep", "team": "north", "active": True,
                  "created_at": start} for n in range(20)]  # fmt: skip
        connection.execute(insert(UserRow), users)
        user_ids = list(connection.scalars(select(UserRow.id)))
        customers = [{"kind": "organisation", "name": f"Customer {n}", "search_text": "",
                      "phones": [], "emails": [], "status": "prospect", "fields": {},
                      "archived": False, "version": 1, "created_at": start, "updated_at": start}
                     for n in range(deals // 10)]  # fmt: skip
        connection.execute(insert(CustomerRow), customers)
        customer_ids = list(connection.scalars(select(CustomerRow.id)))
    deal_rows, change_rows = [], []
    for n in range(1, deals + 1):
        created = start + timedelta(minutes=rng.randrange(0, 600 * 24 * 60))
        expected = (created + timedelta(days=rng.randrange(10, 300))).date()
        reason = rng.choice(("price", "competitor", "no budget"))
        at, position = created, 0
        path = [open_stages[0]]
        for _ in range(per_deal - 2):
            position = max(0, min(len(open_stages) - 1, position + rng.choice((-1, 1, 1, 2))))
            path.append(open_stages[position])
        final = rng.choices((won, lost, open_stages[position]), weights=(3, 4, 3))[0]
        path.append(final)
        previous = None
        for stage in path:
            change_rows.append(
                {
                    "deal_id": n,
                    "from_stage_id": previous,
                    "to_stage_id": stage.id,
                    "changed_at": at,
                    "actor_id": None,
                    "channel": "system",
                }
            )
            previous, at = stage.id, at + timedelta(hours=rng.randrange(1, 24 * 20))
        closed = final.outcome is not StageOutcome.OPEN
        deal_rows.append({
            "id": n, "title": f"Deal {n}", "customer_id": rng.choice(customer_ids),
            "owner_id": rng.choice(user_ids), "pipeline_id": pipeline.id, "stage_id": final.id,
            "status": final.outcome.value, "amount": Decimal(rng.randrange(1, 5000) * 100),
            "currency": "RUB", "expected_close": expected,
            "lost_reason": reason if final is lost else None,
            "stage_entered_at": at, "closed_at": at if closed else None, "fields": {}, "version": 1,
            "created_at": created, "updated_at": at,
        })  # fmt: skip
    with app.engine.begin() as connection:
        for offset in range(0, len(deal_rows), CHUNK):
            connection.execute(insert(DealRow), deal_rows[offset : offset + CHUNK])
        for offset in range(0, len(change_rows), CHUNK):
            connection.execute(insert(StageChangeRow), change_rows[offset : offset + CHUNK])


def measure(label: str, url: str, deals: int, per_deal: int) -> None:
    app = fresh_app(url)
    started = time.perf_counter()
    populate(app, deals, per_deal, random.Random(7))
    print(
        f"{label}: {deals} deals, {deals * per_deal} stage changes "
        f"(loaded in {time.perf_counter() - started:.0f} s)"
    )
    admin = Actor.system()
    for report_id in REPORTS:
        spec = app.registry.reports[report_id]
        started = time.perf_counter()
        report = spec.build(app, admin, {})
        elapsed = time.perf_counter() - started
        print(f"  {report_id:<22}: {elapsed:7.2f} s  ({len(report.rows)} rows, chart included)")
    started = time.perf_counter()
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.execute(
            select(StageChangeRow.deal_id, StageChangeRow.to_stage_id, StageChangeRow.changed_at)
        ).all()
    baseline = time.perf_counter() - started
    print(
        f"  {'baseline':<22}: {baseline:7.2f} s  (only reading {len(rows)} stage changes "
        "into Python, before computing anything)"
    )
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--changes-per-deal", type=int, default=10)
    parser.add_argument("--postgres", help="server URL; a scratch database is created on it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(
            "SQLite",
            f"sqlite:///{Path(folder) / 'sales.db'}",
            options.deals,
            options.changes_per_deal,
        )
    if options.postgres:
        url, drop = postgres_database(options.postgres)
        try:
            measure("PostgreSQL", url, options.deals, options.changes_per_deal)
        finally:
            drop()


if __name__ == "__main__":
    main()
