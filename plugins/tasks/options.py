"""The tasks plugin's settings, from ``[plugins.tasks]`` in ``rapport.toml``."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from rapport.core.domain.enums import CustomerStatus, Role
from rapport.core.settings import Settings, plugin_options

NAME = "tasks"


class TasksOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_hour: int = Field(default=9, ge=0, le=23)
    remind_before_minutes: int = Field(default=30, ge=0, le=24 * 60)
    late_after_minutes: int = Field(default=15, ge=1)
    digest_hour: int = Field(default=8, ge=0, le=23)
    hourly_cost: dict[Role, Decimal] = Field(
        default_factory=lambda: {Role.REP: Decimal(1000), Role.MANAGER: Decimal(1500),
                                 Role.ADMIN: Decimal(1500)}
    )  # fmt: skip
    welcome_after_days: int = Field(default=1, ge=0)
    opportunity_steps: tuple[str, ...] = (
        "Send the information pack",
        "Arrange an extra visit",
        "Bring in senior management",
    )
    """Read in the owner's language where the plugin's catalogue knows them (the defaults
    do); a team's own steps as written."""
    no_contact_days: int = Field(default=30, ge=1)
    no_contact_statuses: tuple[CustomerStatus, ...] = (CustomerStatus.CUSTOMER,)
    escalate_after_days: int = Field(default=3, ge=1)
    service_sla_hours: int = Field(default=24, ge=1)


def tasks_options(settings: Settings) -> TasksOptions:
    return plugin_options(settings, NAME, TasksOptions)
