"""Fields declared once by a plugin (or a user's settings) and shown everywhere.

A :class:`FieldSpec` is all an adapter needs to render a form question, a card line or a
sheet column, and all the service layer needs to validate a value, so a plugin that adds
"turnover" to customers writes no bot or sheet code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import InvalidInput, Localized, Text, _l
from rapport.core.domain.numbers import parse_decimal
from rapport.core.domain.values import CONTROL

Entity = Literal["customer", "deal", "interaction"]
FieldValue = str | int | float | bool | list[str] | None

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TRUE = {"true", "yes", "y", "1", "да", "д", "так", "+", "x", "✓"}
_FALSE = {"false", "no", "n", "0", "нет", "н", "ні", "-", ""}


def _refusal(reason: Text) -> PydanticCustomError:
    """A validator's refusal kept as words to translate (see ``commands.field_problem``)."""
    return PydanticCustomError("domain", "{reason}", {"reason": reason})


class FieldSpec(BaseModel):
    """A typed custom field on customers, deals or interactions.

    ``labels`` maps a language code to the label in that language; ``label`` is the
    fallback. ``choice_labels`` names the choices per language (``{"ru": {"retail":
    "Розница"}}``): the stored value stays the choice, a person may type either, and
    cards show the label. ``validator`` may return a reason to reject a value that passed
    the type check (a string, or a lazy ``Text`` to be shown in the reader's language).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    entity: Entity
    name: str
    type: FieldType
    label: str
    labels: dict[str, str] = Field(default_factory=dict)
    choices: tuple[str, ...] = ()
    choice_labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    required: bool = False
    help: str = ""
    max_length: int = 1000
    validator: Callable[[FieldValue], str | Text | None] | None = None
    owner: str = ""

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not _NAME.match(value):
            raise _refusal(
                _l("use lower-case letters, digits and underscores, starting with a letter")
            )
        return value

    @model_validator(mode="after")
    def _choices_match_type(self) -> FieldSpec:
        wants_choices = self.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE)
        if wants_choices and not self.choices:
            raise _refusal(_l("a {type} field needs a list of choices", type=self.type.value))
        if self.choices and not wants_choices:
            raise _refusal(_l("a {type} field cannot have choices", type=self.type.value))
        return self

    def label_for(self, language: str | None) -> str:
        return self.labels.get(language or "", self.label)

    def choice_label(self, choice: str, language: str | None) -> str:
        return self.choice_labels.get(language or "", {}).get(choice, choice)

    def show(self, value: FieldValue, language: str | None) -> str:
        """A stored value as a reader of ``language`` sees it on a card."""
        if isinstance(value, list):
            return ", ".join(self.choice_label(str(item), language) for item in value)
        if isinstance(value, bool):
            return "✓" if value else "✗"
        if isinstance(value, str) and value in self.choices:
            return self.choice_label(value, language)
        return "" if value is None else str(value)

    def coerce(self, raw: Any) -> FieldValue:
        """Turn what a person typed (or an API sent) into the stored value, or explain why not."""
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            if self.required:
                raise InvalidInput.one(self.name, _l("is required"))
            return None
        value = _COERCERS[self.type](self, raw)
        if self.validator is not None and (reason := self.validator(value)):
            raise InvalidInput.one(self.name, reason)
        return value


def _text(spec: FieldSpec, raw: Any) -> str:
    text = str(raw).strip()
    if CONTROL.search(text):
        raise InvalidInput.one(spec.name, _l("contains a control character"))
    if len(text) > spec.max_length:
        raise InvalidInput.one(
            spec.name, _l("is longer than {limit} characters", limit=spec.max_length)
        )
    return text


def _number(spec: FieldSpec, raw: Any) -> int | float:
    number = parse_decimal(raw, spec.name)
    return int(number) if number == number.to_integral_value() else float(number)


def _money(spec: FieldSpec, raw: Any) -> int | float:
    number = parse_decimal(raw, spec.name).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number < 0:
        raise InvalidInput.one(spec.name, _l("cannot be negative"))
    return int(number) if number == number.to_integral_value() else float(number)


def parse_date(raw: Any, field: str) -> date:
    """Accept ISO dates and the ``dd.mm.yyyy`` form common in Russian and Ukrainian sheets."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidInput.one(
        field, _l("{value} is not a date (write it as 2026-03-31 or 31.03.2026)", value=repr(raw))
    )


def _date(spec: FieldSpec, raw: Any) -> str:
    return parse_date(raw, spec.name).isoformat()


def _choice(spec: FieldSpec, raw: Any) -> str:
    """The choice itself, or its label in any language, whatever the letter case."""
    wanted = str(raw).strip().casefold()
    for choice in spec.choices:
        if choice.casefold() == wanted:
            return choice
    for labels in spec.choice_labels.values():
        for choice, label in labels.items():
            if label.casefold() == wanted and choice in spec.choices:
                return choice
    choices = Localized(
        ", ".join(spec.choices),
        {language: ", ".join(spec.choice_label(c, language) for c in spec.choices)
         for language in spec.choice_labels},
    )  # fmt: skip
    raise InvalidInput.one(
        spec.name, _l("{value} is not one of: {choices}", value=repr(raw), choices=choices)
    )


def _multi_choice(spec: FieldSpec, raw: Any) -> list[str]:
    items = raw if isinstance(raw, list | tuple | set) else str(raw).split(",")
    picked = [_choice(spec, item) for item in items if str(item).strip()]
    return sorted(set(picked), key=spec.choices.index)


def _boolean(spec: FieldSpec, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput.one(spec.name, _l("{value} is not yes or no", value=repr(raw)))


_COERCERS: dict[FieldType, Callable[[FieldSpec, Any], FieldValue]] = {
    FieldType.TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.MONEY: _money,
    FieldType.DATE: _date,
    FieldType.CHOICE: _choice,
    FieldType.MULTI_CHOICE: _multi_choice,
    FieldType.BOOLEAN: _boolean,
}
