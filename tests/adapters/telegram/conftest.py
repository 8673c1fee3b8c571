"""A real aiogram Dispatcher on a recording session, and people who talk to it."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Contact, Location, Update, User

from rapport.adapters.telegram.bot import build_bot, build_dispatcher
from rapport.adapters.telegram.updates import Updates
from tests.adapters.telegram.recording import BOT, RecordingSession

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"


class Phones:
    """People typing, tapping and sharing, turned into the updates Telegram would send."""

    def __init__(
        self, app: Any, session: RecordingSession, storage: BaseStorage | None = None
    ) -> None:
        self.session = session
        self.bot = build_bot(TOKEN, session=session, throttle=False)
        self.dispatcher = build_dispatcher(app, storage=storage or MemoryStorage())
        self.updates = Updates(BOT)

    def person(self, telegram_id: int, language: str = "en") -> User:
        return User(
            id=telegram_id, is_bot=False, first_name=f"User{telegram_id}", language_code=language
        )

    async def feed(self, update: Update) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    async def say(self, telegram_id: int, text: str, language: str = "en") -> None:
        await self.feed(self.updates.text(self.person(telegram_id, language), text))

    def contact_update(
        self, telegram_id: int, phone: str, first_name: str, last_name: str = ""
    ) -> Update:
        contact = Contact(phone_number=phone, first_name=first_name, last_name=last_name or None)
        return self.updates.message(self.person(telegram_id), contact=contact)

    async def share_contact(
        self, telegram_id: int, phone: str, first_name: str, last_name: str = ""
    ) -> None:
        await self.feed(self.contact_update(telegram_id, phone, first_name, last_name))

    async def share_location(self, telegram_id: int, latitude: float, longitude: float) -> None:
        location = Location(latitude=latitude, longitude=longitude)
        await self.feed(self.updates.message(self.person(telegram_id), location=location))

    async def send(self, telegram_id: int, **content: Any) -> None:
        await self.feed(self.updates.message(self.person(telegram_id), **content))

    async def press(self, telegram_id: int, data: str) -> None:
        await self.feed(self.updates.press(self.person(telegram_id), data))

    async def tap(self, telegram_id: int, label: str) -> None:
        """Press the button with this label under the last message that has buttons."""
        buttons = dict(self.session.buttons(telegram_id))
        matches = [data for text, data in buttons.items() if label in text]
        assert matches, f"no button {label!r} among {list(buttons)}"
        await self.press(telegram_id, matches[0])


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def chat(app, team, session) -> Phones:
    return Phones(app, session)
