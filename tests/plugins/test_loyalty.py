"""Loyalty: each segment and strategy from a history built to match it, with its reasons."""

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rapport.core.domain.errors import ConfigError, InvalidInput, PermissionDenied
from rapport.core.i18n import from_stored, translate
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal
from rapport.core.services.interactions import log_interaction
from rapport.plugins.loyalty import pending, service
from rapport.plugins.loyalty.actions import plan_actions
from rapport.plugins.loyalty.service import override_segment, profile_of, recalculate
from rapport.plugins.tasks.costs import add_marketing_cost
from rapport.plugins.tasks.services import list_tasks
from tests.helpers import audit_entries
from tests.plugin_modules.refusing import RefusesTasksAbout

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


class History:
    def __init__(self, app, actor, clock):
        self.app, self.actor, self.clock = app, actor, clock

    def customer(self, name):
        return create_customer(self.app, self.actor, {"name": name})

    def order(self, customer, amount, days_ago, discount=0):
        self.clock.now = NOW - timedelta(days=days_ago)
        fields = {"discount_percent": discount} if discount else {}
        deal = create_deal(
            self.app,
            self.actor,
            {"title": "Order", "customer_id": customer.id, "amount": amount, "fields": fields},
        )
        move_deal(self.app, self.actor, deal.id, "won")
        self.clock.now = NOW

    def lost(self, customer, days_ago, reason):
        self.clock.now = NOW - timedelta(days=days_ago)
        deal = create_deal(self.app, self.actor, {"title": "Lost", "customer_id": customer.id})
        move_deal(self.app, self.actor, deal.id, "lost", lost_reason=reason)
        self.clock.now = NOW

    def contacts(self, customer, count, kind="call", topic=None):
        for n in range(count):
            log_interaction(
                self.app,
                self.actor,
                {
                    "customer_id": customer.id,
                    "kind": kind,
                    "occurred_at": NOW - timedelta(days=5 + n),
                    "fields": {"topic": topic} if topic else {},
                },
            )


@pytest.fixture
def history(app, team, clock):
    clock.now = NOW
    return History(app, team["ivan"], clock)


def verdict(app, actor, customer, key):
    """A stored verdict with its reasons read in English."""
    stored = profile_of(app, actor, customer.id).verdicts[key]
    return {**stored, "reasons": [translate(from_stored(r), "en") for r in stored["reasons"]]}


def test_motivation_segments_from_the_signals_with_their_reasons(app, team, history):
    h = history
    stable = h.customer("Stable")
    for days in (150, 110, 70, 30):
        h.order(stable, 100_000, days)
    h.contacts(stable, 2)
    bargain = h.customer("Bargain")
    h.order(bargain, 10_000, 120, discount=5)
    h.order(bargain, 10_000, 60, discount=5)
    h.contacts(bargain, 7, kind="request", topic="price")
    curious = h.customer("Curious")
    h.order(curious, 5_000, 100)
    h.contacts(curious, 6, topic="new_products")
    partner = h.customer("Partner")
    for days in (160, 100, 40):
        h.order(partner, 20_000, days)
    h.contacts(partner, 7)
    h.contacts(partner, 1, kind="meeting", topic="joint_work")
    newcomer = h.customer("Newcomer")
    h.contacts(newcomer, 1)
    recalculate(app)
    ivan = team["ivan"]
    assert verdict(app, ivan, stable, "motivation") == {
        "label": "Motivation",
        "value": "stability",
        "reasons": ["4 orders in 180 days", "only 2 contacts", "0 complaints"],
    }
    assert verdict(app, ivan, bargain, "motivation")["value"] == "lowest_price"
    assert (
        "2 of 2 orders only with a discount" in verdict(app, ivan, bargain, "motivation")["reasons"]
    )
    assert verdict(app, ivan, curious, "motivation")["reasons"][:2] == [
        "6 contacts and requests in 180 days",
        "6 questions about new products",
    ]
    assert verdict(app, ivan, curious, "motivation")["value"] == "novelty_seeker"
    assert verdict(app, ivan, partner, "motivation")["value"] == "belonging"
    assert verdict(app, ivan, newcomer, "motivation") == {
        "label": "Motivation",
        "value": "not_enough_data",
        "reasons": ["only 1 contacts and 0 orders in 180 days"],
    }
    assert "strategy" not in profile_of(app, ivan, newcomer.id).verdicts  # no guess without orders
    assert profile_of(app, ivan, stable.id).discount_eligible
    assert not profile_of(app, ivan, bargain.id).discount_eligible


