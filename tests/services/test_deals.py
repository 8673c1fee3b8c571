from decimal import Decimal

import pytest
from sqlalchemy import select

from rapport.core.db.tables import PipelineRow, StageChangeRow, StageRow
from rapport.core.domain.enums import Channel, StageOutcome
from rapport.core.domain.errors import ConcurrentChange, InvalidInput, NotFound
from rapport.core.services.customers import create_customer, merge_customers
from rapport.core.services.deals import create_deal, get_deal, list_deals, move_deal, update_deal
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork
from tests.helpers import audit_entries


@pytest.fixture
def customer(app, team):
    return create_customer(app, team["ivan"], {"name": "ООО Ромашка"})


def test_default_pipeline_follows_the_domain_funnel(app):
    [pipeline] = list_pipelines(app)
    assert [s.key for s in pipeline.stages] == [
        "lead",
        "info_sent",
        "demo",
        "reference_visit",
        "trial",
        "negotiation",
        "won",
        "lost",
    ]
    assert [s.outcome for s in pipeline.stages][-2:] == [StageOutcome.WON, StageOutcome.LOST]


def test_new_deal_starts_at_the_first_stage_in_the_team_currency(app, team, customer):
    deal = create_deal(
        app, team["ivan"], {"title": "Поставка", "customer_id": customer.id, "amount": "150000.50"}
    )
    pipeline = list_pipelines(app)[0]
    assert deal.stage_id == pipeline.stage("lead").id
    assert deal.amount == Decimal("150000.50") and deal.currency == "RUB"
    assert deal.status is StageOutcome.OPEN and deal.owner_id == team["ivan"].user_id
    assert get_deal(app, team["ivan"], deal.id).amount == Decimal("150000.50")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": -5}, "amount: must be at least 0"),
        ({"currency": "RUR"}, "currency: 'RUR' is not a known ISO 4217 currency code"),
        ({"stage": "signed"}, "stage: 'signed' is not a stage of pipeline 'Sales'"),
        ({"title": ""}, "title: must not be empty"),
    ],
)
def test_bad_deal_input_is_refused_with_the_field(app, team, customer, data, message):
    with pytest.raises(InvalidInput, match=message):
        create_deal(app, team["ivan"], {"title": "Deal", "customer_id": customer.id, **data})
    assert list_deals(app, team["ivan"]) == []


def test_deal_for_someone_elses_customer_is_not_found(app, team, customer):
    with pytest.raises(NotFound):
        create_deal(app, team["sofia"], {"title": "Steal", "customer_id": customer.id})


def test_moving_records_who_when_and_through_which_channel(app, team, customer, clock):
    ivan = team["ivan"]
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": customer.id})
    clock.advance(days=3)
    moved = move_deal(app, ivan.via(Channel.SHEET), deal.id, "Demonstration")
    assert moved.stage_entered_at == clock.now
    with UnitOfWork(app, read_only=True) as uow:
        history = list(
            uow.session.execute(
                select(StageChangeRow.changed_at, StageChangeRow.channel, StageRow.key)
                .join(StageRow, StageRow.id == StageChangeRow.to_stage_id)
                .where(StageChangeRow.deal_id == deal.id)
                .order_by(StageChangeRow.id)
            )
        )
    assert [(row.key, row.channel) for row in history] == [("lead", "bot"), ("demo", "sheet")]
    assert history[1].changed_at - history[0].changed_at == clock.now - history[0].changed_at
    entry = audit_entries(app, "deal", deal.id)[-1]
    assert entry.action == "move" and entry.changes["stage"] == {"old": "lead", "new": "demo"}


