"""Every channel acts as a person, through one write path, under one access rule.

The public functions are enumerated from the modules plugins and adapters use, so a new
writer or reader that is not covered here fails the test until someone says how it is
checked: a write that skips ``validate_change`` or a read that skips the access rule
cannot slip in unnoticed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

import pytest

import rapport.api
from rapport import hookimpl
from rapport.adapters.telegram import invites
from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import NotFound, PermissionDenied, RapportError, Vetoed
from rapport.core.services import fields as field_services
from rapport.core.services import pipelines, users
from rapport.plugins.contacts import api as contacts_api
from rapport.plugins.contacts import exporting, segments
from rapport.plugins.loyalty import api as loyalty_api
from rapport.plugins.sales import api as sales_api
from rapport.plugins.tasks import api as tasks_api
from rapport.plugins.tasks import costs
from tests.helpers import audit_entries

MODULES: tuple[ModuleType, ...] = (
    rapport.api,
    contacts_api,
    sales_api,
    tasks_api,
    loyalty_api,
    users,
    field_services,
    pipelines,
    segments,
    exporting,
    costs,
    invites,
)
"""Where the use cases every channel calls live: the public API and the services the CLI
and the bot call directly."""

WRITES = ("create_", "update_", "move_", "merge_customers", "set_", "log_", "add_", "remove_",
          "override_", "request_", "decide", "complete_", "snooze_", "cancel_", "save_",
          "define_", "delete_", "redeem_", "file_", "ensure_")  # fmt: skip
READS = ("get_", "list_", "search_", "customer_card", "history", "dates_of", "lines_of",
         "profile_of", "pending_requests", "plan_vs_fact", "segment_members", "export_",
         "merge_preview", "find_user", "user_by_telegram_id", "segments_of",
         "language_of", "person_acting")  # fmt: skip
NOT_USE_CASES = {
    "actor_for": "builds an Actor from a User; reads and writes nothing",
    "write_change": "the write path itself",
    "recalculate": "recomputes the loyalty plugin's own scores from the records; changes none",
}


def public_functions(prefixes: tuple[str, ...]) -> set[str]:
    found = set()
    for module in MODULES:
        for name, value in vars(module).items():
            own = inspect.isfunction(value) and value.__module__.startswith("rapport.")
            if own and not name.startswith("_") and name.startswith(prefixes):
                found.add(name)
    return found - set(NOT_USE_CASES)


class Gate:
    """Vetoes every change once closed, and remembers what it was asked about."""

    def __init__(self) -> None:
        self.closed = False
        self.asked: list[tuple[str, str]] = []

    @hookimpl
    def validate_change(self, change):
        if not self.closed:
            return None
        self.asked.append((change.entity, change.action))
        return "the gate is closed"


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def world(make_app, gate, team, admin, tmp_path):
    """Ivan's customer, deal, interaction, task, date and plan, for the writes to act on."""
    app = make_app(plugins=[("gate", gate)])
    ivan = team["ivan"]
    customer = rapport.api.create_customer(app, ivan, {"name": "ООО Ромашка"})
    other = rapport.api.create_customer(app, ivan, {"name": "Ромашка"})
    deal = rapport.api.create_deal(app, ivan, {"title": "Поставка", "customer_id": customer.id})
    call = rapport.api.log_interaction(app, ivan, {"customer_id": customer.id, "kind": "call"})
    task = tasks_api.create_task(
        app, ivan, {"title": "Перезвонить", "customer_id": customer.id, "due": "завтра в 10"}
    )
    day = contacts_api.add_date(app, ivan, customer.id, "Годовщина", "2020-05-01")
    contacts_api.set_tags(app, ivan, customer.id, add=["ромашка-vip"])
    sales_api.set_deal_lines(app, ivan, deal.id, [{"product": "A", "quantity": 1, "price": 10}])
    request = sales_api.request_discount(app, ivan, deal.id, 50, "big order")
    invite = invites.create_invite(app, admin, "Nina Novak")
    sales_api.set_plan(app, team["manager"], "2026-03", "amount", 1000, owner_id=ivan.user_id)
    return {"app": app, "customer": customer, "other": other, "deal": deal, "call": call,
            "task": task, "date": day, "request": request, "invite": invite,
            "admin": admin, "gate": gate, "tmp": tmp_path, **team}  # fmt: skip


