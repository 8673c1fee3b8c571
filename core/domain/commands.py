"""What callers send to the service layer, validated at the boundary.

Each model is the input of one use case. Values that need settings to check (a phone
read in the team's default region, a custom field declared by a plugin) are finished by
the service, which reports every problem with the field's name.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from rapport.core.domain.enums import CustomerKind, CustomerStatus, Direction, InteractionKind, Role
from rapport.core.domain.errors import FieldProblem, InvalidInput, Text, _l
from rapport.core.domain.fields import parse_date
from rapport.core.domain.numbers import parse_decimal
from rapport.core.domain.values import CONTROL, MAX_ID, MAX_TELEGRAM_ID

CENT = Decimal("0.01")


def _printable(text: str) -> str:
    """Refuses characters nobody types (NUL, escape...): PostgreSQL rejects NUL outright."""
    if CONTROL.search(text):
        raise PydanticCustomError("control_character", "contains a control character")
    return text


def _one_line(text: str) -> str:
    """A name is one line: tabs and line breaks pasted with it become single spaces."""
    return " ".join(_printable(text).split())


def _zone(name: str) -> str:
    """An IANA time zone (``Europe/Moscow``): a reminder is read in it every day."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError("time_zone", "is not a time zone") from None
    return name


def _typed_amount(raw: Any) -> Any:
    """An amount typed as text (a sheet cell, a CSV column, a CLI argument) is read by the
    one parser every channel uses; the parser's refusal is kept in its own words."""
    if not isinstance(raw, str):
        return raw
    try:
        return parse_decimal(raw, "amount")
    except InvalidInput as refused:
        reason = refused.problems[0].reason
        raise PydanticCustomError("domain", "{reason}", {"reason": reason}) from None


def _typed_day(raw: Any) -> Any:
    """A date typed as text (``01.03.2027`` in the bot, the sheet or the CLI) is read by
    the one date parser every date field uses, not by ISO alone."""
    if not isinstance(raw, str) or not raw.strip():
        return raw or None
    try:
        return parse_date(raw, "date")
    except InvalidInput as refused:
        reason = refused.problems[0].reason
        raise PydanticCustomError("domain", "{reason}", {"reason": reason}) from None


Id = Annotated[int, Field(gt=0, le=MAX_ID)]
"""A record's id: positive, and within what both databases store."""
Day = Annotated[date, BeforeValidator(_typed_day)]
TelegramId = Annotated[int, Field(gt=0, le=MAX_TELEGRAM_ID)]
TimeZone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_zone)]
Name = Annotated[
    str,
    AfterValidator(_one_line),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
]
Title = Annotated[
    str,
    AfterValidator(_one_line),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
]
"""A task's title: one line, never empty, longer than a name may be."""
ShortText = Annotated[
    str, AfterValidator(_printable), StringConstraints(strip_whitespace=True, max_length=500)
]
LongText = Annotated[
    str, AfterValidator(_printable), StringConstraints(strip_whitespace=True, max_length=10_000)
]
Money = Annotated[
    Decimal,
    BeforeValidator(_typed_amount),
    # What NUMERIC(16, 2) holds; said here, since a total rounded up to 10^14 has no more
    # digits to pydantic than 1E+14 and would only fail in the database.
    Field(ge=0, le=Decimal("99999999999999.99"), max_digits=16, decimal_places=2),
    # 500 and 500.00 are the same amount: store, compare and audit them alike.
    AfterValidator(lambda amount: amount.quantize(CENT)),
]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewUser(Command):
    display_name: Name
    role: Role = Role.REP
    telegram_id: TelegramId | None = None
    team: ShortText | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    timezone: TimeZone | None = None


class NewCustomer(Command):
    name: Name
    kind: CustomerKind = CustomerKind.ORGANISATION
    organisation_id: Id | None = None
    position: ShortText | None = None
    phones: list[str] = Field(default_factory=list, max_length=20)
    emails: list[str] = Field(default_factory=list, max_length=20)
    address: ShortText | None = None
    owner_id: Id | None = None
    status: CustomerStatus = CustomerStatus.PROSPECT
    fields: dict[str, Any] = Field(default_factory=dict)


class CustomerPatch(Command):
    """Only the fields a caller sets are changed; ``fields`` merges into the custom fields."""

    name: Name | None = None
    kind: CustomerKind | None = None
    organisation_id: Id | None = None
    position: ShortText | None = None
    phones: list[str] | None = Field(default=None, max_length=20)
    emails: list[str] | None = Field(default=None, max_length=20)
    address: ShortText | None = None
    owner_id: Id | None = None
    status: CustomerStatus | None = None
    fields: dict[str, Any] | None = None


