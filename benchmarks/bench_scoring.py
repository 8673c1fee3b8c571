"""Lead scoring over 100k closed deals (and the open ones to score), on SQLite and PostgreSQL.

Prints the time of a full run (learning the factor tables from every closed deal, scoring
every open deal, writing the scores: what the nightly job and every win or loss do), of
one deal scored against the stored model (a deal opened or moved), and of reading the
scores back for a sheet, next to a baseline measured in the same run: only reading the
closed deals' factor values into Python, which learning outside SQL would start with.

Usage: python benchmarks/bench_scoring.py [--deals N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import bindparam, func, select, update

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import fresh_app, postgres_database
from benchmarks.bench_sales import populate
from rapport.core.db.tables import CustomerRow, DealRow
from rapport.core.domain.enums import StageOutcome
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.scores import recalculate_scores, rescore, scores_of

SOURCES = ("exhibition", "website", "cold call", "recommendation", "advertising")
INDUSTRIES = ("retail", "construction", "logistics", "food", "banking", "agriculture")
REGIONS = ("north", "south", "east", "west", "centre")
CHUNK = 20_000


def describe_customers(app, rng: random.Random) -> None:
    """Give every customer a source, an industry and a region: the factors to learn."""
    table = CustomerRow.__table__
    with app.engine.begin() as connection:
        ids = list(connection.scalars(select(CustomerRow.id)))
        rows = [{"cid": cid, "described": {"source": rng.choice(SOURCES),
                                           "industry": rng.choice(INDUSTRIES),
                                           "region": rng.choice(REGIONS)}}
                for cid in ids]  # fmt: skip
        statement = (
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(fields=bindparam("described"))
        )
        for start in range(0, len(rows), CHUNK):
            connection.execute(statement, rows[start : start + CHUNK])


def measure(label: str, url: str, deals: int) -> None:
    app = fresh_app(url)
    started = time.perf_counter()
    rng = random.Random(11)
    populate(app, deals, 6, rng)
    describe_customers(app, rng)
    with UnitOfWork(app, read_only=True) as uow:
        closed = uow.session.scalar(
            select(func.count()).where(DealRow.status != StageOutcome.OPEN.value)
        )
        open_ids = list(
            uow.session.scalars(select(DealRow.id).where(DealRow.status == StageOutcome.OPEN.value))
        )
    print(
        f"{label}: {closed} closed deals, {len(open_ids)} open "
        f"(loaded in {time.perf_counter() - started:.0f} s)"
    )
    started = time.perf_counter()
    scored = recalculate_scores(app)
    full = time.perf_counter() - started
    print(f"  full run (learn + score + write): {full:7.2f} s  ({scored} deals scored)")
    singles = []
    for deal_id in rng.sample(open_ids, min(20, len(open_ids))):
        started = time.perf_counter()
        rescore(app, [deal_id])
        singles.append(time.perf_counter() - started)
    print(f"  one deal against the model      : {statistics.median(singles) * 1000:7.1f} ms")
    started = time.perf_counter()
    found = scores_of(app, open_ids)
    elapsed = time.perf_counter() - started
    print(f"  scores read for a sheet         : {elapsed:7.2f} s  ({len(found)} deals)")
    started = time.perf_counter()
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.execute(
            select(DealRow.status, DealRow.owner_id, DealRow.amount, CustomerRow.fields)
            .join(CustomerRow, CustomerRow.id == DealRow.customer_id)
            .where(DealRow.status != StageOutcome.OPEN.value)
        ).all()
    baseline = time.perf_counter() - started
    print(
        f"  baseline                        : {baseline:7.2f} s  (only reading {len(rows)} "
        "closed deals' values into Python, before counting anything)"
    )
    print(f"  ratio                           : {full / baseline:7.2f} x baseline")
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=143_000, help="about 70%% of them closed")
    parser.add_argument("--postgres", help="server URL; a scratch database is created on it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{Path(folder) / 'scoring.db'}", options.deals)
    if options.postgres:
        url, drop = postgres_database(options.postgres)
        try:
            measure("PostgreSQL", url, options.deals)
        finally:
            drop()


if __name__ == "__main__":
    main()
