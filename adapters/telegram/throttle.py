"""Telegram's sending limits, kept for every call the bot makes.

About one message a second per chat (a short burst is fine), twenty a minute per group
and thirty a second overall: beyond that Telegram answers 429 with ``retry_after``.
Each send waits for its turn here, and a 429 is waited out exactly as long as Telegram
asks and tried again, so a morning digest to the whole team arrives whole, not half.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramRetryAfter

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)
RETRIES = 5


class Bucket:
    """A token bucket: ``rate`` sends a second, ``burst`` at once."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = burst, clock()

    def delay(self) -> float:
        """Take a token; how long to wait before using it."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class Throttle(BaseRequestMiddleware):
    """Paces sends per chat and overall, and retries after a 429."""

    def __init__(
        self,
        per_second: float = 30,
        per_chat: float = 1,
        chat_burst: float = 3,
        group_per_minute: float = 20,
        sleep: Callable[[float], Any] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sleep, self.clock = sleep, clock
        self.overall = Bucket(per_second, per_second, clock)
        self.per_chat, self.chat_burst, self.group_rate = per_chat, chat_burst, group_per_minute
        self.chats: dict[int | str, Bucket] = {}
        self.lock = asyncio.Lock()

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
        async with self.lock:  # waits are computed in order, then slept concurrently
            bucket = self.chats.get(chat)
            if bucket is None:
                group = isinstance(chat, int) and chat < 0
                rate, burst = (
                    (self.group_rate / 60, 3.0) if group else (self.per_chat, self.chat_burst)
                )
                bucket = self.chats[chat] = Bucket(rate, burst, self.clock)
                if len(self.chats) > 10_000:  # forget idle chats
                    self.chats.pop(next(iter(self.chats)))
            wait = max(bucket.delay(), self.overall.delay())
        if wait > 0:
            await self.sleep(wait)