class NewInteraction(Command):
    customer_id: Id
    kind: InteractionKind
    summary: LongText = ""
    deal_id: Id | None = None
    channel: Annotated[str, StringConstraints(to_lower=True, max_length=40)] | None = None
    direction: Direction = Direction.OUTBOUND
    outcome: ShortText | None = None
    duration_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    occurred_at: datetime | None = None
    author_id: Id | None = None
    """Who talked to the customer, when not the person logging it (a manager logging a
    rep's call); their rights decide whether they may log for that person."""
    fields: dict[str, Any] = Field(default_factory=dict)


class InteractionPatch(Command):
    """What may be added to a logged call or visit afterwards: its outcome, a fuller
    summary, a custom field (the topic a rep taps after the outcome)."""

    summary: LongText | None = None
    outcome: ShortText | None = None
    fields: dict[str, Any] | None = None


class NewDeal(Command):
    title: Name
    customer_id: Id
    amount: Money = Decimal(0)
    currency: str | None = None
    owner_id: Id | None = None
    pipeline_id: Id | None = None
    stage: str | None = None
    expected_close: Day | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class DealPatch(Command):
    title: Name | None = None
    amount: Money | None = None
    currency: str | None = None
    owner_id: Id | None = None
    expected_close: Day | None = None
    fields: dict[str, Any] | None = None


C = TypeVar("C", bound=Command)


def parse_command(model: type[C], data: C | dict[str, Any]) -> C:
    """Validate ``data`` as ``model``, turning pydantic's errors into one :class:`InvalidInput`."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput([field_problem(error) for error in exc.errors()]) from None


def field_problem(error: Any, whole: str = "input") -> FieldProblem:
    """One of pydantic's errors (``ValidationError.errors()``) in words a person reads, in
    their language once shown; ``whole`` names the field of a check over the whole model."""
    field = ".".join(str(part) for part in error["loc"]) or whole
    return FieldProblem(field, _reason(error["type"], error.get("ctx") or {}, error["msg"]))


def _reason(kind: str, ctx: dict[str, Any], message: str) -> Text:
    if kind == "domain":
        reason: Text = ctx["reason"]
        return reason
    if kind == "missing":
        return _l("is required")
    if kind == "extra_forbidden":
        return _l("is not a known field")
    if kind in ("string_too_short", "too_short"):
        return _l("must not be empty")
    if kind == "string_too_long":
        return _l("is longer than {limit} characters", limit=ctx.get("max_length", "?"))
    if kind == "too_long":
        return _l("has more than {limit} items", limit=ctx.get("max_length", "?"))
    if kind == "greater_than_equal":
        return _l("must be at least {minimum}", minimum=ctx.get("ge", 0))
    if kind == "greater_than":
        return _l("must be more than {minimum}", minimum=ctx.get("gt", 0))
    if kind == "less_than_equal":
        return _l("must be at most {maximum}", maximum=ctx.get("le", 0))
    if kind == "less_than":
        return _l("must be less than {maximum}", maximum=ctx.get("lt", 0))
    if kind == "int_from_float":
        return _l("must be a whole number")
    if kind in ("int_parsing", "int_type", "decimal_parsing", "decimal_type", "float_parsing",
                "float_type", "finite_number", "int_parsing_size"):  # fmt: skip
        return _l("must be a number")
    if kind == "multiple_of":
        return _l("must be a multiple of {multiple}", multiple=ctx.get("multiple_of", 1))
    if kind in ("bool_parsing", "bool_type"):
        return _l("must be yes or no")
    if kind in ("string_type", "string_unicode"):
        return _l("must be text")
    if kind == "string_pattern_mismatch":
        return _l("is not in the expected form")
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type"):
        return _l("must be a list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _l("must be a set of named values")
    if kind in ("url_parsing", "url_type", "url_scheme"):
        return _l("is not a web address")
    if kind in ("time_parsing", "time_type"):
        return _l("is not a time (write it as 14:30)")
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return _l("is too large")
    if kind == "decimal_max_places":
        return _l("has more than {places} decimal places", places=ctx.get("decimal_places", 2))
    if kind.startswith(("date", "datetime")):
        return _l("is not a date (write it as 2026-03-31 or 31.03.2026)")
    if kind in ("enum", "literal_error"):
        return _l("must be one of: {choices}", choices=ctx.get("expected", ""))
    if kind == "time_zone":
        return _l("is not a time zone, e.g. Europe/Moscow")
    if kind == "control_character":
        return _l("contains a control character")
    if kind == "value_error":
        return _l(message.removeprefix("Value error, "))
    return _l("is not valid here")
