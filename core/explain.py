"""An error as the person who caused it reads it: in their language, fields by their labels.

Errors are raised deep in the use cases, where the reader is not known; they carry their
words as :class:`~rapport.core.domain.errors.Text` and field keys (``amount``,
``fields.turnover``). Every adapter shows them through :func:`explain`, so the bot, the
sheet, the CLI and an import report say the same thing in the reader's language:
``Сумма: должно быть не меньше 0`` rather than ``amount: input should be ...``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.core.domain.errors import FieldProblem, InvalidInput, RapportError, Vetoed
from rapport.core.domain.fields import FieldSpec
from rapport.core.i18n import CORE_LOCALES, Translator, translate
from rapport.core.words import field_word

if TYPE_CHECKING:
    from rapport.core.bootstrap import App


def explain(app: App | None, error: RapportError, language: str | None = None) -> str:
    """``error`` for a reader of ``language`` (the team's when None)."""
    language = language or (app.settings.language if app is not None else "en")
    if isinstance(error, InvalidInput):
        return "; ".join(_problem(app, problem, language) for problem in error.problems)
    if isinstance(error, Vetoed):
        return "; ".join(translate(reason, language) for reason in error.reasons)
    return translate(error.text, language)


def field_label(app: App | None, key: str, language: str) -> str:
    """``fields.turnover`` → "Оборот"; ``lines.0.price`` → "price (1)"; else the key."""
    parts = key.split(".")
    if parts[0] == "fields" and len(parts) == 2:
        spec = _spec(app, parts[1])
        return spec.label_for(language) if spec is not None else parts[1]
    named = [part for part in parts if not part.isdigit()]
    last = named[-1] if named else key
    word = field_word(Translator(language, CORE_LOCALES), last) or last
    # ``phones.0`` is one of the phones; ``lines.2.price`` the price on the third line.
    line = next((int(part) + 1 for part in parts[:-1] if part.isdigit()), None)
    return f"{word} ({line})" if line is not None else word


def _problem(app: App | None, problem: FieldProblem, language: str) -> str:
    label = field_label(app, problem.field, language)
    return f"{label[:1].upper()}{label[1:]}: {translate(problem.reason, language)}"


def _spec(app: App | None, name: str) -> FieldSpec | None:
    if app is None:
        return None
    return next((spec for (_, field), spec in app.registry.fields.items() if field == name), None)
