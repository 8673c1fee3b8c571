"""What runs before every handler: each update once, and only for registered people.

Handlers receive ``who`` (the user, their actor on the ``bot`` channel, their language
and time zone), so no handler can forget the access check.

"Once" is a claim on the update's id that only one delivery wins: a key set with
``SET NX EX`` when Redis is configured (several instances share it; a round trip, no
database write), else a row in ``telegram_handled_updates`` inserted in its own short
transaction (the primary key refuses the second).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
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

    async def claim(self, bot_id: int, update_id: int) -> bool:
        """True for the first claim of this update, False for every later one."""
        ...


class DatabaseClaims:
    """A row per handled update; the table is shared by every instance on the database."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def claim(self, bot_id: int, update_id: int) -> bool:
        return await asyncio.to_thread(self._insert, bot_id, update_id)

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

    async def claim(self, bot_id: int, update_id: int) -> bool:
        key = f"{self.prefix}:{bot_id}:{update_id}"
        return bool(await self.redis.set(key, 1, nx=True, ex=self.KEEP_SECONDS))


class OncePerUpdate(BaseMiddleware):
    """Skip an update another delivery (or another instance) has handled already."""

    def __init__(self, claims: Claims) -> None:
        self.claims = claims

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        first = await self.claims.claim(data["bot"].id, event.update_id)
        return await handler(event, data) if first else None


Resolver = Callable[["App", int], User | None]


class RegisteredOnly(BaseMiddleware):
    """Resolve the sender to a Rapport user; a stranger only gets to redeem an invite."""

    def __init__(self, app: App, resolve: Resolver = user_by_telegram_id) -> None:
        self.app, self.resolve = app, resolve

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender = getattr(event, "from_user", None)
        if sender is None or sender.is_bot:
            return None
        user = await asyncio.to_thread(self.resolve, self.app, sender.id)
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
