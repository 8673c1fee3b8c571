"""A customer's card with the next steps one tap away, and calls and visits logged in a tap.

Opening a card makes that customer the current one for files (a photo or a voice message
sent next lands in their history); a note takes its button, or the bot asking for one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from html import escape

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from rapport.adapters.telegram.focus import Focus, ask_note, open_card
from rapport.adapters.telegram.handlers.commands import VIEWS
from rapport.adapters.telegram.handlers.notes import focus_on
from rapport.adapters.telegram.keyboards import Log, Run
from rapport.adapters.telegram.middlewares import Who
from rapport.adapters.telegram.replies import chat_of, send_text
from rapport.core.command_lines import record_number
from rapport.core.domain.enums import InteractionKind
from rapport.core.services.cards import CustomerCard, customer_card
from rapport.core.services.interactions import log_interaction
from rapport.core.words import money, outcome_word, texts

OUTCOMES = {
    "call": ("reached", "no_answer", "call_back", "not_interested"),
    "visit": ("met", "not_met", "order_taken", "call_back"),
}
TIMELINE_LINES = 5


def outcome_label(who: Who, outcome: str) -> str:
    return outcome_word(texts(who.app, who._.language), outcome)


async def show_card(event: Message | CallbackQuery, who: Who, args: str) -> None:
    assert event.bot is not None
    chat = chat_of(event)
    customer_id = record_number(args)
    if customer_id is None:
        await event.bot.send_message(chat, who._("Which customer? Type a name."))
        return
    card = await asyncio.to_thread(
        customer_card, who.app, who.actor, customer_id, limit=TIMELINE_LINES
    )  # the lines the chat shows, not the 50 a sheet or the web would
    await open_card(who, Focus(card.customer.id, card.customer.name))
    await send_text(event.bot, chat, render(who, card), card_buttons(who, card))


def render(who: Who, card: CustomerCard) -> str:
    _ = who._
    customer = card.customer
    lines = [f"<b>{escape(customer.name)}</b> #{customer.id}"]
    if card.organisation:
        lines.append(escape(card.organisation.name))
    if customer.position:
        lines.append(escape(customer.position))
    lines += [escape(p) for p in customer.phones] + [escape(e) for e in customer.emails]
    if customer.address:
        lines.append("📍 " + escape(customer.address))
    if card.owner_name:
        lines.append(_("Owner: {name}", name=escape(card.owner_name)))
    for spec in who.app.registry.fields_for("customer"):  # the custom fields set, by label
        value = customer.fields.get(spec.name)
        if value not in (None, "", []):
            shown = spec.show(value, _.language)
            lines.append(f"{escape(spec.label_for(_.language))}: {escape(shown)}")
    if card.facts.last_contact_at:
        lines.append(_("Last contact: {when}", when=_local(who, card.facts.last_contact_at)))
    for deal in card.open_deals:
        lines.append(f"💼 {escape(deal.title)} — {money(deal.amount, deal.currency, _.language)}")
    for section in sorted(card.sections, key=lambda s: s.order):
        lines += ["", f"<b>{escape(section.title)}</b>", *map(escape, section.lines)]
    if card.timeline:
        lines += ["", _("<b>Latest</b>")]
        for entry in card.timeline[:TIMELINE_LINES]:
            detail = f": {escape(entry.detail[:200])}" if entry.detail else ""
            lines.append(f"{_local(who, entry.at)} {escape(entry.title)}{detail}")
    return "\n".join(lines)


def card_buttons(who: Who, card: CustomerCard) -> InlineKeyboardMarkup:
    _ = who._
    cid = card.customer.id
    rows = [
        [
            InlineKeyboardButton(
                text=_("📞 Call done"), callback_data=Run(line=f"/logcall {cid}").pack()
            ),
            InlineKeyboardButton(
                text=_("🚗 Visit done"), callback_data=Run(line=f"/logvisit {cid}").pack()
            ),
        ],
        [
            InlineKeyboardButton(text=_("📝 Note"), callback_data=Run(line=f"/note {cid}").pack()),
            InlineKeyboardButton(
                text=_("💼 New deal"), callback_data=Run(line=f"/newdeal {cid}").pack()
            ),
        ],
        [
            InlineKeyboardButton(text=_("⏰ Task"), callback_data=Run(line=f"/task {cid}").pack()),
            InlineKeyboardButton(text=_("✏️ Edit"), callback_data=Run(line=f"/edit {cid}").pack()),
        ],
    ]
    rows += [
        [
            InlineKeyboardButton(
                text=f"💼 {deal.title[:40]}", callback_data=Run(line=f"/deal {deal.id}").pack()
            )
        ]
        for deal in card.open_deals[:5]
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _local(who: Who, when: datetime) -> str:
    return f"{when.astimezone(who.zone):%d.%m %H:%M}"


async def ask_outcome(event: Message | CallbackQuery, who: Who, args: str, kind: str) -> None:
    assert event.bot is not None
    customer_id = record_number(args)
    if customer_id is None:
        await event.bot.send_message(chat_of(event), who._("Open a customer first."))
        return
    buttons = [
        [
            InlineKeyboardButton(
                text=outcome_label(who, outcome),
                callback_data=Log(kind=kind, customer_id=customer_id, outcome=outcome).pack(),
            )
        ]
        for outcome in OUTCOMES[kind]
    ]
    await event.bot.send_message(
        chat_of(event),
        who._("How did it go?"),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons),
    )


async def log_call(event: Message | CallbackQuery, who: Who, args: str) -> None:
    await ask_outcome(event, who, args, "call")


async def log_visit(event: Message | CallbackQuery, who: Who, args: str) -> None:
    await ask_outcome(event, who, args, "visit")


VIEWS.update(card=show_card, logcall=log_call, logvisit=log_visit)


async def logged(query: CallbackQuery, callback_data: Log, who: Who) -> None:
    """One tap: the call or visit is in the history, with its outcome."""
    if callback_data.kind not in OUTCOMES:
        await query.answer(who._("This button is out of date."), show_alert=True)
        return
    kind = InteractionKind(callback_data.kind)
    await asyncio.to_thread(
        log_interaction,
        who.app,
        who.actor,
        {"customer_id": callback_data.customer_id, "kind": kind, "outcome": callback_data.outcome},
    )
    await ask_note(who, await focus_on(who, callback_data.customer_id))
    await query.answer(who._("Saved."))
    assert query.bot is not None
    await query.bot.send_message(
        chat_of(query),
        who._(
            "{outcome} — saved. Type a note to add to it, or send a photo or a voice "
            "message (🔎 Customers to search instead).",
            outcome=outcome_label(who, callback_data.outcome),
        ),
    )


def build() -> Router:
    """A fresh router with this module's handlers, in the order they must match."""
    router = Router(name="card")
    router.callback_query.register(logged, Log.filter())
    return router
