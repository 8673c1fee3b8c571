"""Every sales report checked against figures worked out by hand on a small history."""

import io
import random
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from rapport.core.db.tables import StageChangeRow
from rapport.core.domain.enums import StageOutcome
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.lines import set_deal_lines
from rapport.plugins.sales.plans import set_plan

D = Decimal


@pytest.fixture
def history(app, team, clock):
    """Five deals over ten days (t0 = Monday 2 March 2026, 09:00 UTC).

    D1 Alpha 1000 (Ivan; 2 Widgets at 300 + 1 Service at 400): lead, demo at t2, won at t5.
    D2 Alpha  500 (Ivan): lead, information sent at t4, lost at t5 ("price").
    D3 Beta  2000 (Petr; expected to close 15 April): lead, demo at t1, still open.
    D4 Gamma  300 (Ivan): lead, still open.
    D5 Beta  4000 (Petr): lead, won at t6.
    Reports are read at t10.
    """
    ivan, petr = team["ivan"], team["petr"]
    alpha = create_customer(app, ivan, {"name": "Alpha"})
    beta = create_customer(app, petr, {"name": "Beta"})
    gamma = create_customer(app, ivan, {"name": "Gamma"})
    d1 = create_deal(app, ivan, {"title": "D1", "customer_id": alpha.id})
    set_deal_lines(
        app,
        ivan,
        d1.id,
        [
            {"product": "Widget", "quantity": 2, "price": 300},
            {"product": "Service", "quantity": 1, "price": "400"},
        ],
    )
    d2 = create_deal(app, ivan, {"title": "D2", "customer_id": alpha.id, "amount": 500})
    d3 = create_deal(
        app,
        petr,
        {
            "title": "D3",
            "customer_id": beta.id,
            "amount": 2000,
            "expected_close": date(2026, 4, 15),
        },
    )
    create_deal(app, ivan, {"title": "D4", "customer_id": gamma.id, "amount": 300})
    d5 = create_deal(app, petr, {"title": "D5", "customer_id": beta.id, "amount": 4000})
    clock.advance(days=1)
    move_deal(app, petr, d3.id, "demo")
    clock.advance(days=1)
    move_deal(app, ivan, d1.id, "demo")
    clock.advance(days=2)
    move_deal(app, ivan, d2.id, "info_sent")
    clock.advance(days=1)
    move_deal(app, ivan, d1.id, "won")
    move_deal(app, ivan, d2.id, "lost", lost_reason="price: too expensive")
    clock.advance(days=1)
    move_deal(app, petr, d5.id, "won")
    clock.advance(days=4)
    return team


def build(app, actor, report_id, **params):
    report = app.registry.reports[report_id].build(app, actor, params)
    image = Image.open(io.BytesIO(report.picture()))
    assert image.format == "PNG" and image.size == (700, 380)
    low, high = image.convert("L").getextrema()
    assert high - low > 100, "the chart is blank"
    return report


def test_funnel_counts_deals_by_the_furthest_stage_they_reached(app, history):
    report = build(app, history["manager"], "sales.funnel")
    assert report.rows == (
        ("Lead", 5, D("7800.00"), 1, None),
        ("Information sent", 4, D("7500.00"), 0, 80.0),
        ("Demonstration", 3, D("7000.00"), 1, 75.0),
        ("Reference visit", 2, D("5000.00"), 0, 66.7),
        ("Trial", 2, D("5000.00"), 0, 100.0),
        ("Contract negotiation", 2, D("5000.00"), 0, 100.0),
        ("Won", 2, D("5000.00"), 2, 100.0),
    )


def test_stage_durations_find_the_bottleneck(app, history):
    report = build(app, history["manager"], "sales.durations")
    assert report.title == "Stage durations (bottleneck: Lead)"
    rows = {row[0]: row for row in report.rows}
    assert rows["Lead"] == ("Lead", 5, 4.6, 10.0, 7, 0.66)
    assert rows["Information sent"] == ("Information sent", 1, 1.0, 1.0, 7, 0.14)
    assert rows["Demonstration"] == ("Demonstration", 2, 6.0, 9.0, 14, 0.43)
    assert rows["Trial"][1] == 0


