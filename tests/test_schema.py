"""Migrations: the schema is created, upgraded with plugins, and an old one is refused."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from rapport import hookimpl
from rapport.core.bootstrap import build_app
from rapport.core.db.base import Base
from rapport.core.db.engine import make_engine
from rapport.core.db.migrate import alembic_config, schema_state, upgrade
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import SchemaNotReady
from rapport.core.extensions import MigrationSource
from rapport.core.hooks import Hooks
from rapport.core.plugins import make_plugin_manager
from rapport.core.settings import Settings

PINNED = MigrationSource("pinned", Path(__file__).parent / "plugin_modules" / "pinned_migrations")


def builtin_sources():
    return Hooks(make_plugin_manager(load_entry_points=False).manager).register_migrations()


class Pinned:
    @hookimpl
    def register_migrations(self, register):
        register(PINNED)


def test_models_and_migrations_describe_the_same_schema(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_an_empty_database_is_refused_with_the_command_to_run(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(SchemaNotReady, match="Run `rapport init`"):
        build_app(settings, load_entry_points=False)


@pytest.fixture
def pinned_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    # Leave the shared test database as the other tests expect it.
    command.downgrade(alembic_config(engine, [*builtin_sources(), PINNED]), "pinned@base")
    engine.dispose()


def test_a_new_plugin_with_tables_asks_for_an_upgrade_then_works(pinned_engine, database_url):
    settings = Settings(database_url=database_url)
    with pytest.raises(SchemaNotReady, match="run `rapport db upgrade`"):
        build_app(settings, extra_plugins=[("pinned", Pinned())], load_entry_points=False)

    state = upgrade(pinned_engine, [*builtin_sources(), PINNED])

    assert state.current and "pinned_0001" in state.applied and not state.missing
    assert "pinned_notes" in inspect(pinned_engine).get_table_names()
    app = build_app(settings, extra_plugins=[("pinned", Pinned())], load_entry_points=False)
    app.close()


def test_upgrade_is_idempotent(database_url):
    engine = make_engine(database_url)
    before = schema_state(engine, builtin_sources())
    assert before.current
    assert upgrade(engine, builtin_sources()) == before
    engine.dispose()


def test_disabling_a_plugin_whose_tables_exist_still_starts(settings):
    from rapport.core.settings import PluginSettings

    app = build_app(
        settings.model_copy(update={"plugins": PluginSettings(disabled=["sales"])}),
        load_entry_points=False,
    )
    try:
        assert not app.plugins.manager.has_plugin("sales")
        assert "sales.funnel" not in app.registry.reports
        assert [i.status for i in app.plugins.infos if i.name == "sales"] == ["disabled"]
    finally:
        app.close()


def test_down_and_up_again_with_a_teams_data(database_url):
    from rapport.core.demo import load_demo
    from rapport.core.services.pipelines import ensure_default_pipeline
    from rapport.core.services.users import actor_for, add_user

    settings = Settings(database_url=database_url)
    app = build_app(settings, load_entry_points=False)
    ensure_default_pipeline(app)
    admin = actor_for(add_user(app, Actor.system(), {"display_name": "A", "role": "admin"}),
                      Channel.CLI)  # fmt: skip
    load_demo(app, admin)
    config = alembic_config(app.engine, app.migrations)
    command.downgrade(config, "core@core_0003")  # a table rebuilt under its rows
    assert "actor_name" not in {c["name"] for c in inspect(app.engine).get_columns("audit_log")}
    command.downgrade(config, "base")
    assert set(inspect(app.engine).get_table_names()) <= {"alembic_version"}
    assert upgrade(app.engine, app.migrations).current
    app.close()


def test_a_migration_failing_half_way_leaves_the_schema_as_it_was(database_url):
    failing = MigrationSource(
        "failing", Path(__file__).parent / "plugin_modules" / "failing_migrations"
    )
    engine = make_engine(database_url)
    before = schema_state(engine, [*builtin_sources(), failing])
    with pytest.raises(Exception, match="a_table_that_is_not_there"):
        upgrade(engine, [*builtin_sources(), failing])
    assert "failing_half" not in inspect(engine).get_table_names()
    assert schema_state(engine, [*builtin_sources(), failing]).applied == before.applied
    engine.dispose()