WriteCase = Callable[[dict[str, Any]], object]
WRITE_CASES: dict[str, WriteCase] = {
    "create_customer": lambda w: rapport.api.create_customer(w["app"], w["ivan"], {"name": "X"}),
    "update_customer": lambda w: rapport.api.update_customer(
        w["app"], w["ivan"], w["customer"].id, {"address": "Тверская, 1"}
    ),
    "merge_customers": lambda w: rapport.api.merge_customers(
        w["app"], w["manager"], w["customer"].id, w["other"].id
    ),
    "create_deal": lambda w: rapport.api.create_deal(
        w["app"], w["ivan"], {"title": "X", "customer_id": w["customer"].id}
    ),
    "update_deal": lambda w: rapport.api.update_deal(
        w["app"], w["ivan"], w["deal"].id, {"title": "Y"}
    ),
    "move_deal": lambda w: rapport.api.move_deal(w["app"], w["ivan"], w["deal"].id, "trial"),
    "set_archived": lambda w: rapport.api.set_archived(
        w["app"], w["manager"], "deal", w["deal"].id
    ),
    "log_interaction": lambda w: rapport.api.log_interaction(
        w["app"], w["ivan"], {"customer_id": w["customer"].id, "kind": "note", "summary": "x"}
    ),
    "update_interaction": lambda w: rapport.api.update_interaction(
        w["app"], w["ivan"], w["call"].id, {"outcome": "reached"}
    ),
    "add_user": lambda w: users.add_user(w["app"], w["admin"], {"display_name": "New"}),
    "set_role": lambda w: users.set_role(w["app"], w["admin"], w["petr"].user_id, "manager"),
    "set_active": lambda w: users.set_active(w["app"], w["admin"], w["petr"].user_id, False),
    "set_preferences": lambda w: users.set_preferences(w["app"], w["ivan"], language="ru"),
    "define_field": lambda w: field_services.define_field(
        w["app"],
        w["admin"],
        {"entity": "customer", "name": "size", "type": "number", "label": "Size"},
    ),
    "save_pipeline": lambda w: pipelines.save_pipeline(
        w["app"],
        w["admin"],
        "Service",
        [
            {"key": "new", "name": "New", "probability": 0.1},
            {"key": "won", "name": "Won", "probability": 1.0, "outcome": "won"},
            {"key": "lost", "name": "Lost", "probability": 0.0, "outcome": "lost"},
        ],
    ),
    "ensure_default_pipeline": lambda w: _fresh_default_pipeline(w),
    "save_segment": lambda w: segments.save_segment(w["app"], w["manager"], "Big", "tag = vip"),
    "delete_segment": lambda w: _saved_then(
        w, lambda: segments.delete_segment(w["app"], w["manager"], "Big")
    ),
    "set_tags": lambda w: contacts_api.set_tags(w["app"], w["ivan"], w["customer"].id, add=["vip"]),
    "add_date": lambda w: contacts_api.add_date(
        w["app"], w["ivan"], w["customer"].id, "День", date(2020, 1, 1)
    ),
    "remove_date": lambda w: contacts_api.remove_date(w["app"], w["ivan"], w["date"].id),
    "set_deal_lines": lambda w: sales_api.set_deal_lines(w["app"], w["ivan"], w["deal"].id, []),
    "add_deal_line": lambda w: sales_api.add_deal_line(
        w["app"], w["ivan"], w["deal"].id, "B", 1, 5
    ),
    "remove_deal_line": lambda w: sales_api.remove_deal_line(w["app"], w["ivan"], w["deal"].id, 1),
    "set_plan": lambda w: sales_api.set_plan(
        w["app"], w["manager"], "2026-03", "amount", 1000, owner_id=w["ivan"].user_id
    ),
    "request_discount": lambda w: sales_api.request_discount(
        w["app"], w["ivan"], w["deal"].id, 40, "why"
    ),
    "request_reassignment": lambda w: sales_api.request_reassignment(
        w["app"], w["ivan"], w["deal"].id, w["petr"].user_id, "holiday"
    ),
    "decide": lambda w: sales_api.decide(w["app"], w["manager"], w["request"].id, approve=False),
    "override_segment": lambda w: loyalty_api.override_segment(
        w["app"], w["manager"], w["customer"].id, "belonging", "runs our user group"
    ),
    "create_task": lambda w: tasks_api.create_task(
        w["app"], w["ivan"], {"title": "T", "customer_id": w["customer"].id, "due": "завтра"}
    ),
    "complete_task": lambda w: tasks_api.complete_task(w["app"], w["ivan"], w["task"].id),
    "snooze_task": lambda w: tasks_api.snooze_task(
        w["app"], w["ivan"], w["task"].id, "послезавтра в 10"
    ),
    "cancel_task": lambda w: tasks_api.cancel_task(w["app"], w["ivan"], w["task"].id, "no"),
    "add_marketing_cost": lambda w: costs.add_marketing_cost(
        w["app"], w["manager"], w["customer"].id, 1500, "stand"
    ),
    "create_invite": lambda w: invites.create_invite(w["app"], w["admin"], "Someone"),
    "redeem_invite": lambda w: invites.redeem_invite(w["app"], w["invite"].token, 9999, None),
}


def _saved_then(world: dict[str, Any], then: Callable[[], object]) -> object:
    gate = world["gate"]
    gate.closed = False
    segments.save_segment(world["app"], world["manager"], "Big", "tag = vip")
    gate.closed = True
    return then()


def _fresh_default_pipeline(world: dict[str, Any]) -> object:
    """A new installation's first start, with the gate installed before it."""
    from rapport.core.bootstrap import build_app
    from rapport.testing.databases import migrate_everything

    url = f"sqlite:///{world['tmp'] / 'fresh.db'}"
    migrate_everything(url)
    fresh = build_app(
        world["app"].settings.model_copy(update={"database_url": url}),
        extra_plugins=[("gate", world["gate"])],
    )
    try:
        return pipelines.ensure_default_pipeline(fresh)
    finally:
        fresh.close()