def test_strategies_from_value_profit_trend_and_status(app, team, history):
    h, ivan = history, team["ivan"]
    key = h.customer("Key")
    for days in (170, 120, 80, 40, 10):
        h.order(key, 200_000, days)
    fresh = h.customer("Fresh")
    h.order(fresh, 30_000, 30)
    drifting = h.customer("Drifting")
    for days in (175, 170, 165):
        h.order(drifting, 5_000, days)
    growing = h.customer("Growing")
    for days in (160, 100, 40):
        h.order(growing, 10_000, days)
    costly_small = h.customer("Costly small")
    h.order(costly_small, 1_000, 140)
    costly_big = h.customer("Costly big")
    h.order(costly_big, 90_000, 150)
    add_marketing_cost(app, team["manager"], costly_small.id, 5_000, "samples")
    add_marketing_cost(app, team["manager"], costly_big.id, 60_000, "exhibition")
    recalculate(app)
    strategies = {
        c.name: verdict(app, ivan, c, "strategy")
        for c in (key, fresh, drifting, growing, costly_small, costly_big)
    }
    assert {name: v["value"] for name, v in strategies.items()} == {
        "Key": "protect",
        "Fresh": "start",
        "Drifting": "harvest",
        "Growing": "enhance",
        "Costly small": "end",
        "Costly big": "re_engineer",
    }
    assert strategies["Key"]["reasons"] == [
        "a key customer: 85.8% of revenue"
    ]  # 1 000 000 of 1 166 000
    assert strategies["Fresh"]["reasons"] == ["first order on 02.08.2026"]
    assert strategies["Drifting"]["reasons"] == [
        "no order for 165 days, usually every 5",
        "likely to leave",
    ]
    assert strategies["Costly small"]["reasons"][0] == "costs 5000.00 to serve, earns 250.00"
    profile = profile_of(app, ivan, key.id)
    assert profile.key_customer and profile.next_action == "Key-account check-in call"
    # Repeat buyers rank above a one-off big buyer.
    assert (
        profile_of(app, ivan, growing.id).value_score
        > profile_of(app, ivan, costly_big.id).value_score
    )


def test_a_key_customer_drifting_to_a_competitor_is_won_back(app, team, history):
    h, ivan = history, team["ivan"]
    key = h.customer("Key")
    for days in (350, 300, 260, 220):
        h.order(key, 200_000, days)
    h.order(key, 200_000, 170)
    h.lost(key, 20, "competitor: Beta Corp is cheaper")
    small = h.customer("Small")
    h.order(small, 1_000, 100)
    recalculate(app)
    assert verdict(app, ivan, key, "strategy") == {
        "label": "Relationship strategy",
        "value": "win_back",
        "reasons": [
            "a key customer",
            "lost a deal to a competitor",
            "orders fell from 4 to 1 per 180 days",
        ],
    }
    at_risk = app.registry.reports["loyalty.at_risk"].build(app, team["manager"], {})
    assert at_risk.rows[0][:2] == ("Key", "win back")


def test_a_person_overrides_a_segment_and_it_is_kept_and_audited(app, team, history):
    customer = history.customer("Acme")
    history.contacts(customer, 1)
    recalculate(app)
    with pytest.raises(PermissionDenied):
        override_segment(app, team["ivan"], customer.id, "stability", None)
    with pytest.raises(InvalidInput, match="'loyal' is not one of"):
        override_segment(app, team["manager"], customer.id, "loyal", None)
    override_segment(app, team["manager"], customer.id, "belonging", "runs our user group")
    recalculate(app)
    motivation = verdict(app, team["ivan"], customer, "motivation")
    assert motivation == {
        "label": "Motivation",
        "value": "belonging",
        "reasons": ["set by a person (the rules said not_enough_data)"],
    }
    entry = audit_entries(app, "customer", customer.id)[-1]
    assert entry.action == "segment_override"
    assert entry.changes["note"] == {"old": None, "new": "runs our user group"}


