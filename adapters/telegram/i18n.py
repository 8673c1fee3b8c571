"""The bot's words in English, Russian and Ukrainian, from gettext catalogues read by Babel.

The English text is the message id; ``locales/<lang>/LC_MESSAGES/messages.po`` holds the
translations (``pybabel extract`` / ``update`` keep them in step with the code). A user
reads the bot in the language they chose, else their Telegram app's, else the team's.
"""

from __future__ import annotations

from pathlib import Path

from rapport.core import i18n
from rapport.core.services.users import LANGUAGES

LOCALES = Path(__file__).parent / "locales"


class Translator(i18n.Translator):
    """The bot's own words in one language."""

    def __init__(self, language: str) -> None:
        super().__init__(language, LOCALES)


def pick_language(chosen: str | None, telegram_code: str | None, team_default: str) -> str:
    for candidate in (chosen, (telegram_code or "")[:2].lower(), team_default):
        if candidate in LANGUAGES:
            return candidate
    return "en"


lazy = i18n.Catalogue(LOCALES).lazy
"""The bot's words kept for later (an error raised before the reader is known):
``from rapport.adapters.telegram.i18n import lazy as _l``."""
