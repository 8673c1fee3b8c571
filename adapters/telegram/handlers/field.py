"""Work in the field: a shared contact becomes a customer, a location a visit check-in,
a photo or a voice message part of the current customer's history, free text a search
(or the note the rep asked to write)."""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections.abc import Sequence

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy import select

from rapport.adapters.telegram.focus import (
    Focus,
    ask_rest,
    asked_line,
    forget,
    keep_typed,
    open_customer,
    take_note_request,
)
from rapport.adapters.telegram.handlers.card import show_card
from rapport.adapters.telegram.handlers.commands import VIEWS, dispatch, run_line
from rapport.adapters.telegram.handlers.notes import NOTE_LIMIT, save_note
from rapport.adapters.telegram.keyboards import Run
from rapport.adapters.telegram.menu import menu_text
from rapport.adapters.telegram.middlewares import Who
from rapport.adapters.telegram.replies import send_reply
from rapport.adapters.telegram.texts import plain
from rapport.core.bootstrap import App
from rapport.core.command_lines import record_number
from rapport.core.db.tables import CustomerRow, InteractionRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import InteractionKind
from rapport.core.domain.errors import InvalidInput, NotFound
from rapport.core.domain.values import normalize_phone
from rapport.core.services.access import owned_scope
from rapport.core.services.customers import create_customer, find_by_identifier, visible_customer
from rapport.core.services.interactions import log_interaction
from rapport.core.services.uow import UnitOfWork
from rapport.core.words import number

NEAR_METRES = 300
PENDING_LOCATION = "pending_location"


async def shared_contact(message: Message, who: Who) -> None:
    """One message: the phone is looked up everywhere (the duplicate check), then the
    customer is opened, or created and opened. A team whose customers need a field the
    contact does not carry (an INN) is asked for it first, nothing typed lost."""
    assert message.contact is not None
    contact = message.contact
    name = " ".join(filter(None, [contact.first_name, contact.last_name])) or contact.phone_number
    normal = _shared_number(contact.phone_number, who.app.settings.default_region)
    found, taken = await asyncio.to_thread(_holder_of, who.app, who.actor, normal)
    if taken:
        await message.answer(
            who._(
                "{name} is already a customer of a colleague; ask your manager to share them.",
                name=plain(name),
            )
        )
        return
    if found is None and _required_fields(who.app):
        await dispatch(message, who, f"/newcustomer {name}; phone {normal}")
        return
    if found is None:
        customer = await asyncio.to_thread(
            create_customer,
            who.app,
            who.actor,
            {"name": name, "kind": "person", "phones": [normal]},
        )
        found = customer.id
        await message.answer(who._("New customer added: {name}.", name=plain(name)))
    await show_card(message, who, str(found))


def _holder_of(app: App, actor: Actor, phone: str) -> tuple[int | None, bool]:
    """The customer with this number the person may open, or whether a colleague's holds it."""
    with UnitOfWork(app, read_only=True) as uow:
        holders = sorted(find_by_identifier(uow.session, "phone", [phone]).get(phone, set()))
        for customer_id in holders:
            try:
                visible_customer(uow.session, actor, customer_id)
                return customer_id, False
            except NotFound:  # someone else's customer: not theirs to open
                continue
    return None, bool(holders)


def _required_fields(app: App) -> bool:
    return any(spec.required for spec in app.registry.fields_for("customer"))


def _shared_number(phone: str, region: str) -> str:
    """Telegram gives a shared contact's number in international form, often without its
    "+" (``14155552671``): read so first, so a US colleague's number is not taken for a
    local one; a number that is not international is local to the team's region."""
    digits = phone.strip()
    if not digits.startswith("+"):
        try:
            return normalize_phone("+" + digits, region)
        except InvalidInput:
            pass
    return normalize_phone(digits, region)


async def checked_in(message: Message, who: Who) -> None:
    """Share a location: the customers within a few hundred metres (from earlier visits)
    are offered first; with none near, the ones the rep saw last."""
    assert message.location is not None
    here = (message.location.latitude, message.location.longitude)
    await who.state.update_data({PENDING_LOCATION: list(here)})
    near, recent = await asyncio.to_thread(_nearby, who.app, who.actor, here)
    _ = who._
    if near:
        text = _("Where are you?")
        options = [
            (_("{name} ({metres} m)", name=name, metres=number(metres, _.language)), cid)
            for cid, name, metres in near
        ]
    elif recent:
        text = _("No customer I know of is near. Which one are you visiting? (Or type a name.)")
        options = [(name, cid) for cid, name in recent]
    else:
        await message.answer(_("No customers yet: share a contact or type a name first."))
        return
    buttons = [
        [InlineKeyboardButton(text=label[:60], callback_data=Run(line=f"/checkin {cid}").pack())]
        for label, cid in options
    ]
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons))


def _nearby(
    app: App, actor: Actor, here: tuple[float, float]
) -> tuple[list[tuple[int, str, int]], list[tuple[int, str]]]:
    latitude, longitude = InteractionRow.fields["latitude"], InteractionRow.fields["longitude"]
    with UnitOfWork(app, read_only=True) as uow:
        visits = uow.session.execute(
            select(CustomerRow.id, CustomerRow.name, latitude.as_float(), longitude.as_float())
            .join(InteractionRow, InteractionRow.customer_id == CustomerRow.id)
            .where(
                owned_scope(actor, CustomerRow.owner_id),
                CustomerRow.archived.is_(False),
                InteractionRow.kind == InteractionKind.VISIT.value,
                latitude.as_float().is_not(None),
            )
            .order_by(InteractionRow.occurred_at.desc())
            .limit(5000)
        ).all()
        recent = uow.session.execute(
            select(CustomerRow.id, CustomerRow.name)
            .where(owned_scope(actor, CustomerRow.owner_id), CustomerRow.archived.is_(False))
            .order_by(CustomerRow.updated_at.desc())
            .limit(8)
        ).all()
    distances: dict[int, tuple[str, int]] = {}
    for cid, name, lat, lon in visits:
        metres = round(_metres(here, (lat, lon)))
        if metres <= NEAR_METRES and metres < distances.get(cid, (name, 10**9))[1]:
            distances[cid] = (name, metres)
    near = sorted(((cid, n, m) for cid, (n, m) in distances.items()), key=lambda x: x[2])[:8]
    return near, [(cid, name) for cid, name in recent]


