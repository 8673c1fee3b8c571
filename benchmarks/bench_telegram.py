"""The bot under load: 10k updates from 100 reps through the real aiogram dispatcher.

Every update goes through everything a real one does (handled-once bookkeeping, the
user lookup, the handler, the service layer on SQLite, the reply), over a recording Bot
API session instead of the network. The reps work at once, each in order, as aiogram
handles updates concurrently. Prints updates per second and the p50/p99 handling
latency, next to a bare aiogram echo bot measured in the same run on the same session.

Usage: python benchmarks/bench_telegram.py [--reps N] [--updates N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiogram import Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Contact, Message, Update, User

sys.path.insert(0, str(Path(__file__).parents[1]))

from benchmarks.bench_core import fresh_app
from rapport.adapters.telegram.bot import build_bot, build_dispatcher
from rapport.adapters.telegram.updates import Updates
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.services.customers import create_customers
from rapport.core.services.users import actor_for, add_user
from rapport.testing.chat import TOKEN
from rapport.testing.recording import BOT, RecordingSession

FIRST_REP = 100_000


def rep_user(telegram_id: int) -> User:
    return User(id=telegram_id, is_bot=False, first_name="Rep")


class Traffic:
    """What reps send all day: searches, cards, notes, call outcomes, new contacts."""

    def __init__(self) -> None:
        self.updates = Updates(BOT)

    def contact(self, rep: User, n: int) -> Update:
        phone = f"+7912{rep.id % 1000:03d}{n:04d}"
        contact = Contact(phone_number=phone, first_name=f"Shop {n}")
        return self.updates.message(rep, contact=contact)

    def day(self, telegram_id: int, customers: list[int], count: int) -> list[Update]:
        rep = rep_user(telegram_id)
        updates = []
        for n in range(count):
            customer = customers[n % len(customers)]
            step = n % 5
            if step == 0:
                updates.append(self.updates.text(rep, "/find Shop"))
            elif step == 1:
                updates.append(self.updates.text(rep, f"/card {customer}"))
            elif step == 2:
                updates.append(
                    self.updates.text(rep, f"Visited, talked about the spring order {n}")
                )
            elif step == 3:
                updates.append(self.updates.press(rep, f"l:call:{customer}:reached"))
            else:
                updates.append(self.contact(rep, n))
        return updates


async def drive(dispatcher: Dispatcher, bot: Any, days: list[list[Update]]) -> list[float]:
    """Each rep's updates in order, all reps at once; the handling time of each update."""
    latencies: list[float] = []

    async def rep(updates: list[Update]) -> None:
        for update in updates:
            started = time.perf_counter()
            await dispatcher.feed_update(bot, update)
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(rep(updates) for updates in days))
    return latencies


def echo_bot() -> Dispatcher:
    dispatcher = Dispatcher(storage=MemoryStorage())

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    return dispatcher


def figures(label: str, latencies: list[float], seconds: float) -> float:
    ordered = sorted(latencies)
    p50, p99 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]
    rate = len(latencies) / seconds
    print(f"  {label:<22}: {rate:8.0f} updates/s, p50 {p50 * 1000:6.1f} ms, "
          f"p99 {p99 * 1000:6.1f} ms")  # fmt: skip
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--updates", type=int, default=10_000)
    args = parser.parse_args()
    per_rep = max(1, args.updates // args.reps)
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(f"sqlite:///{folder}/bench.db")
        admin = Actor.system()
        days, traffic = [], Traffic()
        for n in range(args.reps):
            user = add_user(app, admin, {"display_name": f"Rep {n}", "role": "rep",
                                         "telegram_id": FIRST_REP + n})  # fmt: skip
            rep = actor_for(user, Channel.BOT)
            batch = [{"name": f"Shop {n}-{k}", "owner_id": user.id} for k in range(5)]
            customers = [c.id for c in create_customers(app, rep, batch).done]
            days.append(traffic.day(FIRST_REP + n, customers, per_rep))
        total = sum(len(d) for d in days)
        print(f"The bot, {total} updates from {args.reps} reps (SQLite, recording session):")

        session = RecordingSession()
        bot = build_bot(TOKEN, session=session, throttle=False)
        started = time.perf_counter()
        latencies = asyncio.run(drive(build_dispatcher(app, MemoryStorage()), bot, days))
        rapport = figures("Rapport bot", latencies, time.perf_counter() - started)
        replies = len(session.sent())

        echo_days = [[traffic.updates.text(rep_user(FIRST_REP + n), "hello")
                      for _ in range(per_rep)] for n in range(args.reps)]  # fmt: skip
        started = time.perf_counter()
        latencies = asyncio.run(drive(echo_bot(), bot, echo_days))
        echo = figures("baseline, echo bot", latencies, time.perf_counter() - started)
        print(f"  {replies} replies sent; the Rapport bot handles {rapport / echo:.2f}x "
              "the echo bot's rate (x baseline)")  # fmt: skip
        app.close()


if __name__ == "__main__":
    main()