def test_winning_and_losing_close_the_deal(app, team, customer, clock):
    ivan = team["ivan"]
    won = move_deal(
        app, ivan, create_deal(app, ivan, {"title": "A", "customer_id": customer.id}).id, "won"
    )
    assert won.status is StageOutcome.WON and won.closed_at == clock.now
    lost = move_deal(
        app,
        ivan,
        create_deal(app, ivan, {"title": "B", "customer_id": customer.id}).id,
        "lost",
        lost_reason="  price: цена выше  ",
    )
    assert lost.status is StageOutcome.LOST and lost.lost_reason == "price: цена выше"
    reopened = move_deal(app, ivan, lost.id, "negotiation")
    assert reopened.status is StageOutcome.OPEN and reopened.closed_at is None
    assert reopened.lost_reason is None


def test_a_stage_of_another_pipeline_is_refused(app, team, customer):
    with UnitOfWork(app) as uow:
        other = PipelineRow(name="Service contracts", is_default=False)
        uow.session.add(other)
        uow.session.flush()
        uow.session.add(
            StageRow(
                pipeline_id=other.id,
                key="renewal",
                name="Renewal",
                position=0,
                probability=0.5,
                sla_days=None,
                outcome="open",
            )
        )
        uow.commit()
    deal = create_deal(app, team["ivan"], {"title": "Supply", "customer_id": customer.id})
    with pytest.raises(InvalidInput, match=r"'renewal' is not a stage of pipeline 'Sales'"):
        move_deal(app, team["ivan"], deal.id, "renewal")
    assert get_deal(app, team["ivan"], deal.id).stage_id == deal.stage_id


def test_update_deal_with_a_stale_version_is_refused(app, team, customer):
    deal = create_deal(
        app, team["ivan"], {"title": "Supply", "customer_id": customer.id, "amount": 100}
    )
    update_deal(app, team["ivan"], deal.id, {"amount": 200}, expected_version=deal.version)
    with pytest.raises(ConcurrentChange):
        update_deal(app, team["manager"], deal.id, {"amount": 300}, expected_version=deal.version)
    assert get_deal(app, team["ivan"], deal.id).amount == Decimal(200)


def test_deals_follow_the_customer_into_a_merge(app, team, customer):
    ivan = team["ivan"]
    twin = create_customer(app, ivan, {"name": "Romashka"})
    create_deal(app, ivan, {"title": "Supply", "customer_id": twin.id})
    merge_customers(app, ivan, customer.id, twin.id)
    assert [d.customer_id for d in list_deals(app, ivan)] == [customer.id]
    with pytest.raises(InvalidInput, match=r"was merged into"):
        create_deal(app, ivan, {"title": "Late", "customer_id": twin.id})


def test_the_same_amount_written_differently_is_not_a_change(app, team, customer):
    deal = create_deal(
        app, team["ivan"], {"title": "Supply", "customer_id": customer.id, "amount": "500.00"}
    )
    same = update_deal(app, team["ivan"], deal.id, {"amount": 500})
    assert same.version == deal.version
    assert [e.action for e in audit_entries(app, "deal", deal.id)] == ["create"]


def test_a_close_date_is_read_as_every_other_date_field_reads_dates(app, team):
    from datetime import date

    from rapport.core.domain.errors import InvalidInput
    from rapport.core.services.customers import create_customer
    from rapport.core.services.deals import create_deal, update_deal

    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    deal = create_deal(app, team["ivan"], {"title": "Supply", "customer_id": customer.id,
                                           "expected_close": "01.03.2027"})  # fmt: skip
    assert deal.expected_close == date(2027, 3, 1)
    moved = update_deal(app, team["ivan"], deal.id, {"expected_close": "2027-04-15"})
    assert moved.expected_close == date(2027, 4, 15)
    with pytest.raises(InvalidInput, match="is not a date"):
        update_deal(app, team["ivan"], deal.id, {"expected_close": "31.02.2027"})


def test_an_amount_rounded_up_to_what_no_column_holds_is_refused_in_words(app, team):
    from rapport.core.domain.errors import InvalidInput
    from rapport.core.services.customers import create_customer
    from rapport.core.services.deals import create_deal

    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    with pytest.raises(InvalidInput, match="amount"):
        create_deal(app, team["ivan"], {"title": "Huge", "customer_id": customer.id,
                                        "amount": Decimal("100000000000000.00")})  # fmt: skip
