"""Numbers and amounts as people type them, read the same way in every channel.

Grouping separators (space, no-break space, apostrophe, and comma or dot repeated or
before a decimal part) are never taken for a decimal point: a factor of a thousand is the
one mistake an amount must not make. A lone comma or dot before exactly three digits
(``7,500``, ``45.000``) groups thousands when it is not the reader's decimal separator
(an English reader's comma, a Russian reader's dot); otherwise it could be either, and
the person is asked to write it unambiguously rather than have it guessed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_decimal_symbol, list_currencies

from rapport.core.domain.errors import InvalidInput, _l

LARGEST = Decimal(10) ** 15
"""No amount or figure a team types reaches a quadrillion; anything larger is a typo."""

_SPACES = "\u0020\u00a0\u202f\u2009"
_APOSTROPHES = "'\u2019"
_SEPARATOR = re.compile(f"[{_SPACES}{_APOSTROPHES},.]")
_SHAPE = re.compile(f"[0-9]+(?:[{_SPACES}{_APOSTROPHES},.][0-9]+)*")
_SIGNS = "".join(c for c in map(chr, range(0x2100)) if unicodedata.category(c) == "Sc")
_ISO = frozenset(list_currencies())
_WORDS = r"руб\.?|р\.|грн\.?|тг\.?"
_CODE = re.compile(r"[A-Za-z]{3}")
_BEFORE = re.compile(f"^(?P<unit>[{re.escape(_SIGNS)}]|[A-Za-z]{{3}})[{_SPACES}]*")
_AFTER = re.compile(f"[{_SPACES}]*(?P<unit>[{re.escape(_SIGNS)}]|[A-Za-z]{{3}}|{_WORDS})$", re.I)
_GROUPED = re.compile(r"[1-9][0-9]{0,2}")


def parse_decimal(raw: Any, field: str, language: str | None = None) -> Decimal:
    """Read a number as a reader of ``language`` typed it: ``1 000,50``, ``1,000.50``,
    ``1.250.000``, ``7 500 ₽``. Without a language, no separator is taken for granted.

    Only finite numbers under :data:`LARGEST` pass, so ``Infinity``, ``NaN`` or a
    27-digit paste is a clear refusal, never an overflow further down.
    """
    if isinstance(raw, bool):
        raise _not_a_number(raw, field)
    if isinstance(raw, int | float | Decimal):
        number = _finite(str(raw), raw, field)
    else:
        number = _finite(_plain(str(raw), field, language), raw, field)
    # Read off the exponent, not computed: abs(Decimal("1e999999999")) overflows.
    if number and number.adjusted() >= LARGEST.adjusted():
        raise InvalidInput.one(field, _l("{value} is too large", value=repr(raw)))
    return number


def _plain(typed: str, field: str, language: str | None) -> str:
    """``typed`` as Python's Decimal reads it: digits, one optional point, a sign."""
    text = _without_currency(typed.strip())
    sign = ""
    if text[:1] in ("-", "\u2212"):
        sign, text = "-", text[1:]
    if not _SHAPE.fullmatch(text):
        raise _not_a_number(typed, field)
    digits = _SEPARATOR.split(text)
    marks = [_kind(mark) for mark in _SEPARATOR.findall(text)]
    if not marks:
        return sign + text
    point = _decimal_point(marks, digits, typed, field, language)
    whole, fraction = (digits[:-1], digits[-1]) if point else (digits, "")
    if len(whole) > 1 and not _grouped(whole):
        raise _not_a_number(typed, field)
    return sign + "".join(whole) + ("." + fraction if point else "")


def _without_currency(text: str) -> str:
    """The amount without one currency written before or after it, as Babel writes it
    for the reader (``45 000,00 ₽``, ``RUB 45,000.00``, ``7 500,00 UAH``) or a rep types
    it (``45 000 руб.``): a sign, an ISO code Babel knows, or a local abbreviation."""
    for unit in (_BEFORE, _AFTER):
        found = unit.search(text)
        if found is None:
            continue
        code = found["unit"]
        if _CODE.fullmatch(code) and code.upper() not in _ISO:
            return text  # three letters that are no currency: not an amount
        return (text[: found.start()] + text[found.end() :]).strip()
    return text


def _kind(mark: str) -> str:
    """Spaces of every width are one separator, and so are both apostrophes."""
    if mark in _SPACES:
        return " "
    return "'" if mark in _APOSTROPHES else mark


def _decimal_point(
    marks: list[str], digits: list[str], typed: str, field: str, language: str | None
) -> bool:
    """Whether the last separator is the decimal point; the others must group thousands."""
    last, before = marks[-1], marks[:-1]
    if last not in ",." or last in before:
        if len(set(marks)) > 1:
            raise _not_a_number(typed, field)
        return False  # one separator throughout: it groups thousands
    if len(set(before)) > 1:
        raise _not_a_number(typed, field)
    if before or len(digits[-1]) != 3 or not _GROUPED.fullmatch(digits[0]):
        return True  # after grouping, or not three digits, or "0,500": a decimal part
    if language is not None and last != get_decimal_symbol(language):
        return False
    whole, fraction = digits
    raise InvalidInput.one(
        field,
        _l(
            "«{value}» could be {whole} or {fraction}: type {whole}, or {cents} with two decimals",
            value=typed.strip(),
            whole=whole + fraction,
            fraction=whole + last + (fraction.rstrip("0") or "0"),
            cents=whole + last + fraction[:2],
        ),
    )


def _grouped(groups: list[str]) -> bool:
    """``1 250 000``: one to three digits first, exactly three in every later group."""
    return bool(_GROUPED.fullmatch(groups[0])) and all(len(g) == 3 for g in groups[1:])


def _finite(text: str, raw: Any, field: str) -> Decimal:
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _not_a_number(raw, field) from None
    if not number.is_finite():
        raise _not_a_number(raw, field)
    return number


def _not_a_number(raw: Any, field: str) -> InvalidInput:
    return InvalidInput.one(field, _l("{value} is not a number", value=repr(raw)))
