"""The customer card: everything a person needs before talking to a customer, on one screen.

Adapters render it as they like (a chat message, a sheet row, a CLI page); plugins add
their blocks through ``customer_card_sections``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import false, func, select

from core.db.tables import CustomerRow, DealRow, InteractionRow
from core.domain.actor import Actor
from core.domain.enums import StageOutcome
from core.domain.models import Customer, Deal, Interaction
from core.extensions import CardSection
from core.services.customers import visible_customer
from core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from core.bootstrap import App


class CustomerCard(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    customer: Customer
    organisation: Customer | None
    contact_persons: list[Customer]
    open_deals: list[Deal]
    recent_interactions: list[Interaction]
    last_contact_at: datetime | None
    sections: list[CardSection]


def customer_card(app: App, actor: Actor, customer_id: int, *, recent: int = 10) -> CustomerCard:
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        row = visible_customer(session, actor, customer_id)
        customer = Customer.model_validate(row)
        organisation = (
            Customer.model_validate(session.get(CustomerRow, row.organisation_id))
            if row.organisation_id is not None
            else None
        )
        persons = session.scalars(
            select(CustomerRow)
            .where(CustomerRow.organisation_id == row.id, CustomerRow.archived == false())
            .order_by(CustomerRow.name)
        )
        deals = session.scalars(
            select(DealRow)
            .where(DealRow.customer_id == row.id, DealRow.status == StageOutcome.OPEN.value)
            .order_by(DealRow.expected_close, DealRow.id)
        )
        interactions = session.scalars(
            select(InteractionRow)
            .where(InteractionRow.customer_id == row.id)
            .order_by(InteractionRow.occurred_at.desc(), InteractionRow.id.desc())
            .limit(recent)
        )
        last_contact = session.scalar(
            select(func.max(InteractionRow.occurred_at)).where(InteractionRow.customer_id == row.id)
        )
        card = CustomerCard(
            customer=customer,
            organisation=organisation,
            contact_persons=[Customer.model_validate(p) for p in persons],
            open_deals=[Deal.model_validate(d) for d in deals],
            recent_interactions=[Interaction.model_validate(i) for i in interactions],
            last_contact_at=last_contact,
            sections=[],
        )
    sections = app.hooks.customer_card_sections(app, customer, actor)
    return card.model_copy(update={"sections": sections})
