"""Entities of the core domain as the service layer hands them to adapters and plugins.

These are plain pydantic models with no database behind them: an adapter can render
one, a plugin can read one, and neither can change stored data except through services.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from rapport.core.domain.enums import (
    Channel,
    CustomerKind,
    CustomerStatus,
    Direction,
    InteractionKind,
    Role,
    StageOutcome,
)


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class User(Entity):
    id: int
    display_name: str
    role: Role
    telegram_id: int | None
    team: str | None
    language: str | None
    timezone: str | None
    active: bool
    created_at: datetime


class Customer(Entity):
    """An organisation or a person; a person with ``organisation_id`` is a contact person."""

    id: int
    kind: CustomerKind
    name: str
    organisation_id: int | None
    position: str | None
    phones: list[str]
    emails: list[str]
    address: str | None
    owner_id: int | None
    status: CustomerStatus
    fields: dict[str, Any]
    archived: bool
    merged_into_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class Interaction(Entity):
    """One contact with a customer: a call, a visit, a message, a note..."""

    id: int
    customer_id: int
    deal_id: int | None
    kind: InteractionKind
    channel: str | None
    direction: Direction
    outcome: str | None
    duration_minutes: int | None
    summary: str
    author_id: int | None
    occurred_at: datetime
    fields: dict[str, Any]
    created_at: datetime


class Stage(Entity):
    id: int
    pipeline_id: int
    key: str
    name: str
    position: int
    probability: float
    sla_days: int | None
    outcome: StageOutcome


class Pipeline(Entity):
    id: int
    name: str
    is_default: bool
    stages: list[Stage]

    def stage(self, key_or_name: str) -> Stage | None:
        wanted = key_or_name.strip().casefold()
        for stage in self.stages:
            if wanted in (stage.key.casefold(), stage.name.casefold()):
                return stage
        return None


class Deal(Entity):
    id: int
    title: str
    customer_id: int
    owner_id: int | None
    pipeline_id: int
    stage_id: int
    status: StageOutcome
    amount: Decimal
    currency: str
    expected_close: date | None
    lost_reason: str | None
    stage_entered_at: datetime
    closed_at: datetime | None
    archived: bool = False
    fields: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class StageChange(Entity):
    id: int
    deal_id: int
    from_stage_id: int | None
    to_stage_id: int
    changed_at: datetime
    actor_id: int | None
    channel: Channel


class AuditEntry(Entity):
    """Who changed what, through which channel, with the values before and after."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None = None
    """Who acted, as named then: a person, or the part of Rapport that acted by itself."""
    channel: Channel
    entity: str
    entity_id: int
    action: str
    changes: dict[str, Any]
    note: str | None
