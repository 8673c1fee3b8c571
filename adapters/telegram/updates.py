"""The updates Telegram sends when a person types, shares or taps a button.

The console chat turns what is typed in a terminal into these, so it drives the very
same dispatcher as Telegram does; the tests and the benchmark play people with them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from aiogram.types import CallbackQuery, Chat, Message, Update, User


class Updates:
    """Numbers updates and messages as one Telegram would, for one bot."""

    def __init__(self, bot: User, first: int = 1) -> None:
        self.bot = bot
        self.ids = itertools.count(first)

    def message(self, person: User, **content: Any) -> Update:
        """A message from ``person`` in their private chat: text, a contact, a location…"""
        message = Message(
            message_id=next(self.ids),
            date=datetime.now(UTC),
            chat=Chat(id=person.id, type="private"),
            from_user=person,
            **content,
        )
        return Update(update_id=next(self.ids), message=message)

    def text(self, person: User, text: str) -> Update:
        """Typed text; a leading ``/word`` is marked as a command, as Telegram does."""
        if not text.startswith("/"):
            return self.message(person, text=text)
        command = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        return self.message(person, text=text, entities=[command])

    def press(self, person: User, data: str) -> Update:
        """A tap on an inline button carrying ``data``, under one of the bot's messages."""
        shown = Message(
            message_id=next(self.ids),
            date=datetime.now(UTC),
            chat=Chat(id=person.id, type="private"),
            from_user=self.bot,
            text="…",
        )
        query = CallbackQuery(
            id=str(next(self.ids)), from_user=person, chat_instance="chat", data=data, message=shown
        )
        return Update(update_id=next(self.ids), callback_query=query)
