"""Deals as a sales team works them: products, discounts and approvals, lifecycle, rules."""

import asyncio
from decimal import Decimal

import pytest

from rapport.core.domain.enums import CustomerStatus
from rapport.core.domain.errors import AwaitingApproval, InvalidInput, PermissionDenied, Vetoed
from rapport.core.services.customers import create_customer, get_customer
from rapport.core.services.deals import create_deal, get_deal, move_deal, update_deal
from rapport.core.services.pipelines import list_pipelines, save_pipeline
from rapport.plugins.sales.approvals import (
    decide,
    pending_requests,
    request_discount,
    request_reassignment,
)
from rapport.plugins.sales.hooks import sync_pipelines
from rapport.plugins.sales.lines import set_deal_lines
from rapport.plugins.sales.plans import parse_period, set_plan
from tests.helpers import audit_entries
from tests.plugin_modules.inbox import Inbox


@pytest.fixture
def inbox():
    return Inbox()


@pytest.fixture
def sales_app(make_app, inbox):
    return make_app(plugins=[("inbox", inbox)])


@pytest.fixture
def deal(sales_app, team):
    customer = create_customer(sales_app, team["ivan"], {"name": "Alpha"})
    return create_deal(sales_app, team["ivan"], {"title": "Supply", "customer_id": customer.id})


def test_products_make_the_amount_and_the_discount_follows(sales_app, team, deal):
    ivan = team["ivan"]
    updated, lines = set_deal_lines(
        sales_app,
        ivan,
        deal.id,
        [
            {"product": "Widget", "quantity": "2", "price": "1 500,50"},
            {"product": "Installation", "quantity": 1, "price": 999},
        ],
    )
    assert updated.amount == Decimal("4000.00") and [line.total for line in lines] == [
        Decimal("3001.00"),
        Decimal("999.00"),
    ]
    assert request_discount(sales_app, ivan, deal.id, 5) is None  # within a rep's 10%
    assert get_deal(sales_app, ivan, deal.id).amount == Decimal("3800.00")
    with pytest.raises(InvalidInput) as error:
        set_deal_lines(sales_app, ivan, deal.id, [{"product": "", "quantity": 0, "price": -1}])
    message = str(error.value)
    assert "lines.0.product: name the product" in message
    assert (
        "lines.0.quantity: must be more than 0" in message
        and "lines.0.price: must not be negative" in message
    )
    assert get_deal(sales_app, ivan, deal.id).amount == Decimal("3800.00")


def test_a_large_discount_waits_for_a_manager(sales_app, inbox, team, deal):
    ivan, manager = team["ivan"], team["manager"]
    # Typed straight into the deal (a card, the sheet): not refused, asked for.
    with pytest.raises(AwaitingApproval, match=r"a 30% discount is above your limit of 10%"):
        update_deal(sales_app, ivan, deal.id, {"fields": {"discount_percent": 30}})
    assert get_deal(sales_app, ivan, deal.id).fields.get("discount_percent") is None
    [held] = pending_requests(sales_app, manager)
    assert held.payload == {"discount_percent": 30.0} and held.requested_by == ivan.user_id
    # Asked for outright, with a reason.
    request = request_discount(sales_app, ivan, deal.id, "20", reason="competitor offers 18%")
    assert request.status == "pending"
    notes = [m for m in inbox.sent if m.kind == "approval"]
    assert [n.user_id for n in notes] == [manager.user_id, manager.user_id]
    assert notes[-1].text == (
        f"Request #{request.id}: Ivan Rep asks for a 20% discount on «Supply» (Alpha, "
        "RUB\u00a00.00) in the bot: competitor offers 18%"
    )
    assert notes[-1].options == (
        ("Approve", f"/approve {request.id}"),
        ("Reject", f"/reject {request.id}"),
    )
    assert [r.id for r in pending_requests(sales_app, manager)] == [held.id, request.id]
    assert [r.id for r in pending_requests(sales_app, team["sofia"])] == []
    with pytest.raises(PermissionDenied):
        decide(sales_app, ivan, request.id, approve=True)
    decided = decide(sales_app, manager, request.id, approve=True, note="ok this once")
    assert decided.status == "approved" and decided.decided_by == manager.user_id
    assert get_deal(sales_app, ivan, deal.id).fields["discount_percent"] == 20
    assert inbox.sent[-1].user_id == ivan.user_id
    assert inbox.sent[-1].text == (
        "Olga Manager approved your request: a 20% discount on «Supply» (Alpha, RUB\u00a00.00)"
        " — ok this once"
    )
    with pytest.raises(InvalidInput, match="was already approved"):
        decide(sales_app, manager, request.id, approve=False)
    change = audit_entries(sales_app, "deal", deal.id)[-1]
    assert (
        change.actor_id == manager.user_id
        and change.changes["fields.discount_percent"]["new"] == 20
    )
    [asked, approved] = [e for e in audit_entries(sales_app, "approval", request.id)]
    assert (asked.action, asked.actor_id) == ("request", ivan.user_id)
    assert (approved.action, approved.actor_id) == ("approved", manager.user_id)


