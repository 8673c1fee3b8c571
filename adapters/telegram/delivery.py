"""Notifications from the scheduler and the services, to the person's chat.

The running bot registers itself here; a notification while no bot runs (the CLI, a
sync) is left undelivered, and the core offers it again later.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import AiogramError

from rapport.adapters.telegram.keyboards import options_keyboard
from rapport.adapters.telegram.replies import send_text
from rapport.adapters.telegram.running import RUNNING
from rapport.adapters.telegram.texts import plain
from rapport.adapters.telegram.throttle import notifying
from rapport.core.extensions import Notification
from rapport.core.services.users import get_user

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)


async def deliver(app: App, notification: Notification) -> bool | None:
    bot = RUNNING.get(app)
    if bot is None:
        return None
    user = await asyncio.to_thread(get_user, app, notification.user_id)
    if user.telegram_id is None or not user.active:
        return None
    return await send(bot, user.telegram_id, notification.text, notification.options)


async def announce(app: App, text: str) -> bool:
    """A message to the team's group chat, when one is configured and a bot runs."""
    bot, chat = RUNNING.get(app), app.settings.telegram.team_chat_id
    if bot is None or chat is None:
        return False
    return await send(bot, chat, text)


async def send(
    bot: Bot, chat_id: int, text: str, options: tuple[tuple[str, str], ...] = ()
) -> bool:
    try:
        with notifying():  # paced as a notification: one a second per chat, no burst
            await send_text(bot, chat_id, plain(text), options_keyboard(options))
    except AiogramError as exc:  # blocked the bot, left the group: not ours to fix
        log.warning("could not deliver to chat %s: %s", chat_id, exc)
        return False
    return True
