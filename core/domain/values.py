"""Normalisation of contact values: one canonical form in storage, whatever was typed.

Phones are stored in E.164 (``+79991234567``) so a number typed as ``8 (999) 123-45-67``
in the bot and as ``+7 999 123 45 67`` in the sheet is recognised as the same number.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from rapport.core.domain.errors import InvalidInput, Text, _l


def normalize_phone(raw: str, default_region: str, *, field: str = "phones") -> str:
    """Return ``raw`` in E.164, reading numbers without ``+`` as local to ``default_region``."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput.one(field, _l("{value} is not a phone number", value=repr(raw))) from exc
    if not phonenumbers.is_possible_number(number):
        why = phonenumbers.is_possible_number_with_reason(number)
        raise InvalidInput.one(field, _impossible(why, repr(raw)))
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput.one(
            field, _l("{value} is not a valid number in any numbering plan", value=repr(raw))
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _impossible(why: int, value: str) -> Text:
    if why == phonenumbers.ValidationResult.TOO_SHORT:
        return _l("{value} is too short", value=value)
    if why == phonenumbers.ValidationResult.TOO_LONG:
        return _l("{value} is too long", value=value)
    if why == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        return _l("{value} has an unknown country code", value=value)
    return _l("{value} has the wrong length", value=value)


def normalize_email(raw: str, *, field: str = "emails") -> str:
    """Return the address with its domain lower-cased, or explain why it is not one."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput.one(
            field, _l("{value} is not an e-mail address", value=repr(raw))
        ) from exc
    return result.normalized


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today (not RUR, DEM...), from Babel's CLDR data."""
    return frozenset(
        code
        for spans in get_global("territory_currencies").values()
        for code, _start, end, tender in spans
        if end is None and tender
    )


def normalize_currency(raw: str, *, field: str = "currency") -> str:
    code = raw.strip().upper()
    if code not in known_currencies():
        raise InvalidInput.one(
            field, _l("{value} is not a known ISO 4217 currency code", value=repr(raw))
        )
    return code
