"""Values typed on the command line, refused in the reader's language.

click's own refusals ("Invalid value for 'ROLE'...") are English only; these types refuse
with a Rapport error instead, which the ``rapport`` group explains in the terminal's
language, the field named as the chat names it ("Роль: 'boss' — не из списка: ...").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from rapport.core.domain.errors import InvalidInput, _l
from rapport.core.domain.values import MAX_TELEGRAM_ID, parse_id


class Parsed(click.ParamType[Any]):
    """A value read by the parser the chat uses for it (``parse_id`` for a record number)."""

    def __init__(self, name: str, parse: Callable[[object, str], Any]) -> None:
        self.name = name
        self._parse = parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return self._parse(value, (param.name if param else None) or self.name)


class OneOf(click.Choice[str]):
    """A closed vocabulary (roles, record kinds): the stored words are typed, as in the chat."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in self.choices:
            return str(value)
        field = (param.name if param else None) or "value"
        listed = ", ".join(str(choice) for choice in self.choices)
        raise InvalidInput.one(
            field, _l("{value} is not one of: {choices}", value=repr(value), choices=listed)
        )


RECORD_ID = Parsed("record", parse_id)
"""A record's number (``12`` or ``#12``), checked before it reaches a query."""


def parse_telegram_id(raw: object, field: str) -> int:
    """A Telegram account's number, as the bot reports it (a positive whole number)."""
    text = str(raw).strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_TELEGRAM_ID:
        raise InvalidInput.one(field, _l("{value} is not a number", value=repr(raw)))
    return int(text)


TELEGRAM_ID = Parsed("telegram_id", parse_telegram_id)