def test_every_public_writer_has_a_case():
    assert public_functions(WRITES) == set(WRITE_CASES)


@pytest.mark.parametrize("writer", sorted(WRITE_CASES))
def test_every_write_is_offered_to_validate_change_and_audited(writer, world, gate):
    world["gate"] = gate
    gate.closed = True
    with pytest.raises(Vetoed, match="the gate is closed"):
        WRITE_CASES[writer](world)
    assert gate.asked, f"{writer} wrote without asking validate_change"


def test_an_allowed_write_names_its_person_and_channel(world):
    ivan = world["ivan"]
    rapport.api.update_customer(world["app"], ivan, world["customer"].id, {"address": "A"})
    [*_, entry] = audit_entries(world["app"], "customer", world["customer"].id)
    assert (entry.actor_id, entry.actor_name, entry.channel) == (ivan.user_id, "Ivan Rep", "bot")


def test_a_person_deactivated_since_they_started_is_stopped(world):
    users.set_active(world["app"], world["admin"], world["petr"].user_id, False)
    with pytest.raises(PermissionDenied, match="no longer an active user"):
        rapport.api.create_customer(world["app"], world["petr"], {"name": "Late"})


# --- one access rule ---------------------------------------------------------------------

ReadCase = Callable[[dict[str, Any], Actor], object]
READ_CASES: dict[str, ReadCase] = {
    "get_customer": lambda w, a: rapport.api.get_customer(w["app"], a, w["customer"].id),
    "list_customers": lambda w, a: rapport.api.list_customers(w["app"], a),
    "get_deal": lambda w, a: rapport.api.get_deal(w["app"], a, w["deal"].id),
    "list_deals": lambda w, a: rapport.api.list_deals(w["app"], a),
    "list_interactions": lambda w, a: rapport.api.list_interactions(w["app"], a, w["customer"].id),
    "customer_card": lambda w, a: rapport.api.customer_card(w["app"], a, w["customer"].id),
    "history": lambda w, a: rapport.api.history(w["app"], a, "customer", w["customer"].id),
    "merge_preview": lambda w, a: rapport.api.merge_preview(
        w["app"], a, w["customer"].id, w["other"].id
    ),
    "search_customers": lambda w, a: contacts_api.search_customers(w["app"], a, "ромашка"),
    "dates_of": lambda w, a: contacts_api.dates_of(w["app"], a, w["customer"].id),
    "get_tags": lambda w, a: contacts_api.get_tags(w["app"], a, w["customer"].id),
    "segment_members": lambda w, a: segments.segment_members(w["app"], a, "name = Ромашка")[1],
    "export_customers": lambda w, a: _exported(w, a),
    "lines_of": lambda w, a: sales_api.lines_of(w["app"], a, w["deal"].id),
    "pending_requests": lambda w, a: sales_api.pending_requests(w["app"], a),
    "plan_vs_fact": lambda w, a: sales_api.plan_vs_fact(w["app"], a, "2026-03"),
    "profile_of": lambda w, a: loyalty_api.profile_of(w["app"], a, w["customer"].id),
    "list_tasks": lambda w, a: tasks_api.list_tasks(w["app"], a),
}
NOT_RECORD_READS = {
    "get_user": "who a colleague is (names are shown on every card); no customer data",
    "list_users": "the team list, for assigning work; no customer data",
    "find_user": "the same, by name",
    "user_by_telegram_id": "the bot's log-in: who is writing",
    "language_of": "which language to write to someone in",
    "person_acting": "who the CLI or the sheet acts as",
    "list_pipelines": "the stages everybody's deals move through",
    "list_segments": "the names and filters of saved segments (their members are scoped)",
    "segments_of": "the loyalty segments of customers the caller already holds (sheet columns)",
}


def _exported(world: dict[str, Any], actor: Actor) -> str:
    import io

    out = io.StringIO()
    exporting.export_customers(world["app"], actor, out)
    return out.getvalue()


def test_every_public_reader_has_a_case():
    assert public_functions(READS) == set(READ_CASES) | set(NOT_RECORD_READS)


@pytest.mark.parametrize("reader", sorted(READ_CASES))
def test_a_rep_cannot_see_another_reps_records_through_any_reader(reader, world):
    sofia, ivan = world["sofia"], world["ivan"]
    shown = READ_CASES[reader](world, ivan)  # the owner sees them...
    assert shown is not None and shown != [] and shown != ""
    try:  # ...a rep of another team does not, whichever way they ask
        seen = READ_CASES[reader](world, sofia)
    except (NotFound, PermissionDenied):
        return
    assert "Ромашка" not in repr(seen) and "Поставка" not in repr(seen), reader


def test_every_report_shows_a_rep_only_what_they_may_see(world):
    app, sofia = world["app"], world["sofia"]
    for spec in app.registry.reports.values():
        if sofia.role not in spec.roles:
            continue
        try:
            report = spec.build(app, sofia, {})
        except RapportError:
            continue
        assert "Ромашка" not in repr(report.rows) and "Поставка" not in repr(report.rows), spec.id
