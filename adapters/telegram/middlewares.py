"""What runs before every handler: each update once, and only for registered people.

Handlers receive ``who`` (the user, their actor on the ``bot`` channel, their language
and time zone), so no handler can forget the access check.

"Once" is a claim on the update's id that only one delivery wins: a key set with
``SET NX EX`` when Redis is configured (several instances share it; a round trip, no
database write), else a row in ``telegram_handled_updates`` inserted in its own short
transaction (the primary key refuses the second). The sender is read as the update is
claimed, in the same trip to a database thread: each update reads its person once, as
stored now, so a role, a language or a closed access changed anywhere (the CLI, another
instance) applies to the very next update, with no cache to go stale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram.types import User as TelegramUser
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from rapport.adapters.telegram.i18n import Translator, pick_language
from rapport.adapters.telegram.tables import HandledUpdateRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.domain.models import User
from rapport.core.domain.values import zone_or
from rapport.core.services.users import actor_for, user_by_telegram_id

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from rapport.core.bootstrap import App

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
T = TypeVar("T")
SENDER = "rapport_sender"
"""Where the claim leaves the update's sender for the handlers' middleware: the Rapport
user, or None for a stranger."""


@dataclass(frozen=True)
class Who:
    """The person behind an update, as the handlers need them."""

    app: App
    user: User
    actor: Actor
    _: Translator
    zone: ZoneInfo
    state: FSMContext


class Claims(Protocol):
    """Who handles an update: the first to claim its id."""

    async def claim(
        self, bot_id: int, update_id: int, then: Callable[[], T]
    ) -> tuple[bool, T | None]:
        """``(True, then())`` for the first claim of this update, ``(False, None)`` for
        every later one; ``then`` (blocking work the update needs first) runs in the same
        trip to a database thread as the claim."""
        ...


class DatabaseClaims:
    """A row per handled update; the table is shared by every instance on the database."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def claim(
        self, bot_id: int, update_id: int, then: Callable[[], T]
    ) -> tuple[bool, T | None]:
        return await asyncio.to_thread(self._claim, bot_id, update_id, then)

    def _claim(self, bot_id: int, update_id: int, then: Callable[[], T]) -> tuple[bool, T | None]:
        return (True, then()) if self._insert(bot_id, update_id) else (False, None)

    def _insert(self, bot_id: int, update_id: int) -> bool:
        row = {"bot_id": bot_id, "update_id": update_id, "at": self.app.clock()}
        try:
            with self.app.engine.begin() as connection:  # one INSERT, nothing else to track
                connection.execute(insert(HandledUpdateRow), row)
        except IntegrityError:
            return False
        return True


class RedisClaims:
    """A key per handled update in the Redis every instance shares, kept as long as
    Telegram may still redeliver the update (a day) and then some."""

    KEEP_SECONDS = 2 * 24 * 3600

    def __init__(self, redis: Redis, prefix: str = "rapport:update") -> None:
        self.redis, self.prefix = redis, prefix

    async def claim(
        self, bot_id: int, update_id: int, then: Callable[[], T]
    ) -> tuple[bool, T | None]:
        key = f"{self.prefix}:{bot_id}:{update_id}"
        if not await self.redis.set(key, 1, nx=True, ex=self.KEEP_SECONDS):
            return False, None
        return True, await asyncio.to_thread(then)


Resolver = Callable[["App", int], User | None]


class OncePerUpdate(BaseMiddleware):
    """Skip an update another delivery (or another instance) has handled already; read
    the sender of one that is new."""

    def __init__(self, claims: Claims, app: App, resolve: Resolver = user_by_telegram_id) -> None:
        self.claims, self.app, self.resolve = claims, app, resolve

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        sender = _sender(event)
        first, user = await self.claims.claim(
            data["bot"].id, event.update_id, partial(self._user, sender)
        )
        if not first:
            return None
        data[SENDER] = user
        return await handler(event, data)

    def _user(self, sender: TelegramUser | None) -> User | None:
        return None if sender is None or sender.is_bot else self.resolve(self.app, sender.id)


def _sender(update: Update) -> TelegramUser | None:
    """Who sent a message or pressed a button (the updates the bot handles)."""
    event = update.message or update.callback_query
    return event.from_user if event is not None else None


class RegisteredOnly(BaseMiddleware):
    """Let a registered, active sender through; a stranger only gets to redeem an invite."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender = getattr(event, "from_user", None)
        if sender is None or sender.is_bot:
            return None
        user: User | None = data.get(SENDER)
        language = pick_language(
            user.language if user else None, sender.language_code, self.app.settings.language
        )
        _ = Translator(language)
        data["_"], data["app"] = _, self.app
        if user is not None and user.active:
            zone = zone_or(user.timezone, self.app.settings.timezone)
            actor = actor_for(user, Channel.BOT).model_copy(update={"language": language})
            data["who"] = Who(self.app, user, actor, _, zone, data["state"])
            return await handler(event, data)
        if user is None and isinstance(event, Message) and (event.text or "").startswith("/start"):
            return await handler(event, data)  # the invite handler, for newcomers only
        if user is not None:
            text = _("Your access to Rapport was closed. Ask your admin if this is a mistake.")
        else:
            text = _(
                "Rapport is for registered team members. Ask your admin for an invite "
                "link, or give them your Telegram id: {id}",
                id=sender.id,
            )
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text)
        return None
