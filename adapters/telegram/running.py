"""The bot running in this process for an application, if any.

Kept apart from aiogram: a one-shot command (``rapport tasks``, ``rapport sync``) asks
"is a bot running?" and learns "no" without importing the Telegram client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from aiogram import Bot

    from rapport.core.bootstrap import App

RUNNING: WeakKeyDictionary[App, Bot] = WeakKeyDictionary()
"""Set by the runner (or the console chat) while the bot serves ``app``."""