def test_stage_durations_match_pairing_each_change_with_the_next_in_python(app, team, clock):
    """Random moves (back and forth, several at one instant) give the stays that pairing
    each deal's changes in order of time and id, the last one open until now, gives."""
    rng = random.Random(18)
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Alpha"})
    [pipeline] = list_pipelines(app)
    keys = [stage.key for stage in pipeline.stages if stage.outcome is StageOutcome.OPEN]
    deals = [create_deal(app, ivan, {"title": f"D{n}", "customer_id": customer.id}).id
             for n in range(12)]  # fmt: skip
    for _ in range(50):
        if rng.random() < 0.8:  # else a second move at the same instant
            clock.advance(hours=rng.randrange(1, 200))
        move_deal(app, ivan, rng.choice(deals), rng.choice(keys))
    clock.advance(hours=30)
    with UnitOfWork(app, read_only=True) as uow:
        changes = uow.session.execute(
            select(StageChangeRow.deal_id, StageChangeRow.changed_at, StageChangeRow.id,
                   StageChangeRow.to_stage_id)
        ).all()  # fmt: skip
    stays: dict[int, list[float]] = {}
    for deal_id in deals:
        mine = sorted((at, i, stage) for d, at, i, stage in changes if d == deal_id)
        for (at, _i, stage), (left, _j, _s) in zip(
            mine, [*mine[1:], (clock.now, 0, 0)], strict=True
        ):
            stays.setdefault(stage, []).append((left - at).total_seconds() / 86400)
    report = build(app, team["manager"], "sales.durations")
    by_name = {stage.name: stage.id for stage in pipeline.stages}
    for name, count, average, longest, _sla, _over in report.rows:
        days = stays.get(by_name[name], [])
        assert count == len(days)
        # The report rounds to a tenth, from floats: equal within that rounding.
        assert average == pytest.approx(sum(days) / len(days) if days else 0, abs=0.051)
        assert longest == pytest.approx(max(days, default=0), abs=0.051)


def test_forecast_weights_open_deals_by_stage_probability(app, history):
    report = build(app, history["manager"], "sales.forecast")
    assert report.rows == (
        ("2026-04", 1, D("2000.00"), D("500.00")),
        ("no date", 1, D("300.00"), D("15.00")),
    )


def test_win_rate_and_cycle_per_rep(app, history):
    report = build(app, history["manager"], "sales.reps")
    assert report.rows == (
        ("Ivan Rep", 1, 1, 50.0, D("1000.00"), 5.0),
        ("Petr Rep", 1, 0, 100.0, D("4000.00"), 6.0),
    )
    assert build(app, history["ivan"], "sales.reps").rows == (
        ("Ivan Rep", 1, 1, 50.0, D("1000.00"), 5.0),
    )


def test_sales_by_product_and_month(app, history):
    report = build(app, history["manager"], "sales.products")
    assert report.rows == (
        ("2026-03", "Service", D("400.00"), D("1")),
        ("2026-03", "Widget", D("600.00"), D("2")),
    )


def test_top_customers_show_who_brings_eighty_percent(app, history):
    report = build(app, history["manager"], "sales.top_customers")
    assert report.title == "Top customers: 1 of 2 bring 80% of revenue"
    assert report.rows == (
        ("Beta", "RUB", D("4000.00"), 1, 80.0, True),
        ("Alpha", "RUB", D("1000.00"), 1, 100.0, False),
    )


def test_lost_reasons_group_by_the_configured_list(app, history):
    assert build(app, history["manager"], "sales.lost_reasons").rows == (("price", 1, D("500.00")),)


def test_plan_versus_fact(app, history):
    manager, ivan = history["manager"], history["ivan"]
    set_plan(app, manager, "2026-03", "amount", "2 000", owner_id=ivan.user_id)
    set_plan(app, manager, "2026-03", "stage:demo", 2, owner_id=ivan.user_id)
    set_plan(app, manager, "2026-Q1", "count", 3)
    march = build(app, manager, "sales.plan", period="2026-03")
    assert march.rows == (
        ("Ivan Rep", "amount, RUB", D("2000.00"), D("1000.00"), D("-1000.00"), 50.0),
        ("Ivan Rep", "stage:demo", D("2.00"), D("1"), D("-1.00"), 50.0),
    )
    assert build(app, manager, "sales.plan", period="2026-Q1").rows == (
        ("team north", "count", D("3.00"), D("2"), D("-1.00"), 66.7),
    )
    assert build(app, history["sofia"], "sales.plan", period="2026-03").rows == ()


