"""Time audit and cost to serve, checked against figures worked out by hand."""

from decimal import Decimal

import pytest

from rapport.core.domain.errors import InvalidInput, PermissionDenied
from rapport.core.services.customers import create_customer
from rapport.core.services.interactions import log_interaction
from rapport.plugins.tasks.costs import add_marketing_cost
from rapport.plugins.tasks.services import complete_task, create_task


@pytest.fixture
def worked(app, team):
    """Ivan (rep, 1000/h) and Olga (manager, 1500/h) work for Alpha and Beta.

    Alpha: a 90-minute document task, a call task done in 30 minutes (logged as a
    call, counted once), a 60-minute visit, Olga's 40-minute meeting, 2 500 of
    marketing. Beta: a 15-minute call.
    """
    ivan, olga = team["ivan"], team["manager"]
    alpha = create_customer(app, ivan, {"name": "Alpha"})
    beta = create_customer(app, ivan, {"name": "Beta"})
    offer = create_task(
        app, ivan, {"customer_id": alpha.id, "due": "завтра", "title": "Offer", "kind": "document"}
    )
    call = create_task(
        app, ivan, {"customer_id": alpha.id, "due": "завтра", "title": "Call", "kind": "call"}
    )
    complete_task(app, ivan, offer.id, spent_minutes=90)
    complete_task(app, ivan, call.id, spent_minutes=30)
    log_interaction(app, ivan, {"customer_id": alpha.id, "kind": "visit", "duration_minutes": 60})
    log_interaction(app, olga, {"customer_id": alpha.id, "kind": "meeting", "duration_minutes": 40})
    log_interaction(app, ivan, {"customer_id": beta.id, "kind": "call", "duration_minutes": 15})
    add_marketing_cost(app, olga, alpha.id, "2 500", "exhibition stand share")
    return team


def build(app, actor, report_id):
    return app.registry.reports[report_id].build(app, actor, {})


def test_time_audit_per_person_and_kind_of_work(app, worked):
    assert build(app, worked["manager"], "tasks.time_audit").rows == (
        ("Ivan Rep", "call", 45, 0.8),
        ("Ivan Rep", "document", 90, 1.5),
        ("Ivan Rep", "visit", 60, 1.0),
        ("Olga Manager", "meeting", 40, 0.7),
    )
    assert [r[0] for r in build(app, worked["ivan"], "tasks.time_audit").rows] == ["Ivan Rep"] * 3


def test_cost_of_each_customer(app, worked):
    assert build(app, worked["manager"], "tasks.customer_cost").rows == (
        ("Alpha", 3.7, Decimal("4000.00"), Decimal("2500.00"), Decimal("6500.00")),
        ("Beta", 0.2, Decimal("250.00"), Decimal("0.00"), Decimal("250.00")),
    )
    assert build(app, worked["sofia"], "tasks.customer_cost").rows == ()


def test_marketing_costs_are_checked(app, worked):
    alpha_id = 1
    with pytest.raises(PermissionDenied):
        add_marketing_cost(app, worked["ivan"], alpha_id, 100, "samples")
    with pytest.raises(InvalidInput, match="amount: must be more than 0"):
        add_marketing_cost(app, worked["manager"], alpha_id, "-5", "samples")
    with pytest.raises(InvalidInput, match="note: say what the money was spent on"):
        add_marketing_cost(app, worked["manager"], alpha_id, 5, " ")
