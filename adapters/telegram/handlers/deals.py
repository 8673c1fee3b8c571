"""The pipeline in the pocket: my deals by stage, a deal moved with a tap, a new deal in
a short dialog (title, amount) started from the customer's card."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from html import escape

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from rapport.adapters.telegram.handlers.commands import VIEWS
from rapport.adapters.telegram.keyboards import PAGE_SIZE, Page, Run, pages
from rapport.adapters.telegram.menu import menu_text
from rapport.adapters.telegram.middlewares import Who
from rapport.adapters.telegram.replies import chat_of, send_text
from rapport.adapters.telegram.texts import plain
from rapport.core.command_lines import record_number
from rapport.core.domain.enums import StageOutcome
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.models import Deal
from rapport.core.domain.numbers import parse_decimal
from rapport.core.explain import explain
from rapport.core.services.deals import create_deal, get_deal, list_deals
from rapport.core.services.pipelines import list_pipelines
from rapport.core.words import money, number, stage_word, texts
from rapport.plugins.sales.api import win_chance

ALL = 10_000


class NewDeal(StatesGroup):
    title = State()
    amount = State()


def _stage(who: Who, name: str) -> str:
    return stage_word(texts(who.app, who._.language), name)


def _whole(who: Who, amount: Decimal) -> str:
    """A total on a button: whole units, grouped as the reader groups digits."""
    return number(amount.quantize(Decimal(1)), who._.language)


def _button(text: str, line: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text[:60], callback_data=Run(line=line).pack())


async def my_deals(message: Message, who: Who) -> None:
    """Open deals counted by stage; a tap on a stage lists them. A rep working two
    pipelines reads each stage with its pipeline ("Service / Lead"), since both may have
    a "Lead"."""
    _ = who._
    deals = await asyncio.to_thread(
        list_deals, who.app, who.actor, status=StageOutcome.OPEN, limit=ALL
    )
    pipelines = await asyncio.to_thread(list_pipelines, who.app)
    labelled = len({d.pipeline_id for d in deals}) > 1
    rows = []
    for pipeline in pipelines:
        for stage in pipeline.stages:
            here = [d for d in deals if d.stage_id == stage.id]
            if here:
                name = _stage(who, stage.name)
                name = f"{pipeline.name} / {name}" if labelled else name
                rows.append(
                    [
                        InlineKeyboardButton(
                            text=f"{name}: {len(here)} · {_totals(who, here)}",
                            callback_data=Page(view="stage", arg=str(stage.id), page=0).pack(),
                        )
                    ]
                )
    if not rows:
        await message.answer(_("No open deals. Open a customer and tap “New deal”."))
        return
    await message.answer(
        _("Your open deals by stage:"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


def _totals(who: Who, deals: list[Deal]) -> str:
    """The deals' total, one per currency (``1,500 RUB + 100 USD``): dollars and roubles
    are never added up. Deals all in one currency show the bare number, as before."""
    totals: dict[str, Decimal] = {}
    for deal in deals:
        totals[deal.currency] = totals.get(deal.currency, Decimal(0)) + deal.amount
    if len(totals) == 1:
        return _whole(who, next(iter(totals.values())))
    return " + ".join(f"{_whole(who, total)} {code}" for code, total in sorted(totals.items()))


async def stage_page(query: CallbackQuery, callback_data: Page, who: Who) -> None:
    await query.answer()
    deals = await asyncio.to_thread(
        list_deals, who.app, who.actor, status=StageOutcome.OPEN, limit=ALL
    )
    wanted = [d for d in deals if str(d.stage_id) == callback_data.arg]
    start = callback_data.page * PAGE_SIZE
    rows = [
        [_button(f"{d.title} — {_whole(who, d.amount)}", f"/deal {d.id}")]
        for d in wanted[start : start + PAGE_SIZE]
    ]
    navigation = pages("stage", callback_data.arg, callback_data.page, len(wanted), who._)
    if navigation:
        rows.append(navigation)
    assert query.bot is not None
    text = who._("{count} deals at this stage:", count=len(wanted))
    await query.bot.send_message(
        chat_of(query), text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def show_deal(event: Message | CallbackQuery, who: Who, args: str) -> None:
    """A deal with its stages as buttons: moving it is one tap (won and lost included)."""
    _ = who._
    assert event.bot is not None and event.from_user is not None
    chat = event.chat.id if isinstance(event, Message) else event.from_user.id
    deal_id = record_number(args)
    if deal_id is None:
        await event.bot.send_message(chat, _("Which deal? Open it from “My deals”."))
        return
    deal = await asyncio.to_thread(get_deal, who.app, who.actor, deal_id)
    pipeline = next(
        p for p in await asyncio.to_thread(list_pipelines, who.app) if p.id == deal.pipeline_id
    )
    stage = next(s for s in pipeline.stages if s.id == deal.stage_id)
    term = who.app.registry.term("deal", who._.language)
    lines = [
        f"<b>{escape(deal.title)}</b> ({escape(term)} #{deal.id})",
        _("Stage: {stage}", stage=escape(_stage(who, stage.name))),
        money(deal.amount, deal.currency, _.language),
    ]
    if deal.expected_close:
        lines.append(_("Expected close: {date}", date=f"{deal.expected_close:%d.%m.%Y}"))
    if deal.status is StageOutcome.OPEN and who.app.plugins.manager.has_plugin("sales"):
        chance = await asyncio.to_thread(
            win_chance, who.app, who.actor, deal.id, _.language, short=True
        )
        if chance:
            lines.append(escape(chance))
    rows = []
    if deal.status is StageOutcome.OPEN:
        for other in pipeline.stages:
            if other.id == deal.stage_id or other.outcome is StageOutcome.LOST:
                continue
            mark = "🏆 " if other.outcome is StageOutcome.WON else "→ "
            rows.append([_button(mark + _stage(who, other.name), f"/move {deal.id} {other.key}")])
        rows.append([_button("✖ " + _("Lost"), f"/lost {deal.id}")])
        rows.append(
            [
                _button(_("📦 Products"), f"/products {deal.id}"),
                _button(_("➕ Add a product"), f"/product {deal.id}"),
            ]
        )
        rows.append([_button(_("％ Discount"), f"/discount {deal.id}"),
                     _button(_("👤 Hand over"), f"/reassign {deal.id}")])  # fmt: skip
    rows.append([_button(_("Customer card"), f"/card {deal.customer_id}")])
    await send_text(event.bot, chat, "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


async def start_new_deal(event: Message | CallbackQuery, who: Who, args: str) -> None:
    assert event.bot is not None and event.from_user is not None
    customer_id = record_number(args)
    if customer_id is None:
        await event.bot.send_message(event.from_user.id, who._("Open a customer first."))
        return
    await who.state.set_state(NewDeal.title)
    await who.state.update_data({"deal_customer": customer_id})
    await event.bot.send_message(
        event.from_user.id,
        who._("What is the deal? A short title, e.g. “Spring order”. (/cancel to stop)"),
    )


VIEWS.update(deal=show_deal, newdeal=start_new_deal)


async def deal_title(message: Message, who: Who) -> None:
    title = (message.text or "").strip()
    if not title or len(title) > 200:
        await message.answer(who._("A title of up to 200 characters, please."))
        return
    await who.state.update_data({"deal_title": title})
    await who.state.set_state(NewDeal.amount)
    await message.answer(_ask_amount(who))


async def deal_amount(message: Message, who: Who) -> None:
    """The amount as the rep writes it (read by the core's one parser, in their language);
    anything refused is said, and the question asked again, so the dialog never traps.

    The dialog is over once the amount reads: a message arriving while the deal is being
    created (plugins score it, follow its customer) is a new message, not a bad amount."""
    data = await who.state.get_data()
    try:
        amount = parse_decimal(message.text, "amount", who._.language)
    except InvalidInput as refused:
        await _ask_again(message, who, refused)
        return
    await who.state.set_state(None)
    try:
        deal = await asyncio.to_thread(
            create_deal,
            who.app,
            who.actor,
            {"title": data["deal_title"], "amount": amount, "customer_id": data["deal_customer"]},
        )
    except InvalidInput as refused:
        await who.state.set_state(NewDeal.amount)
        await _ask_again(message, who, refused)
        return
    await message.answer(who._("Deal created."))
    await show_deal(message, who, str(deal.id))


async def _ask_again(message: Message, who: Who, refused: InvalidInput) -> None:
    reason = plain(explain(who.app, refused, who._.language))
    await message.answer(who._("Not done: {reason}", reason=reason) + "\n" + _ask_amount(who))


def _ask_amount(who: Who) -> str:
    return who._("Amount? A number, e.g. 150000 (0 if not known yet).")


async def dialog_wants_text(message: Message, who: Who) -> None:
    await message.answer(who._("Please answer with text, or /cancel."))


def build() -> Router:
    """A fresh router with this module's handlers, in the order they must match."""
    router = Router(name="deals")
    router.message.register(my_deals, F.text.in_(menu_text("💼 My deals")))
    router.callback_query.register(stage_page, Page.filter(F.view == "stage"))
    router.message.register(deal_title, NewDeal.title, F.text, ~F.text.startswith("/"))
    router.message.register(deal_amount, NewDeal.amount, F.text, ~F.text.startswith("/"))
    router.message.register(dialog_wants_text, NewDeal.title)
    router.message.register(dialog_wants_text, NewDeal.amount)
    return router
