"""People talking to the real bot: typing, tapping buttons, sharing contacts and places.

The real aiogram ``Dispatcher`` built by the Telegram adapter runs on a
:class:`~rapport.testing.recording.RecordingSession`, so a test reads what the bot sent
(texts, buttons, photos) without any network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import Contact, Location, Update, User

from rapport.adapters.telegram.bot import build_bot, build_dispatcher
from rapport.adapters.telegram.updates import Updates
from rapport.testing.recording import BOT, RecordingSession

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
"""A token of the shape aiogram checks; it never leaves the process."""


class Chat:
    """Registered people (by Telegram id) talking to one bot instance.

    ``await chat.say(1002, "/card 7")``, ``await chat.tap(1002, "Call done")``, then read
    ``chat.replies(1002)`` or ``chat.session.sent(1002)`` for the photos and buttons.
    """

    def __init__(
        self, app: App, session: RecordingSession | None = None, storage: BaseStorage | None = None
    ) -> None:
        self.session = session or RecordingSession()
        self.bot = build_bot(TOKEN, session=self.session, throttle=False)
        self.dispatcher = build_dispatcher(app, storage=storage or MemoryStorage())
        self.updates = Updates(BOT)

    def person(self, telegram_id: int, language: str = "en") -> User:
        return User(
            id=telegram_id, is_bot=False, first_name=f"User{telegram_id}", language_code=language
        )

    async def feed(self, update: Update) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    async def say(self, telegram_id: int, text: str, language: str = "en") -> None:
        """Type ``text`` (a leading ``/word`` is a command, as in Telegram)."""
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
        """Any other message content: ``photo=[...]``, ``document=...``, ``voice=...``."""
        await self.feed(self.updates.message(self.person(telegram_id), **content))

    async def press(self, telegram_id: int, data: str) -> None:
        """Press a button carrying ``data`` (a forged one too: the bot must check it)."""
        await self.feed(self.updates.press(self.person(telegram_id), data))

    async def tap(self, telegram_id: int, label: str) -> None:
        """Press the button whose label contains ``label`` under the last message with buttons."""
        buttons = dict(self.session.buttons(telegram_id))
        matches = [data for text, data in buttons.items() if label in text]
        assert matches, f"no button {label!r} among {list(buttons)}"
        await self.press(telegram_id, matches[0])

    def replies(self, telegram_id: int) -> list[str]:
        """What the bot sent this person, oldest first: message texts and photo captions."""
        return self.session.texts(telegram_id)

    def photos(self, telegram_id: int) -> list[SendPhoto]:
        return [m for m in self.session.sent(telegram_id) if isinstance(m, SendPhoto)]

    def messages(self, telegram_id: int) -> list[SendMessage]:
        return [m for m in self.session.sent(telegram_id) if isinstance(m, SendMessage)]
