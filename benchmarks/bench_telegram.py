"""The bot under load: reps' everyday updates through the real aiogram dispatcher.

Every update goes through everything a real one does (the handled-once claim, the user
lookup and role checks, the handler, the service layer on SQLite with its audit, the
plugins' hooks, the reply), over a recording Bot API session instead of the network.
The application is started as ``rapport run`` starts it (async plugin work on the loop,
the name index warmed in the background) and its plugin work is drained inside the
measurement, so what runs after the reply is counted too. The process is pinned to one
core. Each goal of issue 18 is printed with its figure, a bare aiogram echo bot's figure
measured in the same run, the ratio and a verdict, at each number of customers:

* CPU per update: 100 reps sending at once, each in order (find, card, call outcome,
  note, shared contact), process CPU time over the updates handled;
* latency at 50 updates/s offered (open loop: an update arrives on time whether or not
  the earlier ones are done), p50/p90/p99/max from arrival to the last reply;
* the first search after start: the name index is built in the background at start-up,
  its build time is printed, then the first search;
* reminder delivery through the real throttle from three instances (sharing Redis when
  one answers at ``RAPPORT_BENCH_REDIS_URL``, else one process): the most sends in any
  second and the shortest gap between two sends to one chat.

Usage: python benchmarks/bench_telegram.py [--reps N] [--updates N] [--sizes 1000,10000]
       [--seconds S] [--reminders N] [--without loyalty]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import TelegramMethod
from aiogram.types import Contact, Message, Update, User

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import fresh_app
from benchmarks.seed import insert_customers
from rapport.adapters.telegram.bot import build_bot, build_dispatcher
from rapport.adapters.telegram.delivery import send
from rapport.adapters.telegram.throttle import Throttle
from rapport.adapters.telegram.updates import Updates
from rapport.core.bootstrap import App
from rapport.core.domain.actor import Actor
from rapport.core.services.users import add_user
from rapport.plugins.loyalty.service import recalculate
from rapport.testing.chat import TOKEN
from rapport.testing.recording import BOT, RecordingSession

FIRST_REP = 100_000
CPU_GOAL_MS, P99_GOAL_MS, OFFERED, FIRST_SEARCH_GOAL_S = 3.3, 50.0, 50, 0.3
OVERALL_GOAL, CHAT_GAP_GOAL = 25, 1.0
FLAT = 1.5  # CPU per update at the most customers over the fewest: "flat" below this
TELEGRAM_OVERALL, TELEGRAM_CHAT_GAP = 30, 1.0
SYLLABLES = ("ka", "lo", "mi", "ro", "sa", "ne", "tu", "vi", "do", "pe", "ra", "zo",
             "li", "ba", "go", "ni", "sh", "ter", "mon", "vel")  # fmt: skip


def shop_name(n: int) -> str:
    """Names as varied as real shops' ("Kamiro Nesaka"), so a search matches a few."""
    word = [SYLLABLES[(n // 20**k) % 20] for k in range(4)]
    return f"{word[0]}{word[1]}{word[2]} {word[3]}{word[1]}{word[0]}".title()


def rep_user(telegram_id: int) -> User:
    return User(id=telegram_id, is_bot=False, first_name="Rep")


class Traffic:
    """What reps send all day: searches, cards, call outcomes with a note, new contacts."""

    def __init__(self) -> None:
        self.updates = Updates(BOT)
        self.contacts = itertools.count()

    def update(self, rep: User, customer: tuple[int, str], n: int) -> Update:
        step = n % 5
        if step == 0:
            return self.updates.text(rep, f"/find {customer[1]}")
        if step == 1:
            return self.updates.text(rep, f"/card {customer[0]}")
        if step == 2:
            return self.updates.press(rep, f"l:call:{customer[0]}:reached")
        if step == 3:  # the note the bot asked for after the call
            return self.updates.text(rep, f"Talked about the spring order {n}")
        phone = f"+7912{next(self.contacts):07d}"
        return self.updates.message(rep, contact=Contact(phone_number=phone, first_name="Shop"))

    def day(
        self, telegram_id: int, customers: Sequence[tuple[int, str]], count: int
    ) -> list[Update]:
        """A rep's updates in order; reps start at different steps (never at the note,
        which follows a call), so at any moment some search while others add contacts."""
        rep, start = rep_user(telegram_id), (0, 1, 2, 4)[telegram_id % 4]
        return [self.update(rep, customers[(n // 5) % len(customers)], n)
                for n in range(start, start + count)]  # fmt: skip

    def echo_day(self, telegram_id: int, count: int) -> list[Update]:
        return [self.updates.text(rep_user(telegram_id), "hello") for _ in range(count)]


@dataclass
class Team:
    """A started application with its reps' customers, and its dispatcher."""

    app: App
    dispatcher: Dispatcher
    customers: list[list[tuple[int, str]]]  # per rep: (id, name)
    index_seconds: float


async def started_team(
    folder: str, customers: int, reps: int, bot: Bot, without: tuple[str, ...] = ()
) -> Team:
    app = fresh_app(f"sqlite:///{folder}/bench-{customers}.db", without)
    owners = []
    for n in range(reps):
        user = add_user(app, Actor.system(), {"display_name": f"Rep {n}", "role": "rep",
                                              "telegram_id": FIRST_REP + n})  # fmt: skip
        owners.append(user.id)
    with app.engine.begin() as connection:  # the customers of the months before today
        insert_customers(connection, customers, app.clock() - timedelta(days=30),
                         owners=owners, name=shop_name)  # fmt: skip
    if "loyalty" not in without:
        recalculate(app)  # last night's loyalty run
    per_rep: list[list[tuple[int, str]]] = [[] for _ in range(reps)]
    for n in range(min(customers, reps * 5)):  # each rep works with a few of their own
        per_rep[n % reps].append((n + 1, shop_name(n)))
    dispatcher = build_dispatcher(app, MemoryStorage())
    started = time.perf_counter()
    await app.start()  # as `rapport run`: the name index is built in the background
    await dispatcher.emit_startup(bot=bot, **dispatcher.workflow_data)
    from rapport.plugins.contacts.hooks import _WARMING

    await _WARMING[app]
    return Team(app, dispatcher, per_rep, time.perf_counter() - started)


Feed = Callable[[Update], Awaitable[None]]


async def closed_loop(
    feed: Feed, days: list[list[Update]], drain: Callable[[], Awaitable[None]]
) -> float:
    """Every rep at once, each in order; CPU seconds per update, plugin work included."""

    async def rep(updates: list[Update]) -> None:
        for update in updates:
            await feed(update)

    cpu = time.process_time()
    await asyncio.gather(*(rep(updates) for updates in days))
    await drain()
    return (time.process_time() - cpu) / sum(len(d) for d in days)


async def open_loop(feed: Feed, days: list[list[Update]], rate: float) -> list[float]:
    """Updates arriving at ``rate`` a second, reps in turn, whether or not earlier ones are
    done; each one's time from arrival to handled."""
    arrivals = [u for batch in itertools.zip_longest(*days) for u in batch if u is not None]
    latencies: list[float] = []
    start = time.perf_counter()

    async def one(update: Update, due: float) -> None:
        await feed(update)
        latencies.append(time.perf_counter() - due)

    tasks = []
    for n, update in enumerate(arrivals):
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(update, due)))
    await asyncio.gather(*tasks)
    return latencies


def echo_bot() -> Dispatcher:
    dispatcher = Dispatcher(storage=MemoryStorage())

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    return dispatcher


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def goal(name: str, figure: float, baseline: float, unit: str, meets: bool) -> None:
    ratio = figure / baseline if baseline else float("inf")
    verdict = "meets" if meets else "MISSES"
    print(f"  goal {name}: {figure:.3g} {unit}; baseline {baseline:.3g} {unit}; "
          f"{ratio:.2f}x baseline; {verdict}")  # fmt: skip


def distribution(label: str, latencies: Sequence[float]) -> float:
    p99 = percentile(latencies, 0.99) * 1000
    print(f"    {label:<10}: p50 {percentile(latencies, 0.5) * 1000:6.1f} ms, "
          f"p90 {percentile(latencies, 0.9) * 1000:6.1f} ms, p99 {p99:6.1f} ms, "
          f"max {max(latencies) * 1000:6.1f} ms ({len(latencies)} updates)")  # fmt: skip
    return p99


async def measure_size(folder: str, customers: int, args: argparse.Namespace) -> float:
    """The goals that depend on the data, at one number of customers; CPU ms per update."""
    session = RecordingSession()
    bot = build_bot(TOKEN, session=session, throttle=False)
    team = await started_team(folder, customers, args.reps, bot, tuple(args.without))
    traffic, per_rep = Traffic(), max(5, args.updates // args.reps)
    without = f", without {', '.join(args.without)}" if args.without else ""
    print(f"{customers} customers, {args.reps} reps (SQLite, recording session, one core"
          f"{without}):")  # fmt: skip
    print(f"  name index built in the background at start in {team.index_seconds:.2f} s")
    first = team.customers[0][0]
    started = time.perf_counter()
    await team.dispatcher.feed_update(bot, traffic.updates.text(rep_user(FIRST_REP),
                                                                f"/find {first[1]}"))  # fmt: skip
    searched = time.perf_counter() - started
    goal("first search after start", searched, FIRST_SEARCH_GOAL_S, "s (the goal)",
         searched < FIRST_SEARCH_GOAL_S)  # fmt: skip

    async def rapport(update: Update) -> None:
        await team.dispatcher.feed_update(bot, update)

    echo_dispatcher = echo_bot()

    async def echo(update: Update) -> None:
        await echo_dispatcher.feed_update(bot, update)

    async def nothing() -> None:
        pass

    days = [traffic.day(FIRST_REP + n, team.customers[n], per_rep) for n in range(args.reps)]
    sent = len(session.calls)
    cpu = await closed_loop(rapport, days, team.app.hooks.drain)
    replies = len(session.calls) - sent
    echo_days = [traffic.echo_day(FIRST_REP + n, per_rep) for n in range(args.reps)]
    echo_cpu = await closed_loop(echo, echo_days, nothing)
    print(f"  CPU per update: Rapport {cpu * 1000:.2f} ms, echo {echo_cpu * 1000:.3f} ms "
          f"({sum(map(len, days))} updates each, {replies} calls to the Bot API)")  # fmt: skip
    goal("CPU per CRM update", cpu * 1000, CPU_GOAL_MS, "ms (the goal)", cpu * 1000 <= CPU_GOAL_MS)
    print(f"    the same against the echo bot: {cpu / echo_cpu:.1f}x baseline")

    count = max(5, round(args.seconds * OFFERED))
    load = [traffic.day(FIRST_REP + n, team.customers[n], max(1, count // args.reps))
            for n in range(args.reps)]  # fmt: skip
    print(f"  latency at {OFFERED} updates/s offered, {args.reps} reps:")
    p99 = distribution("Rapport", await open_loop(rapport, load, OFFERED))
    await team.app.hooks.drain()
    echo_load = [traffic.echo_day(FIRST_REP + n, max(1, count // args.reps))
                 for n in range(args.reps)]  # fmt: skip
    echo_p99 = distribution("echo", await open_loop(echo, echo_load, OFFERED))
    goal("p99 at 50 updates/s", p99, echo_p99, "ms", p99 < P99_GOAL_MS)
    await team.dispatcher.emit_shutdown(bot=bot, **team.dispatcher.workflow_data)
    await team.app.stop()
    team.app.close()
    return cpu * 1000


class Stamped(RecordingSession):
    """A recording session that notes when each call reached "Telegram"."""

    def __init__(self, sends: list[tuple[float, int]]) -> None:
        super().__init__()
        self.sends = sends

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.sends.append((time.monotonic(), int(getattr(method, "chat_id", 0))))
        return await super().make_request(bot, method, timeout)


async def _redis() -> Any:
    """The benchmark's Redis, or None; keys under a prefix of this run, removed after."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    redis = Redis.from_url(os.environ.get("RAPPORT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    try:
        await redis.ping()
    except (RedisError, OSError):
        await redis.aclose()
        return None
    return redis


async def delivery(reminders: int) -> None:
    """Reminders to a team's chats through the bot's throttle, from three instances."""
    redis = await _redis()
    instances = 3 if redis is not None else 1
    prefix = f"bench:{uuid.uuid4().hex}"
    sends: list[tuple[float, int]] = []
    bots = []
    for _ in range(instances):
        bot = build_bot(TOKEN, session=Stamped(sends), throttle=False)
        bot.session.middleware(Throttle(redis=redis, prefix=prefix))
        bots.append(bot)
    chats = max(1, reminders // 3)  # three reminders for each chat
    where = "sharing Redis" if redis else "one process: no Redis to share"
    print(f"Reminder delivery: {reminders} to {chats} chats from {instances} instance(s) "
          f"({where}):")  # fmt: skip
    started = time.monotonic()
    await asyncio.gather(*(send(bots[n % instances], FIRST_REP + n % chats, f"reminder {n}")
                           for n in range(reminders)))  # fmt: skip
    elapsed = time.monotonic() - started
    if redis is not None:
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
    times = sorted(at for at, _chat in sends)
    busiest = max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))
    gaps = [b[0] - a[0] for chat in {c for _t, c in sends}
            for a, b in itertools.pairwise(sorted(s for s in sends if s[1] == chat))]  # fmt: skip
    shortest = min(gaps, default=float("inf"))
    print(f"  {len(sends)} sent in {elapsed:.1f} s; first second: "
          f"{sum(1 for t in times if t < times[0] + 1.0)} sends")  # fmt: skip
    goal("most sends in any second", busiest, TELEGRAM_OVERALL, "sends (Telegram's limit)",
         busiest <= OVERALL_GOAL)  # fmt: skip
    goal("shortest gap in one chat", shortest, TELEGRAM_CHAT_GAP, "s (Telegram's limit)",
         shortest >= CHAT_GAP_GOAL)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--updates", type=int, default=2_000, help="in the CPU measurement")
    parser.add_argument("--sizes", default="1000,10000,100000", help="numbers of customers")
    parser.add_argument("--seconds", type=float, default=10, help="of load at 50 updates/s")
    parser.add_argument("--reminders", type=int, default=75)
    parser.add_argument("--without", action="append", default=[], metavar="PLUGIN",
                        help="run with this plugin disabled (to see what it costs)")  # fmt: skip
    parser.add_argument("--all-cores", dest="one_core", action="store_false",
                        help="do not pin the process to one core")  # fmt: skip
    args = parser.parse_args()
    if args.one_core and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # "one core"
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"The bot, {args.updates} updates from {args.reps} reps, per number of customers:")
    cpu = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            cpu[size] = asyncio.run(measure_size(folder, size, args))
    if len(sizes) > 1:
        spread = max(cpu.values()) / min(cpu.values())
        shape = "flat" if spread < FLAT else "NOT flat"
        each = ", ".join(f"{s} customers {c:.2f} ms" for s, c in cpu.items())
        print(f"Scaling, CPU per update: {each}; largest/smallest {spread:.2f}x ({shape})")
    asyncio.run(delivery(args.reminders))


if __name__ == "__main__":
    main()
