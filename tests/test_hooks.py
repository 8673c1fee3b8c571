"""The hook contract as plugins experience it: what fires when, isolation, vetoes, async."""

import asyncio
import threading
from decimal import Decimal

import pytest

from rapport import hookimpl
from rapport.core import hookspecs
from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import Vetoed
from rapport.core.extensions import CardSection, CommandReply, CommandSpec, JobSpec, Notification
from rapport.core.plugins import BUILTIN_PLUGINS, plugin_name
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import (
    create_customer,
    list_customers,
    merge_customers,
    update_customer,
)
from rapport.core.services.deals import create_deal, move_deal, update_deal
from rapport.core.services.interactions import log_interaction
from tests.helpers import count_customers
from tests.plugin_modules.recorder import Recorder

BUILTIN_NAMES = [plugin_name(module) for module in BUILTIN_PLUGINS]


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def recorded_app(make_app, recorder):
    """Only the recorder reacts: the built-in plugins, which also react, are disabled."""
    return make_app(plugins=[("recorder", recorder)], disabled=list(BUILTIN_NAMES))


def test_the_recording_plugin_covers_every_hook():
    specs = {
        name for name in dir(hookspecs) if getattr(getattr(hookspecs, name), "rapport_spec", None)
    }
    implemented = {
        name for name in dir(Recorder) if getattr(getattr(Recorder, name), "rapport_impl", None)
    }
    assert specs == implemented


def test_registration_hooks_run_once_at_start(recorder, recorded_app):
    # The set-up's default pipeline is a change like any other: offered for a veto too.
    assert [n for n in recorder.names() if not n.startswith("register_")] == ["validate_change"]
    assert sorted(n for n in recorder.names() if n.startswith("register_")) == [
        "register_classifiers",
        "register_commands",
        "register_fields",
        "register_jobs",
        "register_migrations",
        "register_reports",
        "register_runners",
        "register_sheet_columns",
        "register_terms",
    ]


def test_every_change_fires_its_hook_after_commit(recorder, recorded_app, admin):
    app = recorded_app
    recorder.calls.clear()
    first = create_customer(app, admin.via(Channel.BOT), {"name": "Acme"})
    second = create_customer(app, admin, {"name": "Acme Ltd"})
    update_customer(app, admin, first.id, {"address": "Kazan"})
    merge_customers(app, admin, first.id, second.id)
    log_interaction(app, admin, {"customer_id": first.id, "kind": "visit"})
    deal = create_deal(app, admin, {"title": "Supply", "customer_id": first.id})
    update_deal(app, admin.via(Channel.SHEET), deal.id, {"amount": 500})
    move_deal(app, admin, deal.id, "demo")
    move_deal(app, admin, deal.id, "won")
    move_deal(
        app, admin, create_deal(app, admin, {"title": "Second", "customer_id": first.id}).id, "won"
    )
    move_deal(
        app,
        admin,
        create_deal(app, admin, {"title": "Third", "customer_id": first.id}).id,
        "lost",
        lost_reason="price",
    )
    events = [(name, payload) for name, payload in recorder.calls if name != "validate_change"]
    assert events == [
        ("after_customer_created", {"name": "Acme", "channel": Channel.BOT}),
        ("after_customer_created", {"name": "Acme Ltd", "channel": Channel.CLI}),
        ("after_customer_updated", {"name": "Acme", "changes": {"address": (None, "Kazan")}}),
        ("after_customers_merged", {"kept": first.id, "merged": second.id}),
        ("after_interaction_logged", {"kind": "visit"}),
        ("after_deal_created", {"title": "Supply"}),
        (
            "after_deal_updated",
            {
                "title": "Supply",
                "changes": {"amount": (Decimal("0.00"), Decimal("500.00"))},
                "channel": Channel.SHEET,
            },
        ),
        ("after_deal_stage_changed", {"stages": ("lead", "demo")}),
        ("after_deal_stage_changed", {"stages": ("demo", "won")}),
        ("after_deal_won", {"title": "Supply", "first": True}),
        ("after_deal_created", {"title": "Second"}),
        ("after_deal_stage_changed", {"stages": ("lead", "won")}),
        ("after_deal_won", {"title": "Second", "first": False}),
        ("after_deal_created", {"title": "Third"}),
        ("after_deal_stage_changed", {"stages": ("lead", "lost")}),
        ("after_deal_lost", {"title": "Third", "reason": "price"}),
    ]
    validated = [(p["entity"], p["action"]) for n, p in recorder.calls if n == "validate_change"]
    assert validated[:4] == [
        ("customer", "create"),
        ("customer", "create"),
        ("customer", "update"),
        ("customer", "merge"),
    ]


def test_a_plugin_veto_stops_the_change_and_names_the_plugin(make_app, recorder, admin):
    class NoCompetitors:
        @hookimpl
        def validate_change(self, change):
            if change.entity == "customer" and "competitor" in change.after["name"].lower():
                return "competitors are not customers"
            return None

    app = make_app(plugins=[("recorder", recorder), ("no_competitors", NoCompetitors())])
    with pytest.raises(Vetoed, match=r"competitors are not customers \(no_competitors\)"):
        create_customer(app, admin, {"name": "Competitor Inc"})
    assert count_customers(app) == 0
    assert "after_customer_created" not in recorder.names()