def test_an_event_recalculates_that_customer_at_once(app, team, history):
    customer = history.customer("Acme")
    assert profile_of(app, team["ivan"], customer.id) is None
    history.contacts(customer, 3)
    assert verdict(app, team["ivan"], customer, "motivation")["value"] == "not_enough_data"
    for days in (100, 60, 20):
        history.order(customer, 1000, days)
    assert verdict(app, team["ivan"], customer, "motivation")["value"] == "stability"
    card = customer_card(app, team["ivan"], customer.id)
    [section] = [s for s in card.sections if s.title == "Loyalty"]
    assert section.lines[1].startswith("Motivation: stability — 3 orders in 180 days")


def test_actions_become_tasks_within_the_contact_cap(app, team, history):
    h, ivan = history, team["ivan"]
    quiet = h.customer("Quiet key")
    busy = h.customer("Busy key")
    for customer in (quiet, busy):
        for days in (150, 100, 50):
            h.order(customer, 100_000, days)
    h.contacts(busy, 4)  # the cap: 4 contacts in 14 days
    recalculate(app)
    assert plan_actions(app) == 2 and plan_actions(app) == 0  # once a week
    titles = {
        (t.customer_id, t.title, t.priority.value)
        for t in list_tasks(app, ivan)
        if t.source.startswith("loyalty")
    }
    assert titles == {
        (quiet.id, "Key-account check-in call", "high"),
        (quiet.id, "Monitor service quality", "high"),
    }
    [section] = [s for s in customer_card(app, ivan, busy.id).sections if s.title == "Loyalty"]
    assert "Contacted often lately: give them a rest" in section.lines


def test_a_plugin_refusing_one_customers_actions_leaves_the_others(make_app, team, clock, caplog):
    rule = RefusesTasksAbout("Refused key")
    app = make_app(plugins=[("rule", rule)])
    clock.now = NOW
    h = History(app, team["ivan"], clock)
    refused, quiet = h.customer("Refused key"), h.customer("Quiet key")
    rule.customer_id = refused.id
    for customer in (refused, quiet):
        for days in (150, 100, 50):
            h.order(customer, 100_000, days)
    recalculate(app)
    assert plan_actions(app) == 2
    acted_on = {
        t.customer_id for t in list_tasks(app, team["ivan"]) if t.source.startswith("loyalty")
    }
    assert acted_on == {quiet.id}
    assert f"loyalty actions for customer {refused.id} skipped" in caplog.text


@pytest.mark.parametrize(
    ("motivation", "message"),
    [
        (
            {"quiet_contacts_max": 5, "busy_contacts_min": 5},
            "contacts overlap: 5..5 would be both quiet and busy",
        ),
        (
            {"quiet_contacts_max": 3, "busy_contacts_min": 6},
            "contacts gap: 4..5 contacts belong to no segment",
        ),
        ({"novelty_orders_max": 2, "belonging_orders_min": 5}, "orders gap: 3..4 orders"),
    ],
)
def test_thresholds_that_overlap_or_leave_gaps_stop_start_up(make_app, motivation, message):
    with pytest.raises(ConfigError, match=message):
        make_app(plugins_options={"loyalty": {"motivation": motivation}})


