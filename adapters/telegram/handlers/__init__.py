"""The bot's routers, one per job; ``routers()`` builds them in the order they must match.

Built fresh for each dispatcher (a router belongs to one), so tests and several bots in
one process each get their own; their plain filters run on the loop (``filters``).
"""

from __future__ import annotations

from aiogram import Router

from rapport.adapters.telegram.filters import filters_on_loop
from rapport.adapters.telegram.handlers import (  # notes: no router, its views register on import
    card,
    commands,
    deals,
    field,
    notes,  # noqa: F401
    people,
    reports,
)


def routers() -> list[Router]:
    # people first (/start, /cancel work in any state), field last (its free text catches all)
    modules = (people, deals, reports, card, commands, field)
    return [filters_on_loop(module.build()) for module in modules]
