"""A customer's status follows its deals: suspect → prospect → opportunity → customer → lost.

Runs after each deal change, as the system, through the service layer, so the status
change is audited and fires ``after_customer_updated`` like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from rapport.core.db.tables import DealRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import CustomerStatus, StageOutcome
from rapport.core.domain.models import Deal
from rapport.core.services.customers import get_customer, update_customer
from rapport.core.services.deals import update_deal
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.options import sales_options

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

RANK = {
    CustomerStatus.SUSPECT: 0,
    CustomerStatus.LOST: 0,
    CustomerStatus.PROSPECT: 1,
    CustomerStatus.OPPORTUNITY: 2,
    CustomerStatus.CUSTOMER: 3,
}


def flag_opportunity(app: App, deal: Deal) -> None:
    """Mark a deal as an opportunity once its amount reaches the threshold (and unmark)."""
    large = deal.amount >= sales_options(app.settings).opportunity_threshold
    if bool(deal.fields.get("opportunity")) != large:
        update_deal(app, Actor.system(), deal.id, {"fields": {"opportunity": large}})


def follow_deals(app: App, customer_id: int) -> None:
    """Set the customer's status from all its deals."""
    with UnitOfWork(app, read_only=True) as uow:
        counts = dict(
            uow.session.execute(
                select(DealRow.status, func.count())
                .where(DealRow.customer_id == customer_id, DealRow.archived.is_(False))
                .group_by(DealRow.status)
            ).all()
        )
        opportunity = uow.session.scalar(
            select(func.count()).where(
                DealRow.customer_id == customer_id,
                DealRow.archived.is_(False),
                DealRow.status == StageOutcome.OPEN.value,
                DealRow.fields["opportunity"].as_boolean(),
            )
        )
    customer = get_customer(app, Actor.system(), customer_id)
    if counts.get(StageOutcome.WON.value):
        status = CustomerStatus.CUSTOMER
    elif opportunity:
        status = CustomerStatus.OPPORTUNITY
    elif counts.get(StageOutcome.OPEN.value):
        status = CustomerStatus.PROSPECT
    elif counts.get(StageOutcome.LOST.value):
        status = CustomerStatus.LOST
    else:
        return
    if status != customer.status:
        update_customer(app, Actor.system(), customer_id, {"status": status})
