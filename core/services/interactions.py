"""Use case: record a contact with a customer, whatever the channel it came through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select

from rapport.core.db.tables import DealRow, InteractionRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.commands import InteractionPatch, NewInteraction, parse_command
from rapport.core.domain.errors import InvalidInput, NotFound, Problems, _l
from rapport.core.domain.models import Interaction
from rapport.core.services import changes
from rapport.core.services.access import check_owner_assignment
from rapport.core.services.customers import visible_customer
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

ENTITY: Final = "interaction"


def log_interaction(app: App, actor: Actor, data: NewInteraction | dict[str, Any]) -> Interaction:
    command = parse_command(NewInteraction, data)
    problems = Problems()
    with UnitOfWork(app) as uow:
        customer = visible_customer(uow.session, actor, command.customer_id)
        if customer.merged_into_id is not None:
            problems.add(
                InvalidInput.one(
                    "customer_id",
                    _l(
                        "#{id} was merged into #{into}; log it there",
                        id=customer.id,
                        into=customer.merged_into_id,
                    ),
                )
            )
        if command.deal_id is not None:
            deal = uow.session.get(DealRow, command.deal_id)
            if deal is None or deal.customer_id != customer.id:
                problems.add(
                    InvalidInput.one(
                        "deal_id",
                        _l("deal #{id} does not belong to this customer", id=command.deal_id),
                    )
                )
        fields = changes.coerce_fields(uow, ENTITY, command.fields, problems, creating=True)
        now = app.clock()
        occurred_at = command.occurred_at or now
        if occurred_at.tzinfo is None:
            problems.add(InvalidInput.one("occurred_at", _l("needs a time zone")))
        problems.raise_if_any()
        author_id = command.author_id if command.author_id is not None else actor.user_id
        if author_id != actor.user_id:  # a manager logging a rep's call: the rep did the work
            check_owner_assignment(uow.session, actor, author_id, field="author_id")
        values = {
            **command.model_dump(exclude={"fields", "occurred_at", "author_id"}),
            "occurred_at": occurred_at,
            "author_id": author_id,
            "fields": fields,
        }
        row = InteractionRow(**values, created_at=now)
        changes.insert(uow, actor, entity=ENTITY, row=row, values=values)
        interaction = Interaction.model_validate(row)
        uow.after_commit(lambda: app.hooks.after_interaction_logged(app, interaction, actor))
        uow.commit()
    return interaction


def update_interaction(
    app: App, actor: Actor, interaction_id: int, data: InteractionPatch | dict[str, Any]
) -> Interaction:
    """Complete a logged interaction (its outcome, summary or a custom field such as the
    topic), by someone who may see its customer; what happened and when stay as logged."""
    patch = parse_command(InteractionPatch, data)
    given = patch.model_fields_set
    problems = Problems()
    with UnitOfWork(app) as uow:
        row = uow.session.get(InteractionRow, interaction_id)
        if row is None:
            raise NotFound(_l("No interaction #{id}.", id=interaction_id))
        visible_customer(uow.session, actor, row.customer_id)
        current = Interaction.model_validate(row)
        patched = changes.coerce_fields(uow, ENTITY, patch.fields or {}, problems, creating=False)
        problems.raise_if_any()
        values = current.model_dump(exclude=set(changes.BOOKKEEPING))
        values.update(patch.model_dump(include=given - {"fields"}))
        if values["summary"] is None:
            values["summary"] = ""
        values["fields"] = changes.patch_fields(row.fields, patched)
        changes.update(uow, actor, entity=ENTITY, row=row, current=current, values=values,
                       columns=("summary", "outcome", "fields"))  # fmt: skip
        interaction = Interaction.model_validate(row)
        uow.commit()
    return interaction


def list_interactions(
    app: App, actor: Actor, customer_id: int, *, limit: int = 50
) -> list[Interaction]:
    """A customer's interactions, newest first."""
    with UnitOfWork(app, read_only=True) as uow:
        visible_customer(uow.session, actor, customer_id)
        rows = uow.session.scalars(
            select(InteractionRow)
            .where(InteractionRow.customer_id == customer_id)
            .order_by(InteractionRow.occurred_at.desc(), InteractionRow.id.desc())
            .limit(limit)
        )
        return [Interaction.model_validate(row) for row in rows]
