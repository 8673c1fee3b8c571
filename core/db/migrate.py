"""Schema migrations for the core and every plugin, and the check made at start-up.

The core's revisions and each plugin's (registered through ``register_migrations``) live
in one Alembic script directory with several version folders; ``upgrade`` takes every
branch to its head. The application refuses to start on an older schema and says how to
upgrade, instead of failing later on a missing column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from core.domain.errors import SchemaNotReady
from core.extensions import MigrationSource

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine, sources: Sequence[MigrationSource] = ()) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    locations = [MIGRATIONS / "versions", *(source.path for source in sources)]
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    config.attributes["engine"] = engine
    return config


@dataclass(frozen=True)
class SchemaState:
    applied: frozenset[str]
    expected: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.applied

    @property
    def current(self) -> bool:
        return self.applied == self.expected


def schema_state(engine: Engine, sources: Sequence[MigrationSource] = ()) -> SchemaState:
    script = ScriptDirectory.from_config(alembic_config(engine, sources))
    with engine.connect() as connection:
        applied = MigrationContext.configure(connection).get_current_heads()
    return SchemaState(frozenset(applied), frozenset(script.get_heads()))


def upgrade(engine: Engine, sources: Sequence[MigrationSource] = ()) -> SchemaState:
    """Create or upgrade the schema to the newest revision of the core and every plugin."""
    command.upgrade(alembic_config(engine, sources), "heads")
    return schema_state(engine, sources)


def require_current_schema(engine: Engine, sources: Sequence[MigrationSource] = ()) -> None:
    state = schema_state(engine, sources)
    if state.empty:
        raise SchemaNotReady(
            "The database has no Rapport schema yet. Run `rapport init` (or `rapport db upgrade`)."
        )
    if not state.current:
        raise SchemaNotReady(
            "The database schema is older than this version of Rapport or its plugins "
            f"(database at {', '.join(sorted(state.applied))}; code expects "
            f"{', '.join(sorted(state.expected))}). Back it up, then run `rapport db upgrade`."
        )
