"""The bot's own commands, and the main menu's buttons in every language (so a tap
matches whatever the user reads)."""

from __future__ import annotations

from functools import cache

from rapport.adapters.telegram.i18n import Translator
from rapport.core.services.users import LANGUAGES


@cache
def menu_text(label: str) -> frozenset[str]:
    return frozenset(Translator(language)(label) for language in LANGUAGES)


MENU_COMMANDS = ("start", "help", "cancel", "settings")
DESCRIPTIONS = {
    "start": "Main menu",
    "help": "What I can do",
    "cancel": "Stop what I'm asking",
    "settings": "Language and time zone",
    "lang": "Your language: /lang ru (en, ru, uk)",
    "timezone": "Your time zone: /timezone Europe/Moscow",
    "invite": "Invite a colleague: /invite Name (managers, admins)",
}