def test_a_failing_plugin_does_not_take_the_others_down(make_app, recorder, admin):
    class Broken:
        @hookimpl
        def after_customer_created(self, customer):
            raise RuntimeError("boom")

        @hookimpl
        def validate_change(self, change):
            raise KeyError("oops")

    app = make_app(plugins=[("recorder", recorder), ("broken", Broken())])
    customer = create_customer(app, admin, {"name": "Acme"})
    assert [c.id for c in list_customers(app, admin)] == [customer.id]
    assert "after_customer_created" in recorder.names()
    failures = {(f.plugin, f.hook) for f in app.hooks.failures}
    assert failures == {("broken", "after_customer_created"), ("broken", "validate_change")}
    assert any("boom" in f.error for f in app.hooks.failures)


def test_async_after_hook_runs_even_from_a_one_shot_command(make_app, admin):
    seen = []

    class Async:
        @hookimpl
        async def after_customer_created(self, customer):
            await asyncio.sleep(0)
            seen.append(customer.name)

    app = make_app(plugins=[("async", Async())])
    create_customer(app, admin, {"name": "Acme"})
    assert seen == ["Acme"]


def test_async_after_hook_runs_on_the_apps_loop_when_serving(make_app, admin):
    seen = []

    class Async:
        @hookimpl
        async def after_customer_created(self, customer):
            seen.append((customer.name, asyncio.get_running_loop(), threading.current_thread()))

    app = make_app(plugins=[("async", Async())])

    async def serve_one_request():
        await app.start()
        # Adapters call the synchronous services in a worker thread.
        await asyncio.to_thread(create_customer, app, admin, {"name": "Acme"})
        await app.stop()
        return asyncio.get_running_loop()

    loop = asyncio.run(serve_one_request())
    assert seen == [("Acme", loop, threading.main_thread())]


def test_startup_and_shutdown_hooks_are_awaited(make_app, recorder):
    class Lifecycle:
        @hookimpl
        async def startup(self, app):
            await asyncio.sleep(0)
            recorder.calls.append(("async startup", {}))

    app = make_app(plugins=[("recorder", recorder), ("lifecycle", Lifecycle())])
    recorder.calls.clear()

    async def lifecycle():
        await app.start()
        await app.stop()

    asyncio.run(lifecycle())
    assert recorder.names() == ["async startup", "startup", "shutdown"]


def test_card_shows_plugin_sections_in_order(make_app, admin):
    class Loyalty:
        @hookimpl
        def customer_card_sections(self, customer):
            return [CardSection("Next best action", ("Call about renewal",), order=10)]

    class Segments:
        @hookimpl
        def customer_card_sections(self, customer):
            return CardSection("Segment", (f"{customer.name}: stability",), order=20)

    app = make_app(
        plugins=[("segments_test", Segments()), ("next_action_test", Loyalty())],
        disabled=BUILTIN_NAMES,
    )
    customer = create_customer(app, admin, {"name": "Acme"})
    log_interaction(app, admin, {"customer_id": customer.id, "kind": "call"})
    card = customer_card(app, admin, customer.id)
    assert [s.title for s in card.sections] == ["Next best action", "Segment"]
    assert card.facts.last_contact_at == card.recent_interactions[0].occurred_at


def test_notifications_reach_the_adapter_that_delivers_them(make_app):
    class Chat:
        @hookimpl
        async def deliver_notification(self, notification):
            return notification.user_id == 7

    class Silent:
        @hookimpl
        def deliver_notification(self, notification):
            return None

    app = make_app(plugins=[("chat", Chat()), ("silent", Silent())])
    assert asyncio.run(app.hooks.deliver_notification(app, Notification(7, "Call Acme at 10")))
    assert not asyncio.run(app.hooks.deliver_notification(app, Notification(8, "Nobody")))


def test_registrations_are_stamped_with_their_plugin_and_clashes_reported(make_app):
    def reply(request):
        return CommandReply("ok")

    class First:
        @hookimpl
        def register_commands(self, register):
            register(CommandSpec(name="deals", description="My deals", handler=reply))

    class Second:
        @hookimpl
        def register_commands(self, register):
            register(CommandSpec(name="deals", description="Also deals", handler=reply))

        @hookimpl
        def register_jobs(self, register):
            register(
                JobSpec(
                    id="second.tick",
                    func=lambda app: None,
                    trigger="interval",
                    trigger_args={"minutes": 5},
                )
            )

    class Sloppy:
        @hookimpl
        def register_commands(self, register):
            register(CommandSpec(name="sloppy", description="Fine", handler=reply))
            register("not a command")

    app = make_app(plugins=[("first", First()), ("second", Second()), ("sloppy", Sloppy())])
    # Later registrations run first (pluggy's order), so "second" wins the name.
    assert app.registry.commands["deals"].owner == "second"
    assert app.registry.jobs["second.tick"].owner == "second"
    assert any("registered it first" in c for c in app.registry.conflicts)
    # A registration hook that fails registers nothing at all, not half of its things.
    assert "sloppy" not in app.registry.commands
    assert [(f.plugin, f.hook) for f in app.hooks.failures] == [("sloppy", "register_commands")]
