"""Sending what a command answered: text in pieces under Telegram's limit, a chart as a
photo, the follow-up options as buttons under the last piece. A picture Telegram does
not take (an API without sendPhoto, a network blip) is replaced by its text."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
)

from rapport.adapters.telegram.keyboards import options_keyboard
from rapport.adapters.telegram.texts import plain, split
from rapport.core.extensions import CommandReply

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def chat_of(event: Message | CallbackQuery) -> int:
    """The chat to answer in. A pressed button's message may be out of reach (older than
    Telegram keeps it, or an inline message): then the presser's private chat."""
    if isinstance(event, Message):
        return event.chat.id
    if event.message is not None:
        return event.message.chat.id
    return event.from_user.id


async def send_reply(
    bot: Bot, chat_id: int, reply: CommandReply, markup: Markup = None, *, html: bool = False
) -> None:
    """``html`` marks text the bot composed itself; anything else is escaped."""
    text = reply.text if html else plain(reply.text)
    keyboard = options_keyboard(reply.options) if reply.options else markup
    if reply.image_png is not None:
        photo = BufferedInputFile(reply.image_png, filename="report.png")
        captioned = len(text) <= CAPTION_LIMIT
        try:
            if captioned:
                await bot.send_photo(chat_id, photo, caption=text or None, reply_markup=keyboard)
                return
            await bot.send_photo(chat_id, photo)
        except (AiogramError, OSError) as exc:  # the picture is lost, not what it says
            log.warning("could not send a picture, sending its text: %s", exc)
    await send_text(bot, chat_id, text, keyboard)


async def send_text(bot: Bot, chat_id: int, text: str, markup: Markup = None, **extra: Any) -> None:
    pieces = split(text)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await bot.send_message(chat_id, piece, reply_markup=markup if last else None, **extra)
