"""Telegram's sending limits, kept for every call the bot makes, by every instance.

About one message a second per chat, twenty a minute per group and thirty a second
overall: beyond that Telegram answers 429 with ``retry_after``. Each send waits here
until it fits under all three (at most ``per_second`` sends in any one-second window,
and a chat's sends at least its gap apart), and a 429 is waited out exactly as long as
Telegram asks and tried again, so a morning digest to the whole team arrives whole.

The limits are Telegram's per bot, not per process: with Redis configured the sends of
every instance are counted in Redis, checked and recorded by one script (one round trip,
atomic, on Redis's clock); without it the counting stays in this process, which is then
the only one.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
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
KNOWN_CHATS = 10_000


def gap_for(chat: int | str, per_chat: float, group_per_minute: float) -> float:
    """The shortest time between two sends to the chat (groups are slower)."""
    group = isinstance(chat, int) and chat < 0
    return SLACK + (60 / group_per_minute if group else 1 / per_chat)


class Limits(Protocol):
    """Where the sends are counted."""

    async def wait(self, chat: int | str, gap: float) -> float:
        """Record a send to ``chat`` and return 0 if it may go now; otherwise record
        nothing and return how long to wait before asking again."""
        ...


class LocalLimits:
    """The sends of this process, for a bot that runs in one."""

    def __init__(self, per_second: int, clock: Callable[[], float]) -> None:
        self.per_second, self.clock = per_second, clock
        self.sent: deque[float] = deque()
        self.last: OrderedDict[int | str, float] = OrderedDict()  # oldest send first

    async def wait(self, chat: int | str, gap: float) -> float:
        now = self.clock()
        while self.sent and self.sent[0] <= now - WINDOW:
            self.sent.popleft()
        last = self.last.get(chat)
        wait = 0.0 if last is None else last + gap - now
        if len(self.sent) >= self.per_second:
            wait = max(wait, self.sent[0] + WINDOW - now)
        if wait > 0:
            return wait
        self.sent.append(now)
        self.last.pop(chat, None)
        self.last[chat] = now
        if len(self.last) > KNOWN_CHATS:  # forget the chat idle longest
            self.last.popitem(last=False)
        return 0.0


# KEYS: the overall sorted set of send times, the chat's last send.
# ARGV: sends per window, window (µs), the chat's gap (µs), a unique member name.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window, gap = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local wait = 0
local last = redis.call('GET', KEYS[2])
if last then wait = tonumber(last) + gap - now end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(first[2]) + window - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 500))
redis.call('SET', KEYS[2], now, 'PX', math.ceil(gap / 1000))
return 0
"""


class RedisLimits:
    """The sends of every instance of the bot, counted in the Redis they share."""

    def __init__(self, redis: Redis, per_second: int, prefix: str = "rapport:sends") -> None:
        self.redis, self.per_second, self.prefix = redis, per_second, prefix
        self.script = redis.register_script(_SCRIPT)
        self.names = (f"{uuid.uuid4().hex}:{n}" for n in itertools.count())

    async def wait(self, chat: int | str, gap: float) -> float:
        keys = [f"{self.prefix}:all", f"{self.prefix}:chat:{chat}"]
        args: list[int | str] = [
            self.per_second,
            round(WINDOW * 1e6),
            round(gap * 1e6),
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
        gap = gap_for(chat, self.per_chat, self.group_rate)
        while (wait := await self.limits.wait(chat, gap)) > 0:
            await self.sleep(wait)
