"""Words in the user's language, from gettext catalogues read by Babel, for every plugin.

Each plugin (and adapter) keeps its own ``locales/<lang>/LC_MESSAGES/messages.po`` next to
its code, with the English text as the message id, so a third-party plugin translates
itself the same way. ``pybabel extract -k _`` and ``pybabel update`` keep them in step.
The language a person reads is :func:`rapport.core.services.users.language_of`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.pofile import read_po

from rapport.core.domain.errors import CORE_CATALOGUE, Localized, Text

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


CORE_LOCALES = Path(__file__).parent / "locales"


class Translator:
    """``_("Hello, {name}", name=...)``: the text in one language, with values filled in.

    It also translates a :class:`~rapport.core.domain.errors.Text` (words kept for later,
    as errors carry them) from whichever catalogue the text names.
    """

    def __init__(self, language: str, locales: Path) -> None:
        self.language = language
        self._strings = _catalogue(locales, language)

    def __call__(self, message: str | Text, **values: Any) -> str:
        if isinstance(message, Text):
            return translate(message, self.language)
        text = self._strings.get(message, message)
        return text.format(**values) if values else text


def translate(text: str | Text, language: str) -> str:
    """``text`` in ``language``, from the catalogue it belongs to; English when untranslated."""
    if not isinstance(text, Text):
        return text
    locales = Path(text.catalogue) if text.catalogue != CORE_CATALOGUE else CORE_LOCALES
    template = _catalogue(locales, language).get(text.template, text.template)
    values = {key: _value(value, language) for key, value in text.values.items()}
    return template.format(**values) if values else template


_PACKAGE = Path(__file__).parents[1]
"""Where Rapport's own catalogues are: a stored text names them relative to it, so a
moved or reinstalled Rapport still finds them."""


def to_stored(text: str | Text) -> str | dict[str, Any]:
    """Words kept in the database (a verdict's reasons) to be read later, each time in
    the reader's language: a :class:`Text` becomes its template, values and catalogue."""
    if not isinstance(text, Text):
        return text
    catalogue = text.catalogue
    if catalogue != CORE_CATALOGUE and Path(catalogue).is_relative_to(_PACKAGE):
        catalogue = "rapport:" + Path(catalogue).relative_to(_PACKAGE).as_posix()
    values = {key: _storable(value) for key, value in text.values.items()}
    return {"template": text.template, "values": values, "catalogue": catalogue}


def from_stored(value: Any) -> str | Text:
    """What :func:`to_stored` kept, back as words to translate (plain text stays text)."""
    if not isinstance(value, dict) or not isinstance(value.get("template"), str):
        return str(value)
    catalogue = str(value.get("catalogue") or CORE_CATALOGUE)
    if catalogue.startswith("rapport:"):
        catalogue = str(_PACKAGE / catalogue.removeprefix("rapport:"))
    values = {key: from_stored(v) if isinstance(v, dict) else v
              for key, v in dict(value.get("values") or {}).items()}  # fmt: skip
    return Text(value["template"], values, catalogue)


def _storable(value: Any) -> Any:
    if isinstance(value, Text):
        return to_stored(value)
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _value(value: Any, language: str) -> Any:
    if isinstance(value, Localized):
        return value.in_language(language)
    return translate(value, language) if isinstance(value, Text) else value


class Catalogue:
    """A plugin's catalogues (``locales/`` next to its code): ``texts = texts_for(__file__)``.

    ``_ = texts(app, actor.language)`` translates now, for the person being answered;
    ``texts.lazy("No zone {zone!r}.", zone=z)`` keeps words for later (an error raised
    deep in a use case is shown in the reader's language by whoever shows it). Mark lazy
    texts ``_l = texts.lazy`` so ``pybabel extract -k _ -k _l`` finds both kinds.
    """

    def __init__(self, locales: Path) -> None:
        self.locales = locales

    def __call__(self, app: App, language: str | None) -> Translator:
        return Translator(language or app.settings.language, self.locales)

    def lazy(self, template: str, **values: Any) -> Text:
        return Text(template, values, str(self.locales))


def texts_for(module_file: str) -> Catalogue:
    """The catalogues in ``locales/`` next to ``module_file``; no language means the team's."""
    return Catalogue(Path(module_file).parent / "locales")