def bank_tiers():
    """The example plugin shipped in docs/examples, loaded from its file."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "docs" / "examples" / "bank_tiers.py"
    spec = importlib.util.spec_from_file_location("bank_tiers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_plugin_adds_its_own_segmentation(make_app, admin, clock):
    from rapport.core.services.fields import define_field

    clock.now = NOW
    app = make_app(plugins=[("bank", bank_tiers())])
    define_field(
        app, admin, {"entity": "customer", "name": "turnover", "type": "money", "label": "Turnover"}
    )
    rich = create_customer(app, admin, {"name": "Rich", "fields": {"turnover": 50_000_000}})
    recalculate(app)
    assert profile_of(app, admin, rich.id).verdicts["bank_tier"] == {
        "label": "Bank tier",
        "value": "premium",
        "reasons": ["turnover 50,000,000", "average balance 2,000,000"],
    }


def test_the_first_event_scores_against_everyone_not_against_itself(app, team, history):
    quiet = history.customer("Quiet")  # no event of its own yet
    active = history.customer("Active")
    assert profile_of(app, team["ivan"], quiet.id) is None
    history.contacts(active, 1)  # the first event: no bounds stored, so everyone is scored
    assert profile_of(app, team["ivan"], quiet.id) is not None
    assert (
        profile_of(app, team["ivan"], active.id).verdicts["motivation"]["value"]
        == "not_enough_data"
    )


def test_only_contacts_with_the_customer_count_not_notes_photos_or_check_ins(app, team, history):
    h, ivan = history, team["ivan"]
    customer = h.customer("Busy notes")
    h.contacts(customer, 1, kind="call")
    h.contacts(customer, 4, kind="note")  # a note and three photos: internal
    log_interaction(app, ivan, {"customer_id": customer.id, "kind": "visit",
                                "outcome": "checkin", "occurred_at": NOW - timedelta(days=1)})  # fmt: skip
    recalculate(app)
    profile = profile_of(app, ivan, customer.id)
    assert not profile.contact_cap_reached
    assert "only 1 contacts" in verdict(app, ivan, customer, "motivation")["reasons"][0]


def test_a_win_back_reason_is_the_number_the_rule_used(app, team, history):
    h, ivan = history, team["ivan"]
    key = h.customer("Key buyer")
    for days in (400, 170, 160, 150, 140, 130, 120):  # more orders lately, then silence
        h.order(key, 1_000_000, days)
    h.lost(key, 20, "competitor: cheaper")
    recalculate(app)
    profile = profile_of(app, ivan, key.id)
    assert profile.strategy == "win_back"
    reasons = verdict(app, ivan, key, "strategy")["reasons"]
    assert not any("fell" in reason for reason in reasons), reasons
    assert any(reason.startswith("no order for 120 days") for reason in reasons), reasons


def test_one_customers_bad_figure_from_a_plugin_leaves_the_others_scored(
    make_app, team, clock, caplog
):
    from rapport import hookimpl

    class BadCosts:
        """A third-party plugin whose cost figure for one customer is garbage."""

        broken: int | None = None

        @hookimpl
        def customer_metrics(self, customer_ids):
            return {self.broken: {"cost_to_serve": "n/a"}} if self.broken in customer_ids else {}

    costs = BadCosts()
    app = make_app(plugins=[("bad_costs", costs)])
    clock.now = NOW
    h = History(app, team["ivan"], clock)
    broken, fine = h.customer("Broken figures"), h.customer("Fine figures")
    for customer in (broken, fine):
        h.order(customer, 100_000, 30)
    recalculate(app)  # both scored once, before the plugin went wrong
    costs.broken = broken.id
    h.order(fine, 200_000, 10)
    assert recalculate(app) == 1
    assert profile_of(app, team["ivan"], fine.id).m >= 1
    assert profile_of(app, team["ivan"], broken.id) is not None  # its last score is kept
    assert f"loyalty profile of customer {broken.id} skipped" in caplog.text


def test_a_russian_rep_reads_the_loyalty_verdicts_and_tasks_in_russian(app, team, history):
    from rapport.core.services.users import set_preferences

    h = history
    set_preferences(app, team["ivan"], language="ru")
    ivan = team["ivan"].model_copy(update={"language": "ru"})
    stable = h.customer("Stable")
    for days in (150, 110, 70, 30):
        h.order(stable, 100_000, days)
    h.contacts(stable, 2)
    quiet = h.customer("Quiet key")
    for days in (150, 100, 50):
        h.order(quiet, 400_000, days)
    recalculate(app)
    [section] = [s for s in customer_card(app, ivan, stable.id).sections if s.title == "Лояльность"]
    shown = "\n".join(section.lines)
    assert "Мотивация: стабильность — заказов за 180 дн.: 4; контактов всего: 2; жалоб: 0" in shown
    [key] = [s for s in customer_card(app, ivan, quiet.id).sections if s.title == "Лояльность"]
    assert "Стратегия отношений: защищать — ключевой клиент: 75.0% выручки" in key.lines
    assert "Дальше: Звонок ключевому клиенту: как дела" in key.lines
    for english in ("Motivation", "orders in", "contacts", "Relationship", "Next:"):
        assert english not in shown, english
    plan_actions(app)
    titles = {t.title for t in list_tasks(app, ivan) if t.source.startswith("loyalty")}
    assert "Звонок ключевому клиенту: как дела" in titles
    report = app.registry.reports["loyalty.segments"].build(app, ivan, {})
    assert report.title == "Сегменты и стратегии" and "стабильность" in repr(report.rows)


def test_customers_who_bought_on_the_same_day_share_their_rfm_scores(app, team, history):
    """Tied values rank together (by their average rank), instead of all taking the worst
    recency and the best frequency and money at once."""
    h = history
    tied = [h.customer(name) for name in ("Alpha", "Beta", "Gamma")]
    for customer in tied:
        h.order(customer, 1000, days_ago=30)
    recent = h.customer("Delta")
    h.order(recent, 1000, days_ago=2)
    recalculate(app)
    card = customer_card(app, team["ivan"], tied[0].id)
    [section] = [s for s in card.sections if s.title == "Loyalty"]
    assert "(R2 F3 M3)" in section.lines[0]
    scores = {(p.r, p.f, p.m) for p in (profile_of(app, team["ivan"], c.id) for c in tied)}
    assert scores == {(2, 3, 3)}
    delta = profile_of(app, team["ivan"], recent.id)
    assert (delta.r, delta.f, delta.m) == (5, 3, 3)


def test_money_in_another_currency_is_never_added_to_the_teams(app, team, history):
    h = history
    mixed = h.customer("Mixed")
    h.order(mixed, 100_000, 30)
    h.clock.now = NOW - timedelta(days=20)
    deal = create_deal(app, team["ivan"], {"title": "Export", "customer_id": mixed.id,
                                           "amount": 5_000, "currency": "USD"})  # fmt: skip
    move_deal(app, team["ivan"], deal.id, "won")
    h.clock.now = NOW
    recalculate(app)
    [row] = [r for r in app.registry.reports["loyalty.pareto"].build(app, team["ivan"], {}).rows
             if r[0] == "Mixed"]  # fmt: skip
    assert row[3] == Decimal("100000.00")  # roubles only, not 105 000 "of something"


def test_events_arriving_during_a_recalculation_join_the_next_one(app, team, history, monkeypatch):
    """Under load the customers logged meanwhile are recalculated together, none left out,
    and a reader sees a waiting customer's profile as the recalculation will store it."""
    customers = [history.customer(f"Shop {n}") for n in range(4)]
    recalculate(app)
    runs: list[list[int]] = []
    started, release = threading.Event(), threading.Event()
    real = service.recalculate

    def recording(app, ids):
        runs.append(list(ids))
        started.set()
        release.wait(10)  # the first run lasts until every event has arrived
        return real(app, ids)

    monkeypatch.setattr(service, "recalculate", recording)
    log = [{"customer_id": c.id, "kind": "call"} for c in customers]
    log_interaction(app, team["ivan"], log[0])
    assert started.wait(10)
    for data in log[1:]:
        log_interaction(app, team["ivan"], data)
    waiting = profile_of(app, team["ivan"], customers[-1].id)  # computed, not yet stored
    release.set()
    pending.settle(app)
    assert runs == [[customers[0].id], [c.id for c in customers[1:]]]
    assert profile_of(app, team["ivan"], customers[-1].id) == waiting


