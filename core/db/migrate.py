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
from alembic.script.revision import ResolutionError
from sqlalchemy import Engine

from rapport.core.domain.errors import SchemaNotReady, _l
from rapport.core.extensions import MigrationSource

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
    """``applied``: the revisions the database records; ``missing``: what an upgrade would add.

    A plugin's revisions depend on the core's, so the database records only the newest
    of each line; ``missing`` is computed from the whole ancestry.
    """

    applied: frozenset[str]
    expected: frozenset[str]
    missing: frozenset[str]
    unknown: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.applied

    @property
    def current(self) -> bool:
        return not self.missing and not self.unknown


def schema_state(engine: Engine, sources: Sequence[MigrationSource] = ()) -> SchemaState:
    script = ScriptDirectory.from_config(alembic_config(engine, sources))
    with engine.connect() as connection:
        applied = frozenset(MigrationContext.configure(connection).get_current_heads())
    unknown = frozenset(rev for rev in applied if not _known(script, rev))
    done = {
        revision.revision
        for revision in script.iterate_revisions(tuple(applied - unknown), "base")
        if revision is not None
    }
    every = {revision.revision for revision in script.walk_revisions()}
    return SchemaState(applied, frozenset(script.get_heads()), frozenset(every - done), unknown)


def _known(script: ScriptDirectory, revision: str) -> bool:
    """Whether an installed plugin (or the core) provides ``revision``; asked of the
    revision map itself, since the script directory turns "unknown" into a CommandError."""
    try:
        script.revision_map.get_revision(revision)
    except ResolutionError:
        return False
    return True


def upgrade(engine: Engine, sources: Sequence[MigrationSource] = ()) -> SchemaState:
    """Create or upgrade the schema to the newest revision of the core and every plugin."""
    _refuse_unknown(schema_state(engine, sources))
    command.upgrade(alembic_config(engine, sources), "heads")
    return schema_state(engine, sources)


def require_current_schema(engine: Engine, sources: Sequence[MigrationSource] = ()) -> None:
    state = schema_state(engine, sources)
    if state.empty:
        raise SchemaNotReady(
            _l(
                "The database has no Rapport schema yet. "
                "Run `rapport init` (or `rapport db upgrade`)."
            )
        )
    _refuse_unknown(state)
    if not state.current:
        raise SchemaNotReady(
            _l(
                "The database schema is older than this version of Rapport or its plugins "
                "({count} migration(s) to apply: {missing}). "
                "Back it up, then run `rapport db upgrade`.",
                count=len(state.missing),
                missing=", ".join(sorted(state.missing)),
            )
        )


def _refuse_unknown(state: SchemaState) -> None:
    """A revision no installed plugin provides: its plugin was uninstalled. Nothing can be
    migrated safely around it, so the user hears which one, and what brings it back."""
    if state.unknown:
        raise SchemaNotReady(
            _l(
                "The database has migrations this installation does not know "
                "({unknown}): the plugin that created them is not "
                "installed (or fails to load: see `rapport plugins`). Install it again.",
                unknown=", ".join(sorted(state.unknown)),
            )
        )
