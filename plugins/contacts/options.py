"""The contacts plugin's settings, from ``[plugins.contacts]`` in ``rapport.toml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rapport.core.settings import Settings, plugin_options

NAME = "contacts"


class ContactsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisation_types: tuple[str, ...] = ("client", "dealer", "supplier", "competitor", "partner")
    sources: tuple[str, ...] = (
        "recommendation",
        "website",
        "exhibition",
        "cold call",
        "advertising",
        "social media",
        "other",
    )
    consent_channels: tuple[str, ...] = ("call", "sms", "email", "telegram", "whatsapp", "visit")
    reminder_hour: int = Field(default=9, ge=0, le=23)
    reminder_days_ahead: int = Field(default=1, ge=0, le=30)
    duplicate_name_score: int = Field(default=88, ge=50, le=100)

    @field_validator("organisation_types", "sources", "consent_channels")
    @classmethod
    def _not_empty(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
        if not cleaned:
            raise ValueError("needs at least one value")
        return cleaned


def contacts_options(settings: Settings) -> ContactsOptions:
    return plugin_options(settings, NAME, ContactsOptions)