def test_customers_a_killed_process_left_waiting_are_recalculated_at_the_next_start(
    app, make_app, team, history, monkeypatch
):
    """The events are the durable mark: a start recalculates who had one since the last
    full run, to what recalculating them at the event would have stored."""
    ivan = team["ivan"]
    customers = [history.customer(f"Shop {n}") for n in range(3)]
    history.order(customers[0], 1000, 20)
    recalculate(app)
    before = {c.id: profile_of(app, ivan, c.id) for c in customers}

    def killed(queue):  # the process dies before its worker runs: the queue dies with it
        with queue.changed:
            queue.waiting.clear()
            queue.worker = None
            queue.changed.notify_all()

    with monkeypatch.context() as patched:
        patched.setattr(pending._Queue, "_work", killed)
        history.contacts(customers[1], 3, topic="price")
        history.order(customers[2], 5000, 0)
    assert pending.pending(app, [c.id for c in customers]) == set()
    assert profile_of(app, ivan, customers[1].id) == before[customers[1].id]  # as stored

    restarted = make_app()
    asyncio.run(restarted.start())
    pending.settle(restarted)
    caught_up = {c.id: profile_of(restarted, ivan, c.id) for c in customers}
    assert caught_up[customers[1].id] != before[customers[1].id]  # the contacts counted
    assert caught_up[customers[2].id].profit > before[customers[2].id].profit  # the order
    recalculate(restarted, [c.id for c in customers])
    assert {c.id: profile_of(restarted, ivan, c.id) for c in customers} == caught_up
    asyncio.run(restarted.stop())
