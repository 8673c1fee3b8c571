"""The sales plugin's settings, from ``[plugins.sales]`` in ``rapport.toml``."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rapport.core.domain.enums import Role, StageOutcome
from rapport.core.settings import Settings, plugin_options
from rapport.plugins.sales.scoring import MIN_HISTORY

NAME = "sales"


class StageOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    probability: float = Field(ge=0, le=1)
    sla_days: int | None = Field(default=None, ge=1)
    outcome: StageOutcome = StageOutcome.OPEN


class PipelineOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    stages: tuple[StageOptions, ...]

    @model_validator(mode="after")
    def _shape(self) -> PipelineOptions:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError(f"pipeline {self.name!r}: stage keys repeat")
        outcomes = {s.outcome for s in self.stages}
        if not {StageOutcome.OPEN, StageOutcome.WON, StageOutcome.LOST} <= outcomes:
            raise ValueError(f"pipeline {self.name!r} needs open stages, a won and a lost stage")
        return self


class SalesOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    deal_word: dict[str, str] = Field(
        default_factory=lambda: {"en": "deal", "ru": "сделка", "uk": "угода"}
    )
    opportunity_threshold: Decimal = Field(default=Decimal(1_000_000), ge=0)
    lost_reasons: tuple[str, ...] = (
        "price", "competitor", "no budget", "no decision", "timing", "requirements", "other",
    )  # fmt: skip
    require_lost_reason: bool = True
    discount_limits: dict[Role, float] = Field(
        default_factory=lambda: {Role.REP: 10.0, Role.MANAGER: 25.0, Role.ADMIN: 100.0}
    )
    pipelines: tuple[PipelineOptions, ...] = ()
    scoring_min_history: int = Field(default=MIN_HISTORY, ge=1)
    """Closed deals the win chance is learned from before it replaces the stage's."""

    @field_validator("lost_reasons")
    @classmethod
    def _reasons(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(dict.fromkeys(v.strip().casefold() for v in values if v.strip()))
        if not cleaned:
            raise ValueError("needs at least one reason")
        return cleaned

    @field_validator("discount_limits")
    @classmethod
    def _limits(cls, limits: dict[Role, float]) -> dict[Role, float]:
        for role, limit in limits.items():
            if not 0 <= limit <= 100:
                raise ValueError(f"{role}: a discount limit is a percentage from 0 to 100")
        return limits

    def word(self, language: str | None) -> str:
        """What the team calls a sale ("deal", "order", "project"), in ``language``."""
        return self.deal_word.get(language or "en") or next(iter(self.deal_word.values()))

    def discount_limit(self, role: Role) -> float:
        return self.discount_limits.get(role, 0.0)


def sales_options(settings: Settings) -> SalesOptions:
    return plugin_options(settings, NAME, SalesOptions)
