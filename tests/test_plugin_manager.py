"""Loading plugins: built-ins, third-party entry points, contract checks, disabling."""

import textwrap

import pytest

from rapport import hookimpl
from rapport.core.bootstrap import build_app
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import InvalidInput, PluginLoadError, Vetoed
from rapport.core.extensions import CommandRequest
from rapport.core.plugins import make_plugin_manager
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal
from rapport.core.services.pipelines import ensure_default_pipeline
from rapport.core.services.users import actor_for, add_user


class Typo:
    @hookimpl
    def after_deal_wonn(self, deal):
        pass


class DefaultValue:
    @hookimpl
    def after_deal_won(self, deal, first_for_customer=False):
        pass


class AsyncValidator:
    @hookimpl
    async def validate_change(self, change):
        return None


class Fine:
    @hookimpl
    def after_deal_won(self, deal):
        pass


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (Typo(), "'after_deal_wonn' is not a Rapport hook (misspelled?"),
        (
            DefaultValue(),
            "after_deal_won: parameters must not have default values (first_for_customer)",
        ),
        (AsyncValidator(), "validate_change must be a plain function, not async"),
    ],
)
def test_a_plugin_breaking_the_contract_is_skipped_and_explained(plugin, message):
    plugins = make_plugin_manager(
        builtins=(), extra=[("bad", plugin), ("fine", Fine())], load_entry_points=False
    )
    bad, fine = plugins.infos
    assert bad.status == "failed" and message in bad.error
    assert fine.status == "loaded" and fine.hooks == ("after_deal_won",)
    assert not plugins.manager.has_plugin("bad")


def test_a_broken_builtin_stops_start_up_loudly():
    with pytest.raises(PluginLoadError, match=r"'after_custmer_created' is not a Rapport hook"):
        make_plugin_manager(builtins=["tests.plugin_modules.misspelled"], load_entry_points=False)


def test_disabled_plugins_are_listed_but_not_loaded():
    plugins = make_plugin_manager(
        disabled=["fine"], builtins=(), extra=[("fine", Fine())], load_entry_points=False
    )
    assert [(i.name, i.status) for i in plugins.infos] == [("fine", "disabled")]
    assert not plugins.manager.has_plugin("fine")


@pytest.mark.slow
def test_a_pip_installed_plugin_is_found_through_its_entry_point(
    installed_example, on_path, settings, clock
):
    on_path(installed_example)
    app = build_app(settings, clock=clock)
    try:
        [info] = [i for i in app.plugins.infos if i.name == "zones"]
        assert (info.status, info.version, info.source) == (
            "loaded",
            "1.0.0",
            "entry point rapport-zones",
        )
        assert app.registry.conflicts == []  # it declares nothing another plugin declared
        ensure_default_pipeline(app)
        admin = actor_for(
            add_user(app, Actor.system(), {"display_name": "Admin", "role": "admin"}), Channel.CLI
        )
        # Its field is validated by the core's services...
        with pytest.raises(InvalidInput, match=r"fields.delivery_zone: 'mars' is not one of"):
            create_customer(app, admin, {"name": "Acme", "fields": {"delivery_zone": "mars"}})
        customer = create_customer(
            app, admin, {"name": "Acme", "fields": {"delivery_zone": "North"}}
        )
        # ...its rule applies to every change...
        deal = create_deal(app, admin, {"title": "Supply", "customer_id": customer.id})
        with pytest.raises(Vetoed, match=r"say how much was sold before the deal is won \(zones\)"):
            move_deal(app, admin, deal.id, "won")
        # ...and its command answers.
        command = app.registry.commands["zones"]
        assert command.owner == "zones"
        assert command.handler(CommandRequest(app, admin, "")).text == "north: 1"
    finally:
        app.close()


def test_a_broken_package_is_reported_and_the_rest_starts(tmp_path, on_path):
    dist = tmp_path / "rapport_broken-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rapport-broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[rapport.plugins]\nbroken = rapport_broken\n")
    (tmp_path / "rapport_broken.py").write_text(
        textwrap.dedent(
            """
            import a_module_that_is_not_installed
            """
        )
    )
    on_path(tmp_path)
    plugins = make_plugin_manager(builtins=(), extra=[("fine", Fine())])
    [broken] = [i for i in plugins.infos if i.name == "broken"]
    assert broken.status == "failed"
    assert broken.source == "entry point rapport-broken"
    assert "ModuleNotFoundError" in broken.error
    assert plugins.manager.has_plugin("fine")


def test_a_builtin_plugin_published_as_an_entry_point_is_loaded_once():
    from importlib.metadata import entry_points

    published = {ep.name for ep in entry_points(group="rapport.plugins")}
    assert "contacts" in published
    plugins = make_plugin_manager()
    contacts = [i for i in plugins.infos if i.name == "contacts"]
    assert [(i.source, i.status) for i in contacts] == [("built-in", "loaded")]
