"""Buttons: the main menu, inline choices, and the callback data behind them.

Callback data is at most 64 bytes and comes back from the client unchecked, so it only
ever names what to do (a command line, a page, an outcome); the handler runs it as the
person who pressed, through the service layer, which checks their rights every time.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from rapport.adapters.telegram.i18n import Translator

MAX_CALLBACK_BYTES = 64
PAGE_SIZE = 8


class Run(CallbackData, prefix="r"):
    """Run a command line (``/card 12``), as if the user typed it."""

    line: str


class Page(CallbackData, prefix="p"):
    """Another page of a list the user asked for."""

    view: str
    arg: str
    page: int


class Log(CallbackData, prefix="l"):
    """Log a call or a visit with one tap on its outcome."""

    kind: str
    customer_id: int
    outcome: str


def fits(data: CallbackData) -> bool:
    try:
        return len(data.pack().encode()) <= MAX_CALLBACK_BYTES
    except ValueError:  # a value holding the ":" separator cannot be packed
        return False


def options_keyboard(
    options: Sequence[tuple[str, str]], extra: Sequence[InlineKeyboardButton] = ()
) -> InlineKeyboardMarkup | None:
    """A plugin's follow-up commands as buttons, one per row (labels are long names).

    A command line too long for Telegram's 64 bytes is left out rather than cut, since a
    cut line would run another command.
    """
    rows = [
        [InlineKeyboardButton(text=label[:64], callback_data=Run(line=line).pack())]
        for label, line in options
        if fits(Run(line=line))
    ]
    rows += [[button] for button in extra]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def pages(view: str, arg: str, page: int, total: int, _: Translator) -> list[InlineKeyboardButton]:
    """« and » buttons around the current page; none when everything fits on one."""
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(
                text=_("« Back"), callback_data=Page(view=view, arg=arg, page=page - 1).pack()
            )
        )
    if (page + 1) * PAGE_SIZE < total:
        buttons.append(
            InlineKeyboardButton(
                text=_("More »"), callback_data=Page(view=view, arg=arg, page=page + 1).pack()
            )
        )
    return buttons


def main_menu(_: Translator) -> ReplyKeyboardMarkup:
    """Always under the text field: the day's work one tap away."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("🔎 Customers")), KeyboardButton(text=_("💼 My deals"))],
            [
                KeyboardButton(text=_("✅ Today")),
                KeyboardButton(text=_("📍 Check in"), request_location=True),
            ],
            [KeyboardButton(text=_("📊 Reports")), KeyboardButton(text=_("⚙️ Settings"))],
        ],
        resize_keyboard=True,
        is_persistent=True,
    )
