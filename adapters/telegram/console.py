"""The console chat: the very same dispatcher and handlers, in a terminal, with no Telegram.

A new user tries the bot with no account and no token. What the bot sends is printed
(markup stripped); inline buttons are numbered and typing the number presses one; the
main menu's buttons are lettered. ``contact +79123456789 Name`` shares a contact and
``location 55.75 37.61`` a location. The chat acts as the CLI's person (``--as``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import sys
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import GetMe, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    Chat,
    Contact,
    InlineKeyboardMarkup,
    Location,
    Message,
    ReplyKeyboardMarkup,
    Update,
    User,
)
from sqlalchemy import func, select

from rapport.adapters.telegram.bot import build_bot, build_dispatcher
from rapport.adapters.telegram.i18n import Translator, pick_language
from rapport.adapters.telegram.i18n import lazy as _l
from rapport.adapters.telegram.middlewares import DatabaseClaims
from rapport.adapters.telegram.running import RUNNING
from rapport.adapters.telegram.tables import HandledUpdateRow
from rapport.adapters.telegram.updates import Updates
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import PermissionDenied, RapportError
from rapport.core.domain.models import User as RapportUser
from rapport.core.explain import explain
from rapport.core.logs import logs_to_file
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import find_user, get_user, list_users, user_by_telegram_id

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)
CONSOLE_ID = 1  # the console's person, as Telegram would number them
LOG_FILE = "rapport.log"  # next to rapport.toml: the conversation stays readable
BOT = User(id=0, is_bot=True, first_name="Rapport", username="rapport_console")
TOKEN = "1:console-chat-needs-no-real-token-at-all"
_TAG = re.compile(r"</?\w+[^>]*>")
_PHONE_THEN_NAME = re.compile(r"^contact\s+(?P<phone>\+?[\d\s()\-]*\d)(?:\s+(?P<name>\D.*))?$")


class ConsoleSession(BaseSession):
    """Prints what the bot sends and remembers its buttons for the next line typed."""

    def __init__(self, write: Callable[[str], Any]) -> None:
        super().__init__()
        self.write = write
        self.inline: list[str] = []  # callback data, by number
        self.menu: list[str] = []  # reply keyboard texts, by letter
        self.ids = itertools.count(1)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        if isinstance(method, GetMe):
            return BOT
        if isinstance(method, SendMessage | SendPhoto):
            text = method.text if isinstance(method, SendMessage) else (method.caption or "")
            if isinstance(method, SendPhoto):
                self.write("[picture]")
            self.write(_unhtml(text))
            self._show(method.reply_markup)
            return Message(
                message_id=next(self.ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=BOT,
                text=text,
            )
        return True

    def _show(self, markup: Any) -> None:
        """Numbers press the last message's buttons only: after a question with none, a
        number typed is its answer (a quantity, a percent), not a press of older ones."""
        if not isinstance(markup, InlineKeyboardMarkup):
            self.inline = []
        if isinstance(markup, InlineKeyboardMarkup):
            buttons = [b for row in markup.inline_keyboard for b in row]
            self.inline = [b.callback_data or "" for b in buttons]
            for number, button in enumerate(buttons, start=1):
                self.write(f"  {number}) {button.text}")
        elif isinstance(markup, ReplyKeyboardMarkup):
            self.menu = [b.text for row in markup.keyboard for b in row]
            letters = "abcdefghij"
            self.write("  " + "  ".join(f"{letters[i]}) {t}" for i, t in enumerate(self.menu)))

    async def close(self) -> None:
        pass

    def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """No files in a terminal: refused before a stream is opened."""
        raise NotImplementedError


def _unhtml(text: str) -> str:
    import html

    return html.unescape(_TAG.sub("", text))


class Console:
    """Turns typed lines into the updates Telegram would send, from one person."""

    def __init__(self, app: App, person: RapportUser, write: Callable[[str], Any]) -> None:
        self.session = ConsoleSession(write)
        self.bot = build_bot(TOKEN, session=self.session, throttle=False)

        def resolve(app: App, telegram_id: int) -> RapportUser | None:
            """The console's person as stored now: a language chosen in /settings, a
            time zone, a role changed by an admin apply to the very next line."""
            if telegram_id == CONSOLE_ID:
                return get_user(app, person.id)
            return user_by_telegram_id(app, telegram_id)

        self.dispatcher = build_dispatcher(app, resolve=resolve, claims=DatabaseClaims(app))
        self.person = User(
            id=CONSOLE_ID,
            is_bot=False,
            first_name=person.display_name,
            language_code=person.language or app.settings.language,
        )
        self.updates = Updates(BOT, _next_update_id(app, self.bot.id))

    async def type(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line.isdigit() and 0 < int(line) <= len(self.session.inline):
            await self._press(self.session.inline[int(line) - 1])
            return
        if len(line) == 1 and line in "abcdefghij"[: len(self.session.menu)]:
            line = self.session.menu["abcdefghij".index(line)]
        await self.dispatcher.feed_update(self.bot, self._update(line))

    def _update(self, line: str) -> Update:
        """``contact PHONE [NAME]`` and ``location LAT LON`` share; anything else is typed."""
        words = line.split(maxsplit=2)
        shared = _PHONE_THEN_NAME.match(line)
        if shared is not None:  # "contact +1 415 555 2671 John Smith": the number may have spaces
            phone, name = shared["phone"].strip(), (shared["name"] or "").strip()
            contact = Contact(phone_number=phone, first_name=name or phone)
            return self.updates.message(self.person, contact=contact)
        if words[0] == "location" and len(words) == 3:
            with contextlib.suppress(ValueError):
                location = Location(latitude=float(words[1]), longitude=float(words[2]))
                return self.updates.message(self.person, location=location)
        return self.updates.text(self.person, line)

    async def _press(self, data: str) -> None:
        await self.dispatcher.feed_update(self.bot, self.updates.press(self.person, data))


def _next_update_id(app: App, bot_id: int) -> int:
    """After the last update any earlier console session had handled: every update is
    handled once, so a restarted chat numbering from 1 again would be ignored."""
    with UnitOfWork(app, read_only=True) as uow:
        last = uow.session.scalar(
            select(func.max(HandledUpdateRow.update_id)).where(HandledUpdateRow.bot_id == bot_id)
        )
    return (last or 0) + 1


def console_person(app: App, wanted: str | None = None) -> RapportUser | None:
    """Who the chat is: the CLI's person (``rapport --as "Ivan Petrov" run``, else
    ``[cli] user``), so a manager can try the bot exactly as one of their reps sees it;
    with neither, the first active admin."""
    wanted = wanted or app.settings.cli.user
    if wanted:
        person = find_user(app, wanted)
        if not person.active:
            raise PermissionDenied(
                _l("{name} is no longer an active user.", name=person.display_name)
            )
        return person
    people = [u for u in list_users(app) if u.active]
    admins = [u for u in people if u.role is Role.ADMIN]
    return next(iter(admins or people), None)


async def run_console(app: App) -> None:
    """Chat in this terminal until end of input; without a terminal there is no one to chat."""
    if not sys.stdin.isatty():
        log.info("no [telegram] token: the bot is off (the console chat needs a terminal)")
        return
    context = click.get_current_context(silent=True)
    wanted = (context.find_root().obj or {}).get("as") if context is not None else None
    try:
        person = await asyncio.to_thread(console_person, app, wanted)
    except RapportError as unknown:  # a name nobody has, or several people have
        print(explain(app, unknown, app.settings.language))
        return
    if person is None:
        _ = Translator(app.settings.language)
        print(_("No users yet: run `rapport init` or `rapport demo` first."))
        return
    console = Console(app, person, print)
    RUNNING[app] = console.bot
    _ = Translator(pick_language(person.language, None, app.settings.language))
    intro = _("Console chat as {person}. Type /start; numbers press buttons, letters pick the "
              "menu; Ctrl+D ends. Logs go to {log}.",
              person=person.display_name, log=LOG_FILE)  # fmt: skip
    print(intro)
    try:
        with logs_to_file(Path(LOG_FILE)):
            await console.type("/start")
            while True:
                line = await asyncio.to_thread(sys.stdin.readline)
                if not line:
                    return
                await console.type(line)
    finally:
        RUNNING.pop(app, None)
