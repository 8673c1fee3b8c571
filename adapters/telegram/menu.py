"""The main menu's buttons in every language, so a tap matches whatever the user reads."""

from __future__ import annotations

from functools import cache

from adapters.telegram.i18n import Translator
from core.services.users import LANGUAGES


@cache
def menu_text(label: str) -> frozenset[str]:
    return frozenset(Translator(language)(label) for language in LANGUAGES)
