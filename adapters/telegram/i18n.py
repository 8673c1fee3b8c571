"""The bot's words in English, Russian and Ukrainian, from gettext catalogues read by Babel.

The English text is the message id; ``locales/<lang>/LC_MESSAGES/bot.po`` holds the
translations (``pybabel extract`` / ``update`` keep them in step with the code). A user
reads the bot in the language they chose, else their Telegram app's, else the team's.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from core.services.users import LANGUAGES

LOCALES = Path(__file__).parent / "locales"


@cache
def _catalogue(language: str) -> dict[str, str]:
    path = LOCALES / language / "LC_MESSAGES" / "bot.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


class Translator:
    """``_("Hello, {name}", name=...)``: the text in one language, with values filled in."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._strings = _catalogue(language)

    def __call__(self, message: str, **values: Any) -> str:
        text = self._strings.get(message, message)
        return text.format(**values) if values else text


def pick_language(chosen: str | None, telegram_code: str | None, team_default: str) -> str:
    for candidate in (chosen, (telegram_code or "")[:2].lower(), team_default):
        if candidate in LANGUAGES:
            return candidate
    return "en"