def test_reports_never_show_other_reps_deals(app, history):
    funnel = build(app, history["sofia"], "sales.funnel")
    assert all(row[1] == 0 for row in funnel.rows)


def test_a_parameter_a_report_would_ignore_is_refused(cli):
    cli("demo")
    refused = cli("report", "sales.forecast", "--param", "period=2026-Q1", code=1)
    assert "sales.forecast такого не принимает; принимает: owner" in refused
    assert "Error: Perod:" in cli("report", "sales.durations", "--param", "perod=x", code=1)
    assert "Воронка" in cli("report", "sales.funnel", "--param", "period=2026-12")


def test_money_is_never_summed_across_currencies(app, team):
    """A dollar deal beside rouble ones: each report keeps a column (or a row) per
    currency, rather than adding 100 dollars to 1 000 roubles."""
    ivan, manager = team["ivan"], team["manager"]
    acme = create_customer(app, ivan, {"name": "Acme"})

    def deal(title, amount, currency, lines=()):
        made = create_deal(app, ivan, {"title": title, "customer_id": acme.id, "amount": amount,
                                       "currency": currency})  # fmt: skip
        if lines:
            set_deal_lines(app, ivan, made.id, list(lines))
        return made

    move_deal(
        app,
        ivan,
        deal("R", 0, "RUB", [{"product": "Widget", "quantity": 2, "price": 500}]).id,
        "won",
    )
    move_deal(
        app,
        ivan,
        deal("U", 0, "USD", [{"product": "Widget", "quantity": 1, "price": 100}]).id,
        "won",
    )
    move_deal(app, ivan, deal("L", 30, "USD").id, "lost", lost_reason="price")
    deal("OR", 500, "RUB")
    deal("OU", 50, "USD")

    forecast = build(app, manager, "sales.forecast")
    assert forecast.columns == ("expected close", "deals", "amount, RUB", "weighted, RUB",
                                "amount, USD", "weighted, USD")  # fmt: skip
    assert forecast.rows == (("no date", 2, D("500.00"), D("25.00"), D("50.00"), D("2.50")),)
    funnel = build(app, manager, "sales.funnel")
    assert funnel.columns[:4] == ("stage", "reached", "amount, RUB", "amount, USD")
    assert funnel.rows[0] == ("Lead", 5, D("1500.00"), D("180.00"), 2, None)
    reps = build(app, manager, "sales.reps")
    assert reps.columns[4:6] == ("won amount, RUB", "won amount, USD")
    assert reps.rows[0][:6] == ("Ivan Rep", 2, 1, 66.7, D("1000.00"), D("100.00"))
    products = build(app, manager, "sales.products")
    assert products.rows == (("2026-03", "Widget", D("1000.00"), D("100.00"), D("3")),)
    top = build(app, manager, "sales.top_customers")
    assert top.columns[:3] == ("customer", "currency", "revenue")
    assert top.rows == (("Acme", "RUB", D("1000.00"), 1, 100.0, True),
                        ("Acme", "USD", D("100.00"), 1, 100.0, True))  # fmt: skip
    lost = build(app, manager, "sales.lost_reasons")
    assert lost.columns == ("reason", "deals", "amount, USD")  # only dollar deals were lost
    assert lost.rows == (("price", 1, D("30.00")),)
    set_plan(app, manager, "2026-03", "amount", 2000, owner_id=ivan.user_id)
    assert build(app, manager, "sales.plan", period="2026-03").rows == (
        ("Ivan Rep", "amount, RUB", D("2000.00"), D("1000.00"), D("-1000.00"), 50.0),
        ("Ivan Rep", "amount, USD", None, D("100.00"), None, None),
    )
