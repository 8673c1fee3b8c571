"""Sales reports over 100k deals with 1M stage changes, on SQLite and PostgreSQL.

Prints seconds per report (funnel, stage durations and bottleneck, weighted forecast,
win rate by rep, top customers, lost reasons), each computed by the database, next to
a baseline measured in the same run: reading the same stage changes into Python, which
is what a report would cost before it computed anything if it did not use SQL.
``sales.durations`` is held to its goal (issue 18: under 2 s on SQLite, 1 s on PostgreSQL
at 100k deals / 1M changes), and run at each size given, to show it grows linearly.

Usage: python benchmarks/bench_sales.py [--deals N [N ...]] [--million] [--changes-per-deal K]
                                        [--postgres URL]
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
from benchmarks.verdicts import verdict
from rapport.core.db.tables import CustomerRow, DealRow, StageChangeRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import StageOutcome
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork

REPORTS = ("sales.funnel", "sales.durations", "sales.forecast", "sales.reps",
           "sales.top_customers", "sales.lost_reasons")  # fmt: skip
CHUNK = 20_000
GOAL_DEALS = 100_000
DURATIONS_GOAL_S = {"SQLite": 2.0, "PostgreSQL": 1.0}


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


def measure(label: str, url: str, deals: int, per_deal: int) -> float:
    """Every report over ``deals`` deals; answers the seconds ``sales.durations`` took."""
    app = fresh_app(url)
    started = time.perf_counter()
    populate(app, deals, per_deal, random.Random(7))
    if app.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: statistics for the planner, and the rows
        # marked visible, so the first report is not the one that pays for it.
        with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    print(
        f"{label}: {deals} deals, {deals * per_deal} stage changes "
        f"(loaded in {time.perf_counter() - started:.0f} s)"
    )
    admin = Actor.system()
    took: dict[str, float] = {}
    for report_id in REPORTS:
        spec = app.registry.reports[report_id]
        started = time.perf_counter()
        report = spec.build(app, admin, {})
        report.picture()  # drawn, as the bot sends it
        took[report_id] = elapsed = time.perf_counter() - started
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
    durations = took["sales.durations"]
    print(f"  {'ratio':<22}: {durations / baseline:7.2f} x baseline (sales.durations)")
    if deals == GOAL_DEALS:
        goal = DURATIONS_GOAL_S[label]
        verdict(f"sales.durations < {goal:g} s at {GOAL_DEALS} deals", durations < goal)
    app.close()
    return durations


def scaling(label: str, figures: dict[int, float], per_deal: int) -> None:
    """``sales.durations`` per million stage changes at each size: flat when linear."""
    if len(figures) < 2:
        return
    print(f"{label}: sales.durations scaling")
    for deals, seconds in figures.items():
        per_million = seconds / (deals * per_deal) * 1e6
        print(f"  {deals:>9} deals : {seconds:7.2f} s  ({per_million:6.2f} s per 1M changes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, nargs="+", default=[10_000, GOAL_DEALS])
    parser.add_argument("--million", action="store_true", help="also 1M deals (10M changes)")
    parser.add_argument("--changes-per-deal", type=int, default=10)
    parser.add_argument("--postgres", help="server URL; a scratch database is created on it")
    options = parser.parse_args()
    sizes = [*options.deals, *([1_000_000] if options.million else [])]
    per_deal = options.changes_per_deal
    figures: dict[int, float] = {}
    for deals in sizes:
        with tempfile.TemporaryDirectory() as folder:
            figures[deals] = measure("SQLite", f"sqlite:///{Path(folder) / 'sales.db'}", deals,
                                     per_deal)  # fmt: skip
    scaling("SQLite", figures, per_deal)
    if options.postgres:
        figures = {}
        for deals in sizes:
            url, drop = postgres_database(options.postgres)
            try:
                figures[deals] = measure("PostgreSQL", url, deals, per_deal)
            finally:
                drop()
        scaling("PostgreSQL", figures, per_deal)


if __name__ == "__main__":
    main()