def _metres(a: Sequence[float], b: Sequence[float]) -> float:
    """Great-circle distance (haversine): exact enough for "which shop am I in"."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


async def check_in_at(event: Message | CallbackQuery, who: Who, customer_id: str) -> None:
    """The rep picked where they are: a visit, with the place, so next time it is offered."""
    data = await who.state.get_data()
    where = data.get(PENDING_LOCATION)
    number = record_number(customer_id)
    if number is None or not where:
        assert event.bot is not None and event.from_user is not None
        await event.bot.send_message(
            event.from_user.id, who._("Share your location again, please.")
        )
        return
    fields = {"latitude": where[0], "longitude": where[1]}
    await asyncio.to_thread(
        log_interaction,
        who.app,
        who.actor,
        {
            "customer_id": number,
            "kind": InteractionKind.VISIT,
            "outcome": "checkin",
            "fields": fields,
        },
    )
    await who.state.update_data({PENDING_LOCATION: None})
    await show_card(event, who, customer_id)


VIEWS["checkin"] = check_in_at


MEDIA = {
    "photo": "📷",
    "voice": "🎤",
    "audio": "🎵",
    "document": "📄",
    "video": "🎬",
    "video_note": "🎬",
}


async def attachment(message: Message, who: Who) -> None:
    """A file goes into the current customer's history; Telegram keeps the file itself."""
    focus = await open_customer(who)
    if focus is None:
        await message.answer(who._("Open a customer first (type a name), then send the file."))
        return
    kind = ContentType(message.content_type).value
    media = getattr(message, kind)
    file_id = (media[-1] if isinstance(media, list) else media).file_id
    summary = (message.caption or "").strip() or f"{MEDIA[kind]} {kind}"
    await asyncio.to_thread(
        log_interaction,
        who.app,
        who.actor,
        {
            "customer_id": focus.customer_id,
            "kind": InteractionKind.NOTE,
            "summary": summary[:NOTE_LIMIT],
            "fields": {"attachment": f"{kind}:{file_id}"},
        },
    )
    await message.answer(who._("Added to the history of {name}.", name=plain(focus.name)))


async def search_prompt(message: Message, who: Who) -> None:
    await forget(who)
    await message.answer(who._("Type a name, a few digits of a phone, or an e-mail."))


async def today(message: Message, who: Who) -> None:
    assert message.bot is not None
    await send_reply(message.bot, message.chat.id, await run_line(who, "/tasks"))


async def free_text(message: Message, who: Who) -> None:
    """The note the rep asked for, else a search; with a card open, the search offers
    to save the text as a note on it instead (one tap, never silently)."""
    text = (message.text or "").strip()
    assert message.bot is not None
    waiting = await asked_line(who)
    if waiting is not None:
        await _complete(message, who, waiting, text)
        return
    asked = await take_note_request(who)
    if asked is not None:
        await message.answer(await save_note(who, asked, text))
        return
    reply = await run_line(who, f"/find {text[:200]}")
    focus = await open_customer(who)
    if focus is not None:
        await keep_typed(who, text)
        reply = dataclasses.replace(reply, options=(*reply.options, _as_note(who, focus)))
    await send_reply(message.bot, message.chat.id, reply)


async def _complete(message: Message, who: Who, line: str, text: str) -> None:
    """The answer to a command's question: the line is run with it. A refusal leaves the
    question open (the error says why; the rep types it again or /cancel); an answer that
    asks again waits for the next text."""
    assert message.bot is not None
    reply = await run_line(who, f"{line} {text}")
    await ask_rest(who, reply.completes)
    await send_reply(message.bot, message.chat.id, reply)


def _as_note(who: Who, focus: Focus) -> tuple[str, str]:
    label = who._("📝 Save as a note on {name}", name=focus.name[:40])
    return label, f"/savenote {focus.customer_id}"


async def unknown_button(query: CallbackQuery, who: Who) -> None:
    """A button no handler knows (from an older version of the bot, or forged): answered,
    so the person's button stops spinning and they know to open the thing again."""
    await query.answer(who._("This button is out of date."), show_alert=True)


async def anything_else(message: Message, who: Who) -> None:
    await message.answer(
        who._(
            "I can't use this. Send text, a contact, a location, a photo, "
            "a voice message or a file — or /help."
        )
    )


def build() -> Router:
    """A fresh router with this module's handlers, in the order they must match."""
    router = Router(name="field")
    router.message.register(shared_contact, F.contact)
    router.message.register(checked_in, F.location)
    router.message.register(attachment, F.content_type.in_(set(MEDIA)))
    router.message.register(search_prompt, F.text.in_(menu_text("🔎 Customers")))
    router.message.register(today, F.text.in_(menu_text("✅ Today")))
    router.message.register(free_text, F.text)
    router.message.register(anything_else)
    router.callback_query.register(unknown_button)
    return router
