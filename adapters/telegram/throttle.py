"""Telegram's sending limits, kept for every call the bot makes, by every instance.

About one message a second per chat, twenty a minute per group and thirty a second
overall: beyond that Telegram answers 429 with ``retry_after``. Each send waits here
until it fits under them (at most ``per_second`` sends in any one-second window, and a
chat's sends paced), and a 429 is waited out exactly as long as Telegram asks and tried
again, so a morning digest to the whole team arrives whole.

A chat is paced two ways. A reply to what the person just sent may come in a short
burst (a "New customer added" and the card: three in a row, one a second on average),
which Telegram allows; a notification the person did not ask for (a reminder, team
news, sent inside :func:`notifying`) waits a whole gap after the chat's last message,
so reminders due at once arrive one a second.

The limits are Telegram's per bot, not per process: with Redis configured the sends of
every instance are counted in Redis, checked and recorded by one script (one round trip,
atomic, on Redis's clock); without it the counting stays in this process, which is then
the only one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramRetryAfter

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
RETRIES = 5
SLACK = 0.05  # seconds: between the count and the request reaching Telegram, a few ms pass
WINDOW = 1.0 + SLACK  # the overall limit counts the sends in any window this long
BURST = 3  # messages a reply may send to a chat at once
KEEP = 10.0  # seconds of a chat's sends remembered: longer than any chat's window
KNOWN_CHATS = 10_000
_NOTIFYING: ContextVar[bool] = ContextVar("rapport_notifying", default=False)


@contextlib.contextmanager
def notifying() -> Iterator[None]:
    """Sends in here are notifications: no burst, a whole gap after the chat's last one."""
    token = _NOTIFYING.set(True)
    try:
        yield
    finally:
        _NOTIFYING.reset(token)


@dataclass(frozen=True)
class Pace:
    """At most ``sends`` messages to one chat in any ``window`` seconds."""

    sends: int
    window: float


def pace_for(
    chat: int | str, per_chat: float, group_per_minute: float, *, notification: bool
) -> Pace:
    """How the chat's sends are spaced: groups are slower, notifications never burst."""
    group = isinstance(chat, int) and chat < 0
    gap = SLACK + (60 / group_per_minute if group else 1 / per_chat)
    return Pace(1, gap) if notification else Pace(BURST, BURST * gap)


def _recent_wait(sent: list[float], pace: Pace, now: float) -> float:
    """How long until one more send to the chat fits its pace (sorted send times)."""
    recent = [at for at in sent if at > now - pace.window]
    if len(recent) < pace.sends:
        return 0.0
    return recent[len(recent) - pace.sends] + pace.window - now


class Limits(Protocol):
    """Where the sends are counted."""

    async def wait(self, chat: int | str, pace: Pace) -> float:
        """Record a send to ``chat`` and return 0 if it may go now; otherwise record
        nothing and return how long to wait before asking again."""
        ...


class LocalLimits:
    """The sends of this process, for a bot that runs in one."""

    def __init__(self, per_second: int, clock: Callable[[], float]) -> None:
        self.per_second, self.clock = per_second, clock
        self.sent: deque[float] = deque()
        self.chats: OrderedDict[int | str, deque[float]] = OrderedDict()  # idlest first

    async def wait(self, chat: int | str, pace: Pace) -> float:
        now = self.clock()
        while self.sent and self.sent[0] <= now - WINDOW:
            self.sent.popleft()
        chat_sent = self.chats.pop(chat, deque())
        while chat_sent and chat_sent[0] <= now - KEEP:
            chat_sent.popleft()
        self.chats[chat] = chat_sent
        wait = _recent_wait(list(chat_sent), pace, now)
        if len(self.sent) >= self.per_second:
            wait = max(wait, self.sent[0] + WINDOW - now)
        if wait > 0:
            return wait
        self.sent.append(now)
        chat_sent.append(now)
        if len(self.chats) > KNOWN_CHATS:  # forget the chat idle longest
            self.chats.popitem(last=False)
        return 0.0


# KEYS: the overall sorted set of send times, the chat's.
# ARGV: sends per window, window, the chat's sends and window, kept, a unique member
# (times in µs).
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window, chat_sends = tonumber(ARGV[2]), tonumber(ARGV[3])
local chat_window, keep = tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - keep)
local wait = 0
local recent = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. (now - chat_window), '+inf',
                          'WITHSCORES')
local n = #recent / 2
if n >= chat_sends then
  wait = tonumber(recent[(n - chat_sends) * 2 + 2]) + chat_window - now
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(first[2]) + window - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 500))
redis.call('ZADD', KEYS[2], now, ARGV[6])
redis.call('PEXPIRE', KEYS[2], math.ceil(keep / 1000))
return 0
"""


class RedisLimits:
    """The sends of every instance of the bot, counted in the Redis they share."""

    def __init__(self, redis: Redis, per_second: int, prefix: str = "rapport:sends") -> None:
        self.redis, self.per_second, self.prefix = redis, per_second, prefix
        self.script = redis.register_script(_SCRIPT)
        self.names = (f"{uuid.uuid4().hex}:{n}" for n in itertools.count())

    async def wait(self, chat: int | str, pace: Pace) -> float:
        keys = [f"{self.prefix}:all", f"{self.prefix}:chat:{chat}"]
        args: list[int | str] = [
            self.per_second,
            round(WINDOW * 1e6),
            pace.sends,
            round(pace.window * 1e6),
            round(KEEP * 1e6),
            next(self.names),
        ]
        return int(await self.script(keys=keys, args=args)) / 1e6


class Throttle(BaseRequestMiddleware):
    """Paces sends per chat and overall, and retries after a 429."""

    def __init__(
        self,
        per_second: int = 25,
        per_chat: float = 1,
        group_per_minute: float = 20,
        sleep: Callable[[float], Any] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        redis: Redis | None = None,
        prefix: str = "rapport:sends",
    ) -> None:
        self.sleep = sleep
        self.per_chat, self.group_rate = per_chat, group_per_minute
        self.limits: Limits = (
            LocalLimits(per_second, clock)
            if redis is None
            else RedisLimits(redis, per_second, prefix)
        )

    async def __call__(self, make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        chat = getattr(method, "chat_id", None)
        if chat is not None and type(method).__name__.startswith(("Send", "Copy", "Forward")):
            await self._turn(chat)
        for attempt in range(1, RETRIES + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == RETRIES:
                    raise
                log.warning(
                    "Telegram asked to wait %s s before %s", exc.retry_after, type(method).__name__
                )
                await self.sleep(exc.retry_after)
        raise AssertionError("unreachable")

    async def _turn(self, chat: int | str) -> None:
        notification = _NOTIFYING.get()
        pace = pace_for(chat, self.per_chat, self.group_rate, notification=notification)
        while (wait := await self.limits.wait(chat, pace)) > 0:
            await self.sleep(wait)
