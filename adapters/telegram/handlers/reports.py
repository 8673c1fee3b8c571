"""Reports as pictures: the funnel, plan vs fact and every plugin's report, one tap each."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from rapport.adapters.telegram.keyboards import Page
from rapport.adapters.telegram.menu import menu_text
from rapport.adapters.telegram.middlewares import Who
from rapport.adapters.telegram.replies import chat_of, send_reply
from rapport.core.extensions import CommandReply, Report

TABLE_ROWS = 30


async def report_list(message: Message, who: Who) -> None:
    rows = [
        [
            InlineKeyboardButton(
                text=spec.title_for(who._.language),
                callback_data=Page(view="report", arg=spec.id, page=0).pack(),
            )
        ]
        for spec in who.app.registry.reports.values()
        if who.actor.role in spec.roles
    ]
    if not rows:
        await message.answer(who._("No reports are installed."))
        return
    await message.answer(
        who._("Which report?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def report(query: CallbackQuery, callback_data: Page, who: Who) -> None:
    spec = who.app.registry.reports.get(callback_data.arg)
    if spec is None or who.actor.role not in spec.roles:
        await query.answer(who._("This button is out of date."), show_alert=True)
        return
    await query.answer()
    built = await who.app.hooks.call_async(
        spec.owner, f"report {spec.id}", spec.build, who.app, who.actor, {}
    )
    assert query.bot is not None
    await send_reply(
        query.bot, chat_of(query), CommandReply(as_text(built), image_png=built.picture())
    )


def as_text(report: Report) -> str:
    lines = [report.title, " | ".join(report.columns)]
    lines += [
        " | ".join("" if c is None else str(c) for c in row) for row in report.rows[:TABLE_ROWS]
    ]
    if len(report.rows) > TABLE_ROWS:
        lines.append(f"… +{len(report.rows) - TABLE_ROWS}")
    return "\n".join(lines)


def build() -> Router:
    """A fresh router with this module's handlers, in the order they must match."""
    router = Router(name="reports")
    router.message.register(report_list, F.text.in_(menu_text("📊 Reports")))
    router.callback_query.register(report, Page.filter(F.view == "report"))
    return router
