"""What callers send to the service layer, validated at the boundary.

Each model is the input of one use case. Values that need settings to check (a phone
read in the team's default region, a custom field declared by a plugin) are finished by
the service, which reports every problem with the field's name.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from rapport.core.domain.enums import CustomerKind, CustomerStatus, Direction, InteractionKind, Role
from rapport.core.domain.errors import FieldProblem, InvalidInput

CENT = Decimal("0.01")
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=16, decimal_places=2),
    # 500 and 500.00 are the same amount: store, compare and audit them alike.
    AfterValidator(lambda amount: amount.quantize(CENT)),
]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NewUser(Command):
    display_name: Name
    role: Role = Role.REP
    telegram_id: int | None = Field(default=None, gt=0)
    team: ShortText | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    timezone: str | None = None


class NewCustomer(Command):
    name: Name
    kind: CustomerKind = CustomerKind.ORGANISATION
    organisation_id: int | None = None
    position: ShortText | None = None
    phones: list[str] = Field(default_factory=list, max_length=20)
    emails: list[str] = Field(default_factory=list, max_length=20)
    address: ShortText | None = None
    owner_id: int | None = None
    status: CustomerStatus = CustomerStatus.PROSPECT
    fields: dict[str, Any] = Field(default_factory=dict)


class CustomerPatch(Command):
    """Only the fields a caller sets are changed; ``fields`` merges into the custom fields."""

    name: Name | None = None
    kind: CustomerKind | None = None
    organisation_id: int | None = None
    position: ShortText | None = None
    phones: list[str] | None = Field(default=None, max_length=20)
    emails: list[str] | None = Field(default=None, max_length=20)
    address: ShortText | None = None
    owner_id: int | None = None
    status: CustomerStatus | None = None
    fields: dict[str, Any] | None = None


class NewInteraction(Command):
    customer_id: int
    kind: InteractionKind
    summary: LongText = ""
    deal_id: int | None = None
    channel: Annotated[str, StringConstraints(to_lower=True, max_length=40)] | None = None
    direction: Direction = Direction.OUTBOUND
    outcome: ShortText | None = None
    duration_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    occurred_at: datetime | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class NewDeal(Command):
    title: Name
    customer_id: int
    amount: Money = Decimal(0)
    currency: str | None = None
    owner_id: int | None = None
    pipeline_id: int | None = None
    stage: str | None = None
    expected_close: date | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class DealPatch(Command):
    title: Name | None = None
    amount: Money | None = None
    currency: str | None = None
    owner_id: int | None = None
    expected_close: date | None = None
    fields: dict[str, Any] | None = None


C = TypeVar("C", bound=Command)


def parse_command(model: type[C], data: C | dict[str, Any]) -> C:
    """Validate ``data`` as ``model``, turning pydantic's errors into one :class:`InvalidInput`."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput([_problem(error) for error in exc.errors()]) from None


def _problem(error: Any) -> FieldProblem:
    field = ".".join(str(part) for part in error["loc"]) or "input"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "is not a known field"
    elif error["type"] == "string_too_short":
        message = "must not be empty"
    return FieldProblem(field, message[0].lower() + message[1:])
