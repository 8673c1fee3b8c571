"""Normalisation of contact values: one canonical form in storage, whatever was typed.

Phones are stored in E.164 (``+79991234567``) so a number typed as ``8 (999) 123-45-67``
in the bot and as ``+7 999 123 45 67`` in the sheet is recognised as the same number.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from rapport.core.domain.errors import InvalidInput


def normalize_phone(raw: str, default_region: str, *, field: str = "phones") -> str:
    """Return ``raw`` in E.164, reading numbers without ``+`` as local to ``default_region``."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput.one(field, f"{raw!r} is not a phone number ({exc._msg})") from exc
    if not phonenumbers.is_possible_number(number):
        reason = _POSSIBILITY_REASONS.get(
            phonenumbers.is_possible_number_with_reason(number), "has the wrong length"
        )
        raise InvalidInput.one(field, f"{raw!r} {reason}")
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput.one(field, f"{raw!r} is not a valid number in any numbering plan")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_POSSIBILITY_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "is too short",
    phonenumbers.ValidationResult.TOO_LONG: "is too long",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "has an unknown country code",
    phonenumbers.ValidationResult.INVALID_LENGTH: "has the wrong length",
}


def normalize_email(raw: str, *, field: str = "emails") -> str:
    """Return the address with its domain lower-cased, or explain why it is not one."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput.one(field, f"{raw!r} is not an e-mail address ({exc})") from exc
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
        raise InvalidInput.one(field, f"{raw!r} is not a known ISO 4217 currency code")
    return code
