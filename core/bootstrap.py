"""Wires settings, database, plugins and registry into one :class:`App`.

The CLI, the adapters and the tests all build the application here, so a test runs the
same graph as production with test settings.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from rapport.core.db.engine import READ_ONLY, check_reachable, make_engine
from rapport.core.db.migrate import require_current_schema
from rapport.core.db.session import RapportSession
from rapport.core.domain.errors import ConfigError
from rapport.core.extensions import MigrationSource
from rapport.core.hooks import Hooks
from rapport.core.plugins import BUILTIN_PLUGINS, PluginSet, make_plugin_manager
from rapport.core.registry import Registry
from rapport.core.settings import Settings

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(eq=False)
class App:
    """Everything a use case needs; service functions take it as their first argument.

    Compared and hashed by identity, so plugins can keep per-application caches.
    """

    settings: Settings
    engine: Engine
    plugins: PluginSet
    hooks: Hooks
    registry: Registry
    migrations: list[MigrationSource]
    clock: Clock = utc_now
    sessions: sessionmaker[Session] = field(init=False)
    read_sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, class_=RapportSession, expire_on_commit=False)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}),
            class_=RapportSession,
            expire_on_commit=False,
        )

    async def start(self) -> None:
        """Bind async plugin work to the running loop and run the ``startup`` hooks."""
        self.hooks.bind_loop(asyncio.get_running_loop())
        await self.hooks.startup(self)

    async def stop(self) -> None:
        await self.hooks.drain()
        await self.hooks.shutdown(self)
        self.hooks.bind_loop(None)

    def close(self) -> None:
        self.hooks.close()
        self.engine.dispose()


def build_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    builtins: Sequence[str] = BUILTIN_PLUGINS,
    extra_plugins: Sequence[tuple[str, object]] = (),
    load_entry_points: bool = True,
    check_schema: bool = True,
    engine: Engine | None = None,
) -> App:
    """Build the application; with ``check_schema`` it refuses an old or missing schema."""
    plugins = make_plugin_manager(
        disabled=settings.plugins.disabled,
        builtins=builtins,
        extra=extra_plugins,
        load_entry_points=load_entry_points,
    )
    _check_plugin_sections(settings, plugins)
    hooks = Hooks(plugins.manager)
    migrations = [
        *hooks.register_migrations(),
        *Hooks(plugins.dormant_manager()).register_migrations(),
    ]
    engine = engine or make_engine(settings.database_url)
    check_reachable(engine)
    if check_schema:
        require_current_schema(engine, migrations)
    return App(
        settings=settings,
        engine=engine,
        plugins=plugins,
        hooks=hooks,
        registry=Registry.collect(hooks, settings),
        migrations=migrations,
        clock=clock,
    )


def _check_plugin_sections(settings: Settings, plugins: PluginSet) -> None:
    """A ``[plugins.NAME]`` section or a disabled name no installed plugin answers to is a
    typo: ignoring it would silently run the team on the defaults."""
    known = {info.name for info in plugins.infos}
    named = [*(settings.plugins.model_extra or {}), *settings.plugins.disabled]
    for name in named:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"plugins.{name}: no plugin named {name!r} is installed{hint}; "
                f"installed: {', '.join(sorted(known))}"
            )
