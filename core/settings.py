"""Settings from ``rapport.toml``, ``.env`` and ``RAPPORT_*`` environment variables.

Precedence, highest first: environment, ``.env``, the TOML file, defaults. Nested values
use ``__`` in the environment (``RAPPORT_TELEGRAM__TOKEN``). Secrets are ``SecretStr``:
they print as ``**********`` and are registered with the log filter in
:mod:`rapport.core.logs` so they never reach a log line.
"""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import ConfigError, InvalidInput
from rapport.core.domain.values import normalize_currency

DEFAULT_CONFIG_FILE = "rapport.toml"


Language = Literal["en", "ru", "uk"]


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: SecretStr | None = None
    bot_username: str | None = Field(default=None, pattern=r"^\w{5,32}$")
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = Field(default="0.0.0.0:8080", pattern=r"^[\w.\-\[\]:]*:\d{1,5}$")
    webhook_path: str = Field(default="/telegram", pattern=r"^/[\w\-/]*$")
    team_chat_id: int | None = None
    api_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    """A self-hosted Bot API server (``telegram-bot-api``) instead of api.telegram.org."""

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        bot_id, _, secret = value.get_secret_value().partition(":")
        if not bot_id.isdigit() or len(secret) < 20:
            raise ValueError("does not look like a bot token from @BotFather (123456:ABC...)")
        return value


class SheetsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["xlsx", "google", "off"] = "xlsx"
    path: Path = Path("rapport.xlsx")
    spreadsheet_id: str | None = None
    credentials_file: Path | None = None
    interval_seconds: int = Field(default=60, ge=10)
    # A row deleted from the sheet is put back ("restore"), or its record archived ("archive").
    deleted_rows: Literal["restore", "archive"] = "restore"
    # A field changed in the sheet and elsewhere since the last sync: which side wins.
    conflicts: Literal["database", "sheet"] = "database"
    # Who sheet edits are made by (a user's name or id), with that person's rights.
    editor: str | None = None


class CliSettings(BaseModel):
    """Who ``rapport`` commands act as when not told ``--as``: a user's name or id."""

    model_config = ConfigDict(extra="forbid")

    user: str | None = None


class PluginSettings(BaseModel):
    """``disabled`` names plugins not to load; every other key is one plugin's own section."""

    model_config = ConfigDict(extra="allow")

    disabled: list[str] = Field(default_factory=list)

    _parsed: dict[tuple[str, type[BaseModel]], tuple[dict[str, Any], BaseModel]] = PrivateAttr(
        default_factory=dict
    )
    """Each plugin's section as its model read it, next to a copy of the section it read:
    asked on every change (a plugin's rule reads its options), parsed only when it differs."""

    def options(self, plugin: str) -> dict[str, Any]:
        section = (self.model_extra or {}).get(plugin, {})
        if not isinstance(section, dict):
            raise ConfigError(f"plugins.{plugin}: must be a table of settings")
        return section


class CustomFieldSettings(BaseModel):
    """A field a team declares in its config instead of in code."""

    model_config = ConfigDict(extra="forbid")

    entity: Literal["customer", "deal", "interaction"] = "customer"
    name: str
    type: FieldType
    label: str
    labels: dict[str, str] = Field(default_factory=dict)
    choices: list[str] = Field(default_factory=list)
    required: bool = False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RAPPORT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    database_url: str = "sqlite:///rapport.db"
    default_region: str = "RU"
    timezone: str = "UTC"
    language: Language = "en"
    currency: str = "RUB"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    redis_url: SecretStr | None = None
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    sheets: SheetsSettings = Field(default_factory=SheetsSettings)
    cli: CliSettings = Field(default_factory=CliSettings)
    plugins: PluginSettings = Field(default_factory=PluginSettings)
    fields: list[CustomFieldSettings] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file reaches us as init arguments (see load_settings); the environment
        # must still override it, as every twelve-factor deployment expects.
        return env_settings, dotenv_settings, init_settings, file_secret_settings

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL (sqlite:///rapport.db, postgresql://...)"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:// and postgresql:// databases are supported")
        return value

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(
                "is not a two-letter country code known to phone numbering (RU, UA, GB...)"
            )
        return value.upper()

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        try:
            return normalize_currency(value)
        except InvalidInput:
            raise ValueError("is not an ISO 4217 currency code in use (RUB, UAH, EUR...)") from None

    @field_validator("fields")
    @classmethod
    def _fields_once(cls, value: list[CustomFieldSettings]) -> list[CustomFieldSettings]:
        seen: set[tuple[str, str]] = set()
        for spec in value:
            key = (spec.entity, spec.name)
            if key in seen:
                raise ValueError(f"{spec.entity}.{spec.name} is declared twice")
            seen.add(key)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "is not an IANA time zone (Europe/Moscow, Europe/Kyiv, UTC...)"
            ) from None
        return value

    def secrets(self) -> list[str]:
        """Every secret value set, for the log filter to redact."""
        found = [self.telegram.token, self.telegram.webhook_secret, self.redis_url]
        values = [secret.get_secret_value() for secret in found if secret is not None]
        password = make_url(self.database_url).password
        return [*values, *([str(password)] if password else [])]

    def safe_database_url(self) -> str:
        return make_url(self.database_url).render_as_string(hide_password=True)


M = TypeVar("M", bound=BaseModel)


def plugin_options(settings: Settings, plugin: str, model: type[M]) -> M:
    """A plugin's own section (``[plugins.NAME]``), checked against its model; a bad value
    becomes one ConfigError naming each setting, which stops start-up.
    """
    section = settings.plugins.options(plugin)
    known = settings.plugins._parsed.get((plugin, model))
    if known is not None and known[0] == section:
        return cast(M, known[1])
    try:
        parsed = model.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            f"plugins.{plugin}.{'.'.join(map(str, e['loc']))}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise ConfigError(f"Bad settings: {problems}") from None
    settings.plugins._parsed[plugin, model] = (copy.deepcopy(section), parsed)
    return parsed


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file in use: ``--config``, else ``$RAPPORT_CONFIG``, else ``./rapport.toml``."""
    return Path(explicit or os.environ.get("RAPPORT_CONFIG") or DEFAULT_CONFIG_FILE)


def load_settings(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    """Read settings, turning every problem into one :class:`ConfigError` naming its source."""
    file = config_path(path)
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML ({exc})") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{file}: not UTF-8 text") from None
    elif path is not None:
        raise ConfigError(f"{file}: no such config file")
    data.update(overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, file)) from None


def _describe(error: ValidationError, file: Path) -> str:
    lines = [f"Bad settings (from {file}, .env or RAPPORT_* variables):"]
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "is not a known setting"
        message = message[:1].lower() + message[1:]
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)
