"""A Bot API session that records every call and answers like Telegram, for dispatcher tests.

Part of the test kit: the real aiogram Bot and Dispatcher run on top of it, so a test can say
"the bot sent a photo with this caption" or "answered the callback".
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    AnswerCallbackQuery,
    GetMe,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import Chat, Message, PhotoSize, User

BOT = User(id=42, is_bot=True, first_name="Rapport", username="rapport_test_bot")


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.failures: dict[str, list[Exception | int]] = {}  # method name -> what to raise
        self.ids = itertools.count(1)

    def fail(self, method: str, *problems: Exception | int) -> None:
        """Make the next calls of ``method`` fail: an int is a 429 with that retry_after."""
        self.failures.setdefault(method, []).extend(problems)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        name = type(method).__name__
        queue = self.failures.get(name)
        if queue:
            problem = queue.pop(0)
            if isinstance(problem, int):
                raise TelegramRetryAfter(method, "Too Many Requests", retry_after=problem)
            raise problem
        self.calls.append(method)
        if isinstance(method, GetMe):
            return BOT
        if isinstance(method, SendMessage | SendPhoto):
            chat = Chat(
                id=int(method.chat_id), type="private" if int(method.chat_id) > 0 else "group"
            )
            extra: dict[str, Any] = (
                {"text": method.text}
                if isinstance(method, SendMessage)
                else {
                    "photo": [PhotoSize(file_id="p", file_unique_id="p", width=1, height=1)],
                    "caption": method.caption,
                }
            )
            return Message(
                message_id=next(self.ids), date=datetime.now(UTC), chat=chat, from_user=BOT, **extra
            )
        if isinstance(method, AnswerCallbackQuery):
            return True
        return True  # setMyCommands, deleteWebhook, setWebhook, editMessage...

    async def close(self) -> None:
        pass

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    # --- what the tests read ------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[SendMessage | SendPhoto]:
        return [
            c
            for c in self.calls
            if isinstance(c, SendMessage | SendPhoto)
            and (chat_id is None or int(c.chat_id) == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [
            c.text if isinstance(c, SendMessage) else (c.caption or "") for c in self.sent(chat_id)
        ]

    def last(self, chat_id: int) -> SendMessage | SendPhoto:
        return self.sent(chat_id)[-1]

    def buttons(self, chat_id: int) -> list[tuple[str, str]]:
        """The inline buttons under the last message with any: (label, callback data)."""
        for call in reversed(self.sent(chat_id)):
            markup = call.reply_markup
            if markup is not None and hasattr(markup, "inline_keyboard"):
                return [
                    (b.text, b.callback_data or "") for row in markup.inline_keyboard for b in row
                ]
        return []

    def clear(self) -> None:
        self.calls.clear()


SERVER_ERROR = TelegramServerError
