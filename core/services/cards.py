"""The customer card: everything a person needs before talking to a customer, on one screen.

One call returns the record, its organisation or contact persons, the key facts (last
contact, last won deal, open deals) and the whole timeline: interactions (with the
organisation's contact persons too), deals and their stage moves, changes to the record,
and whatever plugins add (tasks, dates...). Adapters render it as they like; plugins add
blocks through ``customer_card_sections`` and entries through ``customer_timeline``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from rapport.core.db.tables import (
    AuditRow,
    CustomerRow,
    DealRow,
    InteractionRow,
    StageChangeRow,
    StageRow,
)
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import StageOutcome
from rapport.core.domain.models import Customer, Deal, Interaction
from rapport.core.explain import field_label
from rapport.core.extensions import CardSection, TimelineEntry
from rapport.core.services.customers import visible_customer
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import UserNames
from rapport.core.words import (
    action_word,
    channel_word,
    interaction_word,
    outcome_word,
    stage_word,
    texts,
)

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.i18n import Translator


class KeyFacts(BaseModel):
    model_config = ConfigDict(frozen=True)

    last_contact_at: datetime | None
    last_won_deal: Deal | None
    open_deals: int
    open_amount: dict[str, Decimal]


class CustomerCard(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    customer: Customer
    organisation: Customer | None
    contact_persons: list[Customer]
    owner_name: str | None
    facts: KeyFacts
    open_deals: list[Deal]
    recent_interactions: list[Interaction]
    timeline: list[TimelineEntry]
    sections: list[CardSection]


def customer_card(app: App, actor: Actor, customer_id: int, *, limit: int = 50) -> CustomerCard:
    _ = texts(app, actor.language)
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        row = visible_customer(session, actor, customer_id)
        customer = Customer.model_validate(row)
        organisation = (
            Customer.model_validate(session.get(CustomerRow, row.organisation_id))
            if row.organisation_id is not None
            else None
        )
        persons = [
            Customer.model_validate(p)
            for p in session.scalars(
                select(CustomerRow)
                .where(CustomerRow.organisation_id == row.id, CustomerRow.archived == false())
                .order_by(CustomerRow.name)
            )
        ]
        related = [row.id, *(p.id for p in persons)]
        names = UserNames(app, session)
        deals = [
            Deal.model_validate(d)
            for d in session.scalars(
                select(DealRow)
                .where(DealRow.customer_id == row.id, DealRow.archived.is_(False))
                .order_by(DealRow.id)
            )
        ]
        interactions = [
            Interaction.model_validate(i)
            for i in session.scalars(
                select(InteractionRow)
                .where(InteractionRow.customer_id.in_(related))
                .order_by(InteractionRow.occurred_at.desc(), InteractionRow.id.desc())
                .limit(limit)
            )
        ]
        # Newest first: the first is the last contact, with no query of its own.
        last_contact = interactions[0].occurred_at if interactions else None
        timeline = [
            *(_interaction_entry(i, names, persons, _) for i in interactions),
            *_deal_entries(session, deals, names, limit, _),
            *_change_entries(app, session, row.id, names, limit, _),
        ]
        # The plugins' reads join this unit of work: the card is one snapshot, read in
        # one transaction, instead of one more per plugin.
        timeline.extend(app.hooks.customer_timeline(app, customer, actor))
        sections = app.hooks.customer_card_sections(app, customer, actor)
        owner_name = names.get(customer.owner_id)
    # History only: a plugin's entry dated ahead (a task still to do) would sit on top
    # and push every real call and note out of view.
    now = app.clock()
    timeline = sorted((e for e in timeline if e.at <= now), key=lambda e: e.at, reverse=True)
    open_deals = [d for d in deals if d.status is StageOutcome.OPEN]
    won = [d for d in deals if d.status is StageOutcome.WON and d.closed_at is not None]
    open_amount: dict[str, Decimal] = {}
    for deal in open_deals:
        open_amount[deal.currency] = open_amount.get(deal.currency, Decimal(0)) + deal.amount
    return CustomerCard(
        customer=customer,
        organisation=organisation,
        contact_persons=persons,
        owner_name=owner_name,
        facts=KeyFacts(
            last_contact_at=last_contact,
            last_won_deal=max(won, key=lambda d: d.closed_at or d.created_at, default=None),
            open_deals=len(open_deals),
            open_amount=open_amount,
        ),
        open_deals=open_deals,
        recent_interactions=interactions[:10],
        timeline=timeline[:limit],
        sections=sections,
    )


def _interaction_entry(
    interaction: Interaction,
    names: UserNames,
    persons: list[Customer],
    _: Translator,
) -> TimelineEntry:
    with_whom = next((p.name for p in persons if p.id == interaction.customer_id), None)
    title = interaction_word(_, interaction.kind.value)
    if with_whom:
        title = _("{kind} with {name}", kind=title, name=with_whom)
    outcome = outcome_word(_, interaction.outcome) if interaction.outcome else ""
    detail = " — ".join(part for part in (interaction.summary, outcome) if part)
    return TimelineEntry(
        at=interaction.occurred_at,
        kind="interaction",
        title=title,
        detail=detail,
        author=names.get(interaction.author_id),
        ref=("interaction", interaction.id),
    )


def _deal_entries(
    session: Session, deals: list[Deal], names: UserNames, limit: int, _: Translator
) -> list[TimelineEntry]:
    if not deals:
        return []
    titles = {deal.id: deal.title for deal in deals}
    stage_names = {
        stage_id: stage_word(_, name)
        for stage_id, name in session.execute(select(StageRow.id, StageRow.name))
    }
    moves = session.scalars(
        select(StageChangeRow)
        .where(StageChangeRow.deal_id.in_(titles))
        .order_by(StageChangeRow.changed_at.desc())
        .limit(limit)
    )
    return [
        TimelineEntry(
            at=move.changed_at,
            kind="deal",
            title=(
                _("deal «{title}» opened", title=titles[move.deal_id])
                if move.from_stage_id is None
                else _("deal «{title}» moved", title=titles[move.deal_id])
            ),
            detail=(
                stage_names[move.to_stage_id]
                if move.from_stage_id is None
                else f"{stage_names[move.from_stage_id]} → {stage_names[move.to_stage_id]}"
            ),
            author=names.get(move.actor_id),
            ref=("deal", move.deal_id),
        )
        for move in moves
    ]


def _change_entries(
    app: App,
    session: Session,
    customer_id: int,
    names: UserNames,
    limit: int,
    _: Translator,
) -> list[TimelineEntry]:
    entries = session.execute(  # the columns shown, not whole entries as objects
        select(AuditRow.at, AuditRow.action, AuditRow.channel, AuditRow.changes, AuditRow.actor_id)
        .where(AuditRow.entity == "customer", AuditRow.entity_id == customer_id)
        .order_by(AuditRow.at.desc())
        .limit(limit)
    )
    return [
        TimelineEntry(
            at=entry.at,
            kind="change",
            title=f"{action_word(_, entry.action)} {channel_word(_, entry.channel)}",
            detail=""  # a new record's every field is "changed": naming them says nothing
            if entry.action == "create"
            else ", ".join(
                field_label(app, key, _.language)
                for key in entry.changes
                if key not in ("discarded", "moved", "merged_id")
            ),
            author=names.get(entry.actor_id),
            ref=("customer", customer_id),
        )
        for entry in entries
    ]