def test_a_manager_cannot_approve_beyond_their_own_limit(sales_app, team, deal, admin):
    request = request_discount(sales_app, team["ivan"], deal.id, 40)
    with pytest.raises(PermissionDenied, match="above your limit too"):
        decide(sales_app, team["manager"], request.id, approve=True)
    assert decide(sales_app, admin, request.id, approve=True).status == "approved"


def test_reassignment_by_a_rep_is_a_request_and_can_be_rejected(sales_app, team, deal):
    request = request_reassignment(sales_app, team["ivan"], deal.id, team["petr"].user_id)
    assert decide(sales_app, team["manager"], request.id, approve=False).status == "rejected"
    assert get_deal(sales_app, team["ivan"], deal.id).owner_id == team["ivan"].user_id
    assert request_reassignment(sales_app, team["manager"], deal.id, team["petr"].user_id) is None
    assert get_deal(sales_app, team["manager"], deal.id).owner_id == team["petr"].user_id


def test_approve_and_reject_commands_for_the_bot(sales_app, team, deal):
    from rapport.core.extensions import CommandRequest

    request = request_discount(sales_app, team["ivan"], deal.id, 15)
    commands = sales_app.registry.commands
    assert (
        "Requests"
        not in commands["requests"].handler(CommandRequest(sales_app, team["manager"], "")).text
    )
    reply = commands["approve"].handler(
        CommandRequest(sales_app, team["manager"], f"{request.id} fine")
    )
    assert reply.text == f"Request #{request.id} approved."
    assert (
        commands["requests"].handler(CommandRequest(sales_app, team["manager"], "")).text
        == "No requests are waiting."
    )


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (None, "say why it was lost .price, competitor"),
        ("weather", "'weather' is not a lost reason"),
    ],
)
def test_a_deal_is_not_lost_without_a_known_reason(sales_app, team, deal, reason, message):
    with pytest.raises(Vetoed, match=message):
        move_deal(sales_app, team["ivan"], deal.id, "lost", lost_reason=reason)
    assert get_deal(sales_app, team["ivan"], deal.id).status.value == "open"
    assert (
        move_deal(
            sales_app, team["ivan"], deal.id, "lost", lost_reason="Competitor: Beta"
        ).status.value
        == "lost"
    )


def test_the_customer_status_follows_its_deals(sales_app, team):
    ivan = team["ivan"]
    customer = create_customer(sales_app, ivan, {"name": "Alpha", "status": "suspect"})
    small = create_deal(
        sales_app, ivan, {"title": "Small", "customer_id": customer.id, "amount": 1000}
    )
    assert get_customer(sales_app, ivan, customer.id).status is CustomerStatus.PROSPECT
    big = create_deal(
        sales_app, ivan, {"title": "Big", "customer_id": customer.id, "amount": 1_500_000}
    )
    assert get_deal(sales_app, ivan, big.id).fields["opportunity"] is True
    assert get_customer(sales_app, ivan, customer.id).status is CustomerStatus.OPPORTUNITY
    move_deal(sales_app, ivan, big.id, "lost", lost_reason="no budget")
    assert get_customer(sales_app, ivan, customer.id).status is CustomerStatus.PROSPECT
    move_deal(sales_app, ivan, small.id, "won")
    assert get_customer(sales_app, ivan, customer.id).status is CustomerStatus.CUSTOMER
    statuses = [
        e.changes["status"]["new"]
        for e in audit_entries(sales_app, "customer", customer.id)
        if "status" in e.changes and e.channel == "system"
    ]
    assert statuses == ["prospect", "opportunity", "prospect", "customer"]


