"""Words in the user's language, from gettext catalogues read by Babel, for every plugin.

Each plugin (and adapter) keeps its own ``locales/<lang>/LC_MESSAGES/messages.po`` next to
its code, with the English text as the message id, so a third-party plugin translates
itself the same way. ``pybabel extract -k _`` and ``pybabel update`` keep them in step.
The language a person reads is :func:`rapport.core.services.users.language_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

DOMAIN = "messages"


@cache
def _catalogue(locales: Path, language: str) -> dict[str, str]:
    path = locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


class Translator:
    """``_("Hello, {name}", name=...)``: the text in one language, with values filled in."""

    def __init__(self, language: str, locales: Path) -> None:
        self.language = language
        self._strings = _catalogue(locales, language)

    def __call__(self, message: str, **values: Any) -> str:
        text = self._strings.get(message, message)
        return text.format(**values) if values else text


def texts_for(module_file: str) -> Callable[[App, str | None], Translator]:
    """A plugin's translator factory: ``_ = texts(app, actor.language)``, its catalogues in
    ``locales/`` next to ``module_file``; no language means the team's."""
    locales = Path(module_file).parent / "locales"

    def texts(app: App, language: str | None) -> Translator:
        return Translator(language or app.settings.language, locales)

    return texts
