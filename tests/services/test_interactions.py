from datetime import timedelta

import pytest

from rapport.core.domain.enums import Direction, InteractionKind
from rapport.core.domain.errors import InvalidInput, NotFound
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal
from rapport.core.services.interactions import list_interactions, log_interaction
from tests.helpers import audit_entries


def test_rep_logs_a_visit_and_sees_it_in_the_history(app, team, clock):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    log_interaction(
        app,
        ivan,
        {"customer_id": customer.id, "kind": "call", "occurred_at": clock.now - timedelta(days=2)},
    )
    visit = log_interaction(
        app,
        ivan,
        {
            "customer_id": customer.id,
            "kind": "visit",
            "summary": "Показали образцы",
            "outcome": "interested",
            "duration_minutes": 45,
            "channel": "In_Person",
        },
    )
    assert visit.author_id == ivan.user_id and visit.occurred_at == clock.now
    assert visit.channel == "in_person" and visit.direction is Direction.OUTBOUND
    assert [i.kind for i in list_interactions(app, ivan, customer.id)] == [
        InteractionKind.VISIT,
        InteractionKind.CALL,
    ]
    assert (
        audit_entries(app, "interaction", visit.id)[0].changes["summary"]["new"]
        == "Показали образцы"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "telepathy"}, "kind: must be one of: 'call', 'visit'"),
        ({"kind": "call", "duration_minutes": -1}, "duration_minutes: must be at least 0"),
        (
            {"kind": "call", "deal_id": 12345},
            "deal_id: deal #12345 does not belong to this customer",
        ),
    ],
)
def test_bad_interaction_is_refused(app, team, data, message):
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    with pytest.raises(InvalidInput, match=message):
        log_interaction(app, team["ivan"], {"customer_id": customer.id, **data})
    assert list_interactions(app, team["ivan"], customer.id) == []


def test_interaction_on_a_deal_of_another_customer_is_refused(app, team):
    ivan = team["ivan"]
    first = create_customer(app, ivan, {"name": "First"})
    second = create_customer(app, ivan, {"name": "Second"})
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": second.id})
    with pytest.raises(InvalidInput, match=r"does not belong to this customer"):
        log_interaction(app, ivan, {"customer_id": first.id, "kind": "call", "deal_id": deal.id})


def test_rep_cannot_log_on_someone_elses_customer(app, team):
    customer = create_customer(app, team["sofia"], {"name": "Sofia's"})
    with pytest.raises(NotFound):
        log_interaction(app, team["ivan"], {"customer_id": customer.id, "kind": "call"})
