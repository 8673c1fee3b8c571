"""Getting in and feeling at home: invites, /start, /cancel, language and time zone."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from rapport.adapters.telegram.i18n import Translator, pick_language
from rapport.adapters.telegram.invites import create_invite, redeem_invite
from rapport.adapters.telegram.keyboards import Run, main_menu
from rapport.adapters.telegram.menu import menu_text
from rapport.adapters.telegram.middlewares import Who
from rapport.adapters.telegram.replies import chat_of
from rapport.adapters.telegram.texts import plain
from rapport.core.bootstrap import App
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import RapportError
from rapport.core.explain import explain
from rapport.core.services.users import LANGUAGES, set_preferences

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}
NAMED = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
"""A language typed by its own name (``/lang русский``) is the same as its code."""


async def start(
    message: Message, command: CommandObject, app: App, _: Translator, who: Who | None = None
) -> None:
    if who is not None:
        await message.answer(
            _("Hello, {name}! What are we doing today?", name=plain(who.user.display_name)),
            reply_markup=main_menu(who._),
        )
        return
    assert message.from_user is not None
    if not command.args:
        await message.answer(
            _(
                "Rapport is for registered team members. Ask your admin for "
                "an invite link, or give them your Telegram id: {id}",
                id=message.from_user.id,
            )
        )
        return
    code = message.from_user.language_code
    language = pick_language(None, code, app.settings.language)
    try:
        user = await asyncio.to_thread(
            redeem_invite,
            app,
            command.args.strip(),
            message.from_user.id,
            language if (code or "")[:2] in LANGUAGES else None,
        )
    except RapportError as exc:
        await message.answer(plain(explain(app, exc, language)))
        return
    _ = Translator(language)
    await message.answer(
        _(
            "Welcome to Rapport, {name}! Share a contact to add a customer, "
            "your location to check in, or type a name to find one.",
            name=plain(user.display_name),
        ),
        reply_markup=main_menu(_),
    )


async def cancel(message: Message, state: FSMContext, who: Who) -> None:
    await state.clear()
    await message.answer(who._("Cancelled. What next?"), reply_markup=main_menu(who._))


async def settings(message: Message, who: Who) -> None:
    _ = who._
    buttons = [
        [InlineKeyboardButton(text=name, callback_data=Run(line=f"/lang {code}").pack())]
        for code, name in LANGUAGE_NAMES.items()
    ]
    await message.answer(
        _(
            "Language: {language}. Time zone: {zone} (change it with /timezone Europe/Moscow).",
            language=LANGUAGE_NAMES[_.language],
            zone=who.zone.key,
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons),
    )


async def choose_language(query: CallbackQuery, callback_data: Run, who: Who) -> None:
    _ = await _switch(who, callback_data.line.removeprefix("/lang "))
    await query.answer()
    assert query.bot is not None
    await query.bot.send_message(
        chat_of(query), _("Done: I speak English now."), reply_markup=main_menu(_)
    )


async def language(message: Message, command: CommandObject, who: Who) -> None:
    """``/lang ru`` typed, as the settings' button would; ``/lang`` alone shows the buttons.
    A language Rapport does not speak is refused by ``set_preferences``, in words."""
    if not command.args:
        await settings(message, who)
        return
    _ = await _switch(who, command.args)
    await message.answer(_("Done: I speak English now."), reply_markup=main_menu(_))


async def _switch(who: Who, wanted: str) -> Translator:
    """Keep ``wanted`` (a code or a language's own name) as the person's language."""
    typed = wanted.strip().lower()
    chosen = NAMED.get(typed, typed)
    await asyncio.to_thread(set_preferences, who.app, who.actor, language=chosen)
    return Translator(chosen)


async def timezone(message: Message, command: CommandObject, who: Who) -> None:
    _ = who._
    if not command.args:
        await message.answer(
            _(
                "Your time zone is {zone}. Send, e.g., /timezone Asia/Yekaterinburg.",
                zone=who.zone.key,
            )
        )
        return
    user = await asyncio.to_thread(
        set_preferences, who.app, who.actor, timezone=command.args.strip()
    )
    await message.answer(_("Time zone set: {zone}.", zone=user.timezone))


async def invite(message: Message, command: CommandObject, who: Who) -> None:
    """``/invite Anna Smirnova`` (a rep), ``/invite manager Oleg`` for admins."""
    _ = who._
    words = (command.args or "").split()
    role = Role.REP
    if words and words[0].lower() in {r.value for r in Role}:
        role = Role(words.pop(0).lower())
    if not words:
        await message.answer(
            _("Write: /invite and the colleague's name (a rep), or /invite manager and the name.")
        )
        return
    team = who.user.team
    made = await asyncio.to_thread(create_invite, who.app, who.actor, " ".join(words), role, team)
    assert message.bot is not None
    me = await message.bot.me()
    await message.answer(
        _(
            "Send this link to {name}; it works once, for a week:\n{link}",
            name=plain(made.display_name),
            link=made.link(me.username or ""),
        )
    )


def build() -> Router:
    """A fresh router with this module's handlers, in the order they must match."""
    router = Router(name="people")
    router.message.register(start, CommandStart())
    router.message.register(cancel, Command(commands=["cancel"]))
    router.message.register(settings, F.text.in_(menu_text("⚙️ Settings")))
    router.message.register(settings, Command(commands=["settings"]))
    router.message.register(language, Command(commands=["lang", "language"]))
    router.callback_query.register(choose_language, Run.filter(F.line.startswith("/lang ")))
    router.message.register(timezone, Command(commands=["timezone"]))
    router.message.register(invite, Command(commands=["invite"]))
    return router
