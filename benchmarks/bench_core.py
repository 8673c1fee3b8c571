"""Core throughput: customers with interactions through the service layer, and hook cost.

Prints, for each database:
  * use cases per second through the service layer (create_customer + log_interaction,
    one transaction each, as the bot does), next to a baseline measured in the same run:
    the same rows written with bare SQLAlchemy ORM, one transaction each, with no
    validation, hooks or audit log;
and once:
  * the cost of one hook call with twenty plugins registered, through Rapport's typed
    wrapper (which isolates each plugin), next to a bare pluggy call.
Each figure ends with the goal it serves (issue 18) and a plain verdict.

Usage: python benchmarks/bench_core.py [--customers N] [--postgres URL] [--threads T]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.verdicts import verdict
from rapport import hookimpl
from rapport.core.bootstrap import App, build_app
from rapport.core.db.engine import make_engine
from rapport.core.db.migrate import upgrade
from rapport.core.db.tables import CustomerRow, InteractionRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.hooks import Hooks
from rapport.core.plugins import make_plugin_manager
from rapport.core.services.customers import create_customer
from rapport.core.services.interactions import log_interaction
from rapport.core.services.pipelines import ensure_default_pipeline
from rapport.core.services.users import actor_for, add_user
from rapport.core.settings import Settings
from rapport.testing.databases import empty_database

HOOK_PLUGINS = 20
HOOK_GOAL_US = 10.0
HOOK_GOAL_RATIO = 1.4
SQLITE_GOAL_PER_S = 1_000
GOAL_RATIO = 0.5


def fresh_app(url: str, without: tuple[str, ...] = ()) -> App:
    """The application with its built-in plugins (less ``without``), on a freshly migrated
    database."""
    settings = Settings(database_url=url, plugins={"disabled": list(without)})
    app = build_app(settings, load_entry_points=False, check_schema=False)
    upgrade(app.engine, app.migrations)
    ensure_default_pipeline(app)
    return app


def service_layer(url: str, customers: int, threads: int) -> float:
    app = fresh_app(url)
    admin = actor_for(
        add_user(app, Actor.system(), {"display_name": "Bench", "role": "admin"}), Channel.BOT
    )

    def one(n: int) -> None:
        customer = create_customer(
            app,
            admin,
            {"name": f"Customer {n}", "phones": [f"+7 912 {n % 1000:03d} {n % 100:02d} 00"]},
        )
        log_interaction(app, admin, {"customer_id": customer.id, "kind": "call", "summary": "hi"})

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(customers)))
    app.close()  # inside the time: it finishes the plugins' work queued meanwhile (loyalty)
    elapsed = time.perf_counter() - started
    return 2 * customers / elapsed


def bare_orm(url: str, customers: int, threads: int) -> float:
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)

    def one(n: int) -> None:
        with Session(engine) as session:
            row = CustomerRow(
                kind="organisation",
                name=f"Customer {n}",
                search_text="",
                phones=[],
                emails=[],
                status="prospect",
                fields={},
                archived=False,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.commit()
            customer_id = row.id
        with Session(engine) as session:
            session.add(
                InteractionRow(
                    customer_id=customer_id,
                    kind="call",
                    direction="outbound",
                    summary="hi",
                    occurred_at=now,
                    fields={},
                    created_at=now,
                )
            )
            session.commit()

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(customers)))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return 2 * customers / elapsed


def hook_cost(plugins: int = HOOK_PLUGINS, calls: int = 20_000) -> tuple[float, float]:
    """Microseconds per call: (bare pluggy, Rapport's wrapper), ``plugins`` implementations."""

    def make_plugin() -> object:
        class Listener:
            @hookimpl
            def after_customer_created(self, customer: object) -> None:
                return None

        return Listener()

    plugin_set = make_plugin_manager(
        extra=[(f"p{i}", make_plugin()) for i in range(plugins)], load_entry_points=False
    )
    hooks = Hooks(plugin_set.manager)
    bare = plugin_set.manager.hook.after_customer_created
    args = {"app": None, "customer": object(), "actor": None}

    def per_call(fn) -> float:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(calls):
                fn()
            runs.append((time.perf_counter() - started) / calls * 1e6)
        return statistics.median(runs)

    return (
        per_call(lambda: bare(**args)),
        per_call(lambda: hooks.after_customer_created(**args)),  # type: ignore[arg-type]
    )


def postgres_database(server: str) -> tuple[str, Callable[[], None]]:
    """A new empty database on the server, and how to drop it when the run is done."""
    stack = ExitStack()
    return stack.enter_context(empty_database(server, prefix="rapport_bench")), stack.close


ROUNDS = 3
"""The service layer and the bare ORM take turns, a third of the customers each time, on
fresh databases: on a shared machine a load swing then hits both sides of the ratio."""


def report(label: str, url_for, customers: int, threads: int) -> None:
    per_round = max(1, customers // ROUNDS)
    seconds = {"service": 0.0, "bare": 0.0}
    for _ in range(ROUNDS):
        for kind, run in (("service", service_layer), ("bare", bare_orm)):
            url, cleanup = url_for(kind)
            seconds[kind] += 2 * per_round / run(url, per_round, threads)
            cleanup()
    service, bare = (2 * per_round * ROUNDS / seconds[kind] for kind in ("service", "bare"))
    total = per_round * ROUNDS
    print(f"{label}: {total} customers + {total} interactions, {threads} thread(s), "
          f"{ROUNDS} alternating rounds")  # fmt: skip
    print(f"  service layer : {service:10.0f} use cases/s")
    print(f"  bare ORM      : {bare:10.0f} inserts/s (baseline: no validation, hooks, audit)")
    print(f"  ratio         : {service / bare:10.2f} x baseline")
    if label == "SQLite":
        verdict(f">= {SQLITE_GOAL_PER_S} use cases/s and >= {GOAL_RATIO} x bare ORM",
                service >= SQLITE_GOAL_PER_S and service / bare >= GOAL_RATIO)  # fmt: skip
    else:
        verdict(f">= {GOAL_RATIO} x bare ORM", service / bare >= GOAL_RATIO)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--postgres", help="server URL; a scratch database is created on it")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:

        def sqlite_url(kind: str):
            path = Path(folder) / f"{kind}.db"

            def remove() -> None:  # the next round starts on a fresh file
                for leftover in path.parent.glob(f"{kind}.db*"):
                    leftover.unlink()

            return f"sqlite:///{path}", remove

        report("SQLite", sqlite_url, options.customers, options.threads)
    if options.postgres:
        report(
            "PostgreSQL",
            lambda kind: postgres_database(options.postgres),
            options.customers,
            options.threads,
        )

    bare, wrapped = hook_cost()
    print(f"Hook call with {HOOK_PLUGINS} plugins registered (after_customer_created):")
    print(f"  Rapport hooks : {wrapped:8.2f} µs/call (each plugin isolated)")
    print(f"  bare pluggy   : {bare:8.2f} µs/call (baseline)")
    print(f"  ratio         : {wrapped / bare:8.2f} x bare pluggy")
    # The goal's 10 µs stood against 7 µs for bare pluggy: on a loaded machine, the ratio.
    verdict(f"<= {HOOK_GOAL_US:g} µs/call (or <= {HOOK_GOAL_RATIO:g} x bare pluggy)",
            wrapped <= HOOK_GOAL_US or wrapped / bare <= HOOK_GOAL_RATIO)  # fmt: skip


if __name__ == "__main__":
    main()
