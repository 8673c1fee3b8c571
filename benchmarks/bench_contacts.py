"""Contacts at scale: importing a CSV of 100k contacts, and fuzzy search, on SQLite.

Prints:
  * import: rows per second through the contacts plugin (mapping, validation, duplicate
    detection against the base and within the file, audit log), and the duplicates it
    found, next to two baselines measured in the same run: the same file parsed with the
    csv module and inserted with one SQLAlchemy Core executemany, with no checks at all;
    and reading each row's phone with phonenumbers alone (the expected ceiling); held to
    the goal of issue 18 (5k rows/s at 100k rows) and run at each size given (10k and
    100k by default, 1M with --million), to show the cost per row stays flat; with
    --postgres, the same again on PostgreSQL (a scratch database per run), which must
    scale the same;
  * search: p50 and p99 latency of fuzzy name search, phone-fragment search and e-mail
    search over the imported base, next to a baseline: a plain SQL substring search
    (LIKE) over the same customers, which finds no typos and no other script.

Usage: python benchmarks/bench_contacts.py [--rows N [N ...]] [--million] [--duplicates 0.05]
                                           [--searches N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import phonenumbers
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import fresh_app, postgres_database
from benchmarks.verdicts import verdict
from rapport.core.db.tables import CustomerRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import actor_for, add_user
from rapport.plugins.contacts.importing import ImportReport, plan_import, run_import
from rapport.plugins.contacts.search import search_customers
from rapport.plugins.contacts.tabular import read_source
from rapport.plugins.contacts.transliterate import search_key

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

GOAL_ROWS = 100_000
GOAL_RATE = 5_000

FIRST = ("Анна", "Иван", "Мария", "Пётр", "Ольга", "Дмитрий", "Елена", "Сергей", "Oksana", "Andrii",
         "Наталья", "Алексей", "Татьяна", "Юрий", "Svitlana", "Mykola")  # fmt: skip
LAST = ("Кузнецов", "Иванов", "Смирнов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков",
        "Морозов", "Петров", "Волков", "Соловьёв", "Shevchenko", "Kovalenko")  # fmt: skip
COMPANIES = ("Ромашка", "Север", "ТехноСервис", "Volga Pharma", "Nord Logistics", "Восток",
             "Альфа", "Лилия", "Уралхим", "GreenLeaf", "Київ Агро", "Меридиан")  # fmt: skip


def make_csv(rows: int, duplicate_share: float, rng: random.Random) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["ФИО", "Компания", "Телефон", "E-mail", "Регион"])
    planted = 0
    phones: list[str] = []
    for n in range(rows):
        if phones and rng.random() < duplicate_share:
            phone = rng.choice(phones)
            planted += 1
        else:
            phone = f"+79{(n * 7919 + 10**8) % 10**9:09d}"
            phones.append(phone)
        last = rng.choice(LAST)
        feminine = "а" if rng.random() < 0.5 and last[-1] in "вн" else ""
        name = f"{last}{feminine} {rng.choice(FIRST)} {n}"
        company = f"{rng.choice(COMPANIES)} {n % 2000}" if rng.random() < 0.6 else ""
        writer.writerow(
            [name, company, phone, f"client{n}@example.com", rng.choice(["North", "South"])]
        )
    return out.getvalue().encode("cp1251", errors="replace"), planted


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_admin(app: App) -> Actor:
    """The person who imports, through the CLI, as an admin would."""
    return actor_for(
        add_user(app, Actor.system(), {"display_name": "Bench", "role": "admin"}), Channel.CLI
    )


def bench_import(
    app: App, admin: Actor, baseline_app: App, data: bytes
) -> tuple[float, float, ImportReport]:
    """Rows per second of the import, as a person runs it, and of the bare baseline."""
    started = time.perf_counter()
    table = read_source(data, "contacts.csv")
    report = run_import(app, admin, plan_import(app, table))
    rate = len(table.rows) / (time.perf_counter() - started)

    started = time.perf_counter()
    reader = csv.reader(io.StringIO(data.decode("cp1251")), delimiter=";")
    next(reader)
    now = datetime.now(UTC)
    rows = [
        {
            "kind": "person",
            "name": name,
            "search_text": name.casefold(),
            "phones": [phone],
            "emails": [email],
            "status": "prospect",
            "fields": {"region": region},
            "archived": False,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for name, _company, phone, email, region in reader
    ]
    with baseline_app.engine.begin() as connection:
        connection.execute(insert(CustomerRow), rows)
    baseline = len(rows) / (time.perf_counter() - started)
    return rate, baseline, report


def phones_alone(data: bytes) -> float:
    """Rows per second reading only each row's phone, as the import must (parse, check it is
    a valid number, format it in E.164): no CRM can import faster than this."""
    reader = csv.reader(io.StringIO(data.decode("cp1251")), delimiter=";")
    next(reader)
    phones = [row[2] for row in reader]
    started = time.perf_counter()
    for raw in phones:
        number = phonenumbers.parse(raw, "RU")
        if phonenumbers.is_valid_number(number):
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return len(phones) / (time.perf_counter() - started)


def bench_search(app, admin, baseline_app, searches: int, rng: random.Random) -> None:
    with UnitOfWork(app, read_only=True) as uow:
        names = list(uow.session.scalars(select(CustomerRow.name).limit(5000)))
    search_customers(app, admin, "warm up the index")
    queries = {
        "fuzzy name (typo)": [_typo(rng.choice(names), rng) for _ in range(searches)],
        "Latin for Cyrillic": [search_key(rng.choice(names)).split()[0] for _ in range(searches)],
        "phone fragment": [f"{rng.randrange(10**4):04d}" for _ in range(searches)],
        "e-mail fragment": [f"client{rng.randrange(10**5)}@" for _ in range(searches)],
    }
    for label, texts in queries.items():
        timings = []
        for text in texts:
            started = time.perf_counter()
            search_customers(app, admin, text, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"  {label:<20}: p50 {percentile(timings, 0.5):7.2f} ms"
            f"   p99 {percentile(timings, 0.99):7.2f} ms"
        )
    timings = []
    with UnitOfWork(baseline_app, read_only=True) as uow:
        for text in queries["fuzzy name (typo)"]:
            started = time.perf_counter()
            list(
                uow.session.scalars(
                    select(CustomerRow)
                    .where(CustomerRow.search_text.contains(text.casefold()))
                    .limit(10)
                )
            )
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  {'baseline SQL LIKE':<20}: p50 {percentile(timings, 0.5):7.2f} ms   p99 "
        f"{percentile(timings, 0.99):7.2f} ms (exact substrings only)"
    )


def _typo(name: str, rng: random.Random) -> str:
    word = name.split()[0]
    position = rng.randrange(1, len(word))
    return word[:position] + word[position + 1 :]


def import_at_sizes(
    label: str,
    databases: Callable[[], tuple[str, str, Callable[[], None]]],
    sizes: list[int],
    options: argparse.Namespace,
) -> None:
    """The import at each size on one database (fresh ones each time), the goal's verdict,
    and the scaling; the fuzzy search after the largest, on SQLite."""
    rates: dict[int, float] = {}
    for size in sizes:
        rng = random.Random(2026)
        data, planted = make_csv(size, options.duplicates, rng)
        url, baseline_url, drop = databases()
        try:
            app, baseline_app = fresh_app(url), fresh_app(baseline_url)
            admin = bench_admin(app)
            rate, baseline, report = bench_import(app, admin, baseline_app, data)
            ceiling = phones_alone(data)
            rates[size] = rate
            print(f"Import of {size} contacts from CSV (cp1251, ';'), {label}:")
            print(
                f"  contacts plugin     : {rate:10.0f} rows/s, {report.created} imported, "
                f"{len(report.duplicates)} duplicates found ({planted} planted), "
                f"{len(report.failed)} refused, {report.organisations_created} organisations"
            )
            print(f"  baseline (no checks): {baseline:10.0f} rows/s")
            print(f"  ratio               : {rate / baseline:10.3f} x baseline")
            print(f"  phones alone        : {ceiling:10.0f} rows/s (phonenumbers: the ceiling)")
            print(f"  ratio               : {rate / ceiling:10.3f} x phones alone")
            if size == GOAL_ROWS:
                verdict(f">= {GOAL_RATE} rows/s at {GOAL_ROWS} rows", rate >= GOAL_RATE)
            if size == sizes[-1] and label == "SQLite":
                print(f"Search over {report.created} customers ({options.searches} queries each):")
                bench_search(app, admin, baseline_app, options.searches, rng)
            app.close()
            baseline_app.close()
        finally:
            drop()
    if len(rates) > 1:
        print(f"Import scaling on {label} (microseconds per row; flat when linear):")
        for size, rate in rates.items():
            print(f"  {size:>9} rows     : {1e6 / rate:8.1f} µs/row")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, GOAL_ROWS])
    parser.add_argument("--million", action="store_true", help="also import 1M rows")
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--postgres", help="server URL; scratch databases are created on it")
    options = parser.parse_args()
    sizes = [*options.rows, *([1_000_000] if options.million else [])]
    with tempfile.TemporaryDirectory() as folder:
        runs = iter(range(len(sizes)))

        def sqlite_files() -> tuple[str, str, Callable[[], None]]:
            run = next(runs)
            return (f"sqlite:///{Path(folder) / f'contacts{run}.db'}",
                    f"sqlite:///{Path(folder) / f'baseline{run}.db'}", lambda: None)  # fmt: skip

        import_at_sizes("SQLite", sqlite_files, sizes, options)
    if options.postgres:

        def scratch() -> tuple[str, str, Callable[[], None]]:
            (url, drop), (baseline_url, drop_baseline) = (
                postgres_database(options.postgres), postgres_database(options.postgres)
            )  # fmt: skip
            return url, baseline_url, lambda: (drop(), drop_baseline())

        import_at_sizes("PostgreSQL", scratch, sizes, options)


if __name__ == "__main__":
    main()