def test_a_customer_whose_deals_are_all_lost_is_lost(sales_app, team, deal):
    move_deal(sales_app, team["ivan"], deal.id, "lost", lost_reason="price")
    assert get_customer(sales_app, team["ivan"], deal.customer_id).status is CustomerStatus.LOST


def test_pipelines_from_settings_and_the_teams_word_for_a_sale(make_app, admin):
    options = {
        "sales": {
            "deal_word": {"en": "order", "ru": "заказ"},
            "pipelines": [
                {
                    "name": "Service",
                    "stages": [
                        {"key": "request", "name": "Request", "probability": 0.2, "sla_days": 2},
                        {"key": "quote", "name": "Quote", "probability": 0.5},
                        {"key": "done", "name": "Done", "probability": 1, "outcome": "won"},
                        {"key": "dropped", "name": "Dropped", "probability": 0, "outcome": "lost"},
                    ],
                }
            ],
        }
    }
    app = make_app(plugins_options=options)
    assert app.registry.term("deal", "ru") == "заказ" and app.registry.term("deal", "uk") == "order"
    asyncio.run(app.start())
    asyncio.run(app.stop())
    service = next(p for p in list_pipelines(app) if p.name == "Service")
    assert [s.key for s in service.stages] == ["request", "quote", "done", "dropped"]
    customer = create_customer(app, admin, {"name": "Alpha"})
    order = create_deal(
        app, admin, {"title": "Repair", "customer_id": customer.id, "pipeline_id": service.id}
    )
    with pytest.raises(InvalidInput, match="stage: 'demo' is not a stage of pipeline 'Service'"):
        move_deal(app, admin, order.id, "demo")
    with pytest.raises(InvalidInput, match="stage 'Request' still holds deals"):
        save_pipeline(
            app, admin, "Service", [s.model_dump() for s in service.stages if s.key != "request"]
        )
    assert sync_pipelines(app) == ["Service"]


def test_bad_pipeline_settings_stop_start_up(make_app):
    from rapport.core.domain.errors import ConfigError

    with pytest.raises(ConfigError, match="needs open stages, a won and a lost stage"):
        make_app(
            plugins_options={
                "sales": {
                    "pipelines": [
                        {"name": "X", "stages": [{"key": "a", "name": "A", "probability": 0.5}]}
                    ]
                }
            }
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026-13", "amount", 1), "period: '2026-13' is not a month .2026-03. or a quarter"),
        (("2026-Q5", "amount", 1), "is not a month"),
        (("2026-03", "amount", -5), "target: must not be negative"),
        (("2026-03", "stage:signed", 5), "metric: there is no stage 'signed'"),
        (("2026-03", "revenue", 5), "plan 'amount', 'count' or 'stage:<stage key>'"),
    ],
)
def test_bad_plans_are_refused(sales_app, team, args, message):
    with pytest.raises(InvalidInput, match=message):
        set_plan(sales_app, team["manager"], *args)


def test_managers_plan_only_their_team(sales_app, team):
    with pytest.raises(PermissionDenied):
        set_plan(sales_app, team["ivan"], "2026-03", "amount", 5)
    with pytest.raises(InvalidInput, match="Sofia Rep is not in your team"):
        set_plan(sales_app, team["manager"], "2026-03", "amount", 5, owner_id=team["sofia"].user_id)
    assert parse_period("2026-q4").ends.isoformat() == "2027-01-01"


def test_saving_an_unchanged_pipeline_records_nothing(sales_app, admin):
    stages = [
        {"key": "new", "name": "New", "probability": 0.1},
        {"key": "won", "name": "Won", "probability": 1, "outcome": "won"},
        {"key": "lost", "name": "Lost", "probability": 0, "outcome": "lost"},
    ]
    pipeline = save_pipeline(sales_app, admin, "Mini", stages)
    save_pipeline(sales_app, admin, "Mini", stages)
    assert len(audit_entries(sales_app, "pipeline", pipeline.id)) == 1
    stages[0]["sla_days"] = 3
    save_pipeline(sales_app, admin, "Mini", stages)
    assert len(audit_entries(sales_app, "pipeline", pipeline.id)) == 2
