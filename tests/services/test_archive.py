"""Archiving: the "delete" users see. The record leaves lists and reports, history stays."""

import pytest

from rapport.core.domain.errors import PermissionDenied
from rapport.core.services.archive import set_archived
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import create_customer, list_customers
from rapport.core.services.deals import create_deal, get_deal, list_deals
from rapport.core.services.uow import UnitOfWork
from tests.helpers import audit_entries


@pytest.fixture
def deal(app, team):
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    return create_deal(app, team["ivan"], {"title": "Ошибка", "customer_id": customer.id,
                                           "amount": 900})  # fmt: skip


def funnel_total(app, actor):
    report = app.registry.reports["sales.funnel"].build(app, actor, {})
    return sum(row[1] for row in report.rows if isinstance(row[1], int))


def test_an_archived_deal_leaves_lists_cards_and_reports_and_comes_back_restored(app, team, deal):
    manager = team["manager"]
    before = funnel_total(app, manager)
    assert set_archived(app, manager, "deal", deal.id) is True
    assert set_archived(app, manager, "deal", deal.id) is False  # already archived
    assert deal.id not in [d.id for d in list_deals(app, manager)]
    assert deal.id in [d.id for d in list_deals(app, manager, include_archived=True)]
    assert customer_card(app, manager, deal.customer_id).open_deals == []
    assert funnel_total(app, manager) == before - 1
    assert get_deal(app, manager, deal.id).archived  # still readable by id, with its history
    set_archived(app, manager, "deal", deal.id, archived=False)
    assert funnel_total(app, manager) == before
    changes = [e.changes["archived"] for e in audit_entries(app, "deal", deal.id)
               if "archived" in e.changes]  # fmt: skip
    assert changes == [{"old": False, "new": True}, {"old": True, "new": False}]


def test_only_managers_archive_and_only_what_they_see(app, team, deal):
    with pytest.raises(PermissionDenied):
        set_archived(app, team["ivan"], "customer", deal.customer_id)
    south = team["manager"].model_copy(update={"team": "south"})
    with pytest.raises(Exception, match="No customer"):
        set_archived(app, south, "customer", deal.customer_id)
    set_archived(app, team["manager"], "customer", deal.customer_id)
    assert list_customers(app, team["manager"]) == []
    with UnitOfWork(app, read_only=True):
        assert get_deal(app, team["manager"], deal.id).archived is False  # deals stay
