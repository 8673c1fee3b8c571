"""Normalisation of contact values: one canonical form in storage, whatever was typed.

Phones are stored in E.164 (``+79991234567``) so a number typed as ``8 (999) 123-45-67``
in the bot and as ``+7 999 123 45 67`` in the sheet is recognised as the same number.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import (
    CASE_INSENSITIVE_MAILBOX_NAMES,
    DOT_ATOM_TEXT,
    EMAIL_MAX_LENGTH,
)

from rapport.core.domain.errors import InvalidInput, Text, _l

MAX_ID = 2**31 - 1
"""The largest record id: ids are INTEGER columns, 32-bit on PostgreSQL (SQLite's hold 64)."""

MAX_TELEGRAM_ID = 2**63 - 1
"""Telegram's ids outgrew 32 bits long ago; they are stored as BIGINT."""

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no person types (NUL, escape...) but tab and line breaks: PostgreSQL refuses
NUL, Excel refuses the others, so no text holding them is stored."""


def normalize_phone(raw: str, default_region: str, *, field: str = "phones") -> str:
    """Return ``raw`` in E.164, reading numbers without ``+`` as local to ``default_region``."""
    e164, why = _phone_verdict(raw.strip(), default_region)
    if e164 is not None:
        return e164
    if why == _UNREADABLE:
        raise InvalidInput.one(field, _l("{value} is not a phone number", value=repr(raw)))
    if why == _NO_PLAN:
        raise InvalidInput.one(
            field, _l("{value} is not a valid number in any numbering plan", value=repr(raw))
        )
    raise InvalidInput.one(field, _impossible(why, repr(raw)))


_UNREADABLE, _NO_PLAN = -1, -2


@lru_cache(maxsize=8192)
def _phone_verdict(text: str, default_region: str) -> tuple[str | None, int]:
    """``text`` in E.164, or why not (a ``ValidationResult``, or one of the two above).

    Parsing is most of what a number costs, and an import asks about each number more
    than once (the duplicate check, then the record), so the answers are kept.
    """
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None, _UNREADABLE
    if not phonenumbers.is_possible_number(number):
        return None, phonenumbers.is_possible_number_with_reason(number)
    if not phonenumbers.is_valid_number(number):
        return None, _NO_PLAN
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), 0


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
    normalized = _email_verdict(raw.strip())
    if normalized is None:
        raise InvalidInput.one(field, _l("{value} is not an e-mail address", value=repr(raw)))
    return normalized


@lru_cache(maxsize=8192)
def _email_verdict(text: str) -> str | None:
    """``text`` normalised, or ``None`` when it is no address (kept, as phones are).

    Most addresses are plain ASCII (``client1@example.com``): their local part is kept as
    typed and only the domain is worked on, which costs the validator most of its time and
    repeats across a file. Such an address is answered from its domain's cached verdict;
    anything else (quotes, a display name, other scripts, RFC 2142 mailbox names that are
    lower-cased) is asked of the validator whole. Both give the same answer for every
    text (``tests/domain/test_email_fast_path.py``).
    """
    local, at, domain = text.rpartition("@")
    if at and _PLAIN_DOMAIN.fullmatch(domain) and _is_plain_local(local):
        normalized = _domain_verdict(domain)
        if normalized is None:
            return None
        address = f"{local}@{normalized}"
        return address if max(len(text), len(address.encode())) <= EMAIL_MAX_LENGTH else None
    return _validated_email(text)


_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9.-]+")
_MAILBOX_NAMES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


def _is_plain_local(local: str) -> bool:
    """An unquoted ASCII local part, which the validator keeps exactly as typed."""
    return (
        local.isascii()
        and DOT_ATOM_TEXT.match(local) is not None
        and local.lower() not in _MAILBOX_NAMES
    )


@lru_cache(maxsize=1024)
def _domain_verdict(domain: str) -> str | None:
    """The domain of an address as the validator normalises it, or ``None`` if refused; it
    does not depend on the local part, so ``a@`` stands for any plain one."""
    normalized = _validated_email(f"a@{domain}")
    return None if normalized is None else normalized.partition("@")[2]


def _validated_email(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


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


def one_line(raw: object, field: str) -> str:
    """What a person typed as a name, a label or a reason: one line, single spaces, and
    refused when it holds a character nobody types (NUL, escape...)."""
    text = str(raw or "")
    if CONTROL.search(text):
        raise InvalidInput.one(field, _l("contains a control character"))
    return " ".join(text.split())


def printable(text: str) -> str:
    """Stored text with the characters no person types taken out, where they cannot go: a
    workbook cell (openpyxl refuses them) or a comparison with what a sheet shows."""
    return CONTROL.sub("", text)


def zone_or(name: str | None, fallback: str) -> ZoneInfo:
    """A person's time zone, or the team's when theirs is unset or no longer valid (a zone
    stored before zones were checked, or dropped from the system's tz database)."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def parse_id(raw: object, field: str) -> int:
    """A record's number as a person typed it (``12``, ``#12``), or why it is not one."""
    text = str(raw).strip().lstrip("#")
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise InvalidInput.one(field, _l("{value} is not a record number", value=repr(raw)))
    return int(text)


def parse_count(raw: object, field: str, *, most: int = 10_000) -> int:
    """How many (a report's ``limit``): a whole number from 1 to ``most``."""
    text = str(raw).strip()
    if not text.isdigit() or not 0 < int(text) <= most:
        raise InvalidInput.one(
            field, _l("{value} is not a number from 1 to {most}", value=repr(raw), most=most)
        )
    return int(text)
