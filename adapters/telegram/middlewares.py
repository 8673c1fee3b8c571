"""What runs before every handler: each update once, and only for registered people.

Handlers receive ``who`` (the user, their actor on the ``bot`` channel, their language
and time zone), so no handler can forget the access check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from sqlalchemy.exc import IntegrityError

from rapport.adapters.telegram.i18n import Translator, pick_language
from rapport.adapters.telegram.tables import HandledUpdateRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.domain.models import User
from rapport.core.domain.values import zone_or
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import actor_for, user_by_telegram_id

if TYPE_CHECKING:
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


class OncePerUpdate(BaseMiddleware):
    """Skip an update another delivery (or another instance) has handled already."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        first = await asyncio.to_thread(self._claim, data["bot"].id, event.update_id)
        return await handler(event, data) if first else None

    def _claim(self, bot_id: int, update_id: int) -> bool:
        try:
            with UnitOfWork(self.app) as uow:
                uow.session.add(
                    HandledUpdateRow(bot_id=bot_id, update_id=update_id, at=self.app.clock())
                )
                uow.commit()
        except IntegrityError:
            return False
        return True


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
