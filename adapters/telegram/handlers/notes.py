"""Notes on a customer, always asked for: the card's Note button (or ``/note 12 text``),
the bot's "type a note" after a call, or a tap on "Save as a note" under a search.

Each saved note says which customer it went to, so the rep sees where it landed.
"""

from __future__ import annotations

import asyncio

from aiogram.types import CallbackQuery, Message

from rapport.adapters.telegram.focus import Focus, ask_note, take_typed
from rapport.adapters.telegram.handlers.commands import VIEWS
from rapport.adapters.telegram.i18n import lazy as _l
from rapport.adapters.telegram.middlewares import Who
from rapport.adapters.telegram.texts import plain
from rapport.core.command_lines import record_number
from rapport.core.domain.enums import InteractionKind
from rapport.core.domain.errors import InvalidInput
from rapport.core.services.customers import get_customer
from rapport.core.services.interactions import log_interaction

NOTE_LIMIT = 4096  # what Telegram lets a person type in one message


async def focus_on(who: Who, customer_id: int) -> Focus:
    """The customer as the rep may see them (someone else's is refused here)."""
    customer = await asyncio.to_thread(get_customer, who.app, who.actor, customer_id)
    return Focus(customer.id, customer.name)


async def save_note(who: Who, focus: Focus, text: str) -> str:
    """Store the note and say where it went."""
    if len(text) > NOTE_LIMIT:
        raise InvalidInput.one(
            "note", _l("is longer than {limit} characters; split it", limit=NOTE_LIMIT)
        )
    await asyncio.to_thread(
        log_interaction,
        who.app,
        who.actor,
        {"customer_id": focus.customer_id, "kind": InteractionKind.NOTE, "summary": text},
    )
    return who._("Note saved on {name}.", name=plain(focus.name))


async def _answer(event: Message | CallbackQuery, text: str) -> None:
    assert event.bot is not None and event.from_user is not None
    chat = event.chat.id if isinstance(event, Message) else event.from_user.id
    await event.bot.send_message(chat, text)


async def write_note(event: Message | CallbackQuery, who: Who, args: str) -> None:
    """``/note 12`` asks for the text; ``/note 12 text`` saves it at once."""
    number, _, text = args.partition(" ")
    customer_id = record_number(number)
    if customer_id is None:
        await _answer(event, who._("Open a customer first."))
        return
    focus = await focus_on(who, customer_id)
    if text.strip():
        await _answer(event, await save_note(who, focus, text.strip()))
        return
    await ask_note(who, focus)
    await _answer(event, who._("Type the note on {name}.", name=plain(focus.name)))


async def save_typed_as_note(event: Message | CallbackQuery, who: Who, args: str) -> None:
    """The text just searched for was a note after all: one tap stores it."""
    typed = await take_typed(who)
    customer_id = record_number(args)
    if typed is None or customer_id is None:
        await _answer(event, who._("Nothing to save: type the note again."))
        return
    await _answer(event, await save_note(who, await focus_on(who, customer_id), typed))


VIEWS.update(note=write_note, savenote=save_typed_as_note)
