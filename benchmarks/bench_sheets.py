"""Sheet sync at scale: 10k deals against the local Sheets API stand-in (in a process of its
own, as Google is), with real gspread.

Prints seconds and API requests for the first full sync and for a cycle with 50 edits
on each side (the manager's in the sheet, the reps' in the CRM): as ``rapport run`` runs
it, in a process that has read the sheet before (the goal), and as ``rapport sync`` runs
it, in a process of its own; then a poll with nothing new. Next to a baseline measured in
the same run: a naive loop writing the same rows one gspread call per row.

Usage: python benchmarks/bench_sheets.py [--deals N] [--edits N]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from multiprocessing.managers import BaseManager
from pathlib import Path

import gspread
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import fresh_app
from benchmarks.seed import insert_customers, insert_reps
from benchmarks.verdicts import verdict
from rapport.adapters.sheets.backends.google import GoogleBook, drive_version
from rapport.adapters.sheets.engine import sync
from rapport.adapters.sheets.polling import Poller
from rapport.core.bootstrap import App, build_app
from rapport.core.db.tables import DealRow
from rapport.core.domain.actor import Actor
from rapport.core.services.deals import update_deal
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.users import add_user
from tests.adapters.sheets_standin import Standin, session_to

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def populate(app, deals: int) -> list[int]:
    [pipeline] = list_pipelines(app)
    add_user(app, Actor.system(), {"display_name": "Manager", "role": "admin"})  # the editor
    with app.engine.begin() as connection:
        users = insert_reps(connection, 10, NOW)
        customers = insert_customers(connection, 1000, NOW, status="prospect")
        stage = pipeline.stages[0]
        connection.execute(insert(DealRow), [
            {"title": f"Deal {n}", "customer_id": customers[n % len(customers)],
             "owner_id": users[n % len(users)], "pipeline_id": pipeline.id, "stage_id": stage.id,
             "status": "open", "amount": Decimal(1000 + n), "currency": "RUB",
             "stage_entered_at": NOW, "fields": {}, "version": 1, "created_at": NOW,
             "updated_at": NOW}
            for n in range(deals)])  # fmt: skip
        return list(connection.scalars(select(DealRow.id)))


class RemoteStandin(BaseManager):
    """The Sheets API stand-in in a process of its own, as Google's servers are: its work
    answering (a grid of 10k rows turned to JSON) is neither this process's CPU nor held
    up by its interpreter lock, and it runs on the other core."""


RemoteStandin.register("Standin", Standin, exposed=("add", "edit", "taken", "address", "close"))


def count(standin: Standin) -> str:
    served = standin.taken()
    reads = sum(1 for method, _ in served if method == "GET")
    return f"{reads} reads + {len(served) - reads} writes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=50)
    options = parser.parse_args()
    remote = RemoteStandin()
    remote.start()
    standin = remote.Standin()
    standin.add("bench")
    address = standin.address()
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(f"sqlite:///{Path(folder) / 'sheets.db'}")
        ids = populate(app, options.deals)

        def book() -> GoogleBook:
            return GoogleBook(gspread.Client(auth=None, session=session_to(address)), "bench")

        started = time.perf_counter()
        sync(app, book())
        first = time.perf_counter() - started
        print(f"Sheet sync of {options.deals} deals, Google backend against the stand-in:")
        print(f"  first full sync          : {first:7.2f} s, {count(standin)}")
        sync(app, book())  # the next cycle of `rapport run`: it has read the sheet since
        rng = random.Random(5)

        def edited_cycle(cycle_app: App, amount: str) -> tuple[float, str]:
            for deal_id in rng.sample(ids, options.edits):
                standin.edit("bench", "Deals", deal_id, "Amount", amount)
            for deal_id in rng.sample(ids, options.edits):
                update_deal(app, Actor.system(), deal_id, {"title": f"Changed {amount} {deal_id}"})
            standin.taken()
            started = time.perf_counter()
            report = sync(cycle_app, book())
            took = time.perf_counter() - started
            return took, f"{count(standin)} ({report.updated} applied from the sheet)"

        edits, said = edited_cycle(app, "777")
        print(f"  {options.edits} edits on each side   : {edits:7.2f} s, {said}")
        alone = build_app(app.settings, load_entry_points=False)  # as a new process finds it
        cold, said = edited_cycle(alone, "778")
        alone.close()
        print(f"  ... in a process of its own: {cold:7.2f} s, {said} (`rapport sync`)")
        client = gspread.Client(auth=None, session=session_to(address))
        poller = Poller(app, lambda: drive_version(client, "bench"), lambda: sync(app, book()),
                        time.monotonic)  # fmt: skip
        while poller.poll() is not None:  # as `rapport run` polls: until a cycle finds nothing
            pass
        standin.taken()
        started = time.perf_counter()
        skipped = poller.poll() is None
        quiet = time.perf_counter() - started
        print(f"  no-change poll           : {quiet:7.3f} s, {count(standin)}"
              f"{'' if skipped else ' (ran in full)'}")  # fmt: skip
        verdict("first full sync < 3 s", first < 3)
        verdict("50-edit cycle of `rapport run` < 0.5 s", edits < 0.5)
        verdict("no-change poll: at most 1 cheap request, < 0.3 s", skipped and quiet < 0.3)
        standin.add("naive")
        sheet = gspread.Client(auth=None, session=session_to(address)).open_by_key("naive")
        worksheet = sheet.add_worksheet("Deals", options.deals + 10, 20)
        standin.taken()
        started = time.perf_counter()
        for row, deal_id in enumerate(ids, start=2):
            worksheet.update([[deal_id, f"Deal {deal_id}", "Lead", 1000 + row]], f"A{row}")
        naive = time.perf_counter() - started
        print(
            f"  baseline, row by row     : {naive:7.2f} s, {count(standin)} "
            f"(the first sync is {naive / first:.1f}x faster)"
        )
        app.close()
    standin.close()
    remote.shutdown()


if __name__ == "__main__":
    main()
