"""Use cases on deals: open, change, move through the pipeline, find."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rapport.core.db.tables import DealRow, StageChangeRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.commands import DealPatch, NewDeal, parse_command
from rapport.core.domain.enums import StageOutcome
from rapport.core.domain.errors import InvalidInput, NotFound, Problems, _l
from rapport.core.domain.models import Deal, Pipeline, Stage
from rapport.core.domain.values import normalize_currency
from rapport.core.services import changes
from rapport.core.services.access import (
    check_owner_assignment,
    default_owner,
    may_see_owner,
    owned_scope,
)
from rapport.core.services.customers import visible_customer
from rapport.core.services.pipelines import load_pipeline, stage_of
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

ENTITY: Final = "deal"
EDITABLE = ("title", "amount", "currency", "owner_id", "expected_close", "fields")
IDS_AT_ONCE = 5000  # ids per IN (...), well under every database's limit on parameters


def create_deal(app: App, actor: Actor, data: NewDeal | dict[str, Any]) -> Deal:
    command = parse_command(NewDeal, data)
    problems = Problems()
    currency = _currency(command.currency or app.settings.currency, problems)
    with UnitOfWork(app) as uow:
        customer = visible_customer(uow.session, actor, command.customer_id)
        if customer.merged_into_id is not None:
            problems.add(
                InvalidInput.one(
                    "customer_id",
                    _l(
                        "#{id} was merged into #{into}",
                        id=customer.id,
                        into=customer.merged_into_id,
                    ),
                )
            )
        pipeline = load_pipeline(uow.session, command.pipeline_id)
        stage = (
            _first_open(pipeline)
            if command.stage is None
            else _stage(pipeline, command.stage, problems)
        )
        fields = changes.coerce_fields(uow, ENTITY, command.fields, problems, creating=True)
        problems.raise_if_any()
        assert stage is not None
        owner_id = default_owner(actor, command.owner_id, command.model_fields_set)
        check_owner_assignment(uow.session, actor, owner_id)
        now = app.clock()
        values = {
            "title": command.title,
            "customer_id": customer.id,
            "owner_id": owner_id,
            "pipeline_id": pipeline.id,
            "stage_id": stage.id,
            "status": stage.outcome.value,
            "amount": command.amount,
            "currency": currency,
            "expected_close": command.expected_close,
            "lost_reason": None,
            "fields": fields,
        }
        closed_at = now if stage.outcome is not StageOutcome.OPEN else None
        row = DealRow(
            **values, stage_entered_at=now, closed_at=closed_at, created_at=now, updated_at=now
        )
        changes.insert(
            uow, actor, entity=ENTITY, row=row, values=values, review_extra={"stage": stage.key}
        )
        _record_stage_change(uow.session, actor, row.id, None, stage, now)
        deal = Deal.model_validate(row)
        uow.after_commit(lambda: app.hooks.after_deal_created(app, deal, actor))
        _after_close(uow, deal, stage, actor, reason=None)
        uow.commit()
    return deal


def update_deal(
    app: App,
    actor: Actor,
    deal_id: int,
    data: DealPatch | dict[str, Any],
    *,
    expected_version: int | None = None,
) -> Deal:
    patch = parse_command(DealPatch, data)
    given = patch.model_fields_set
    problems = Problems()
    with UnitOfWork(app) as uow:
        row = visible_deal(uow.session, actor, deal_id)
        changes.check_version(ENTITY, row.version, expected_version)
        current = Deal.model_validate(row)
        values = current.model_dump(exclude=set(changes.BOOKKEEPING))
        values.update(patch.model_dump(include=given - {"fields", "currency"}))
        if "currency" in given and patch.currency is not None:
            values["currency"] = _currency(patch.currency, problems)
        patched = changes.coerce_fields(uow, ENTITY, patch.fields or {}, problems, creating=False)
        values["fields"] = changes.patch_fields(row.fields, patched)
        for required in ("title", "amount"):
            if required in given and values[required] is None:
                problems.add(InvalidInput.one(required, _l("must not be empty")))
        problems.raise_if_any()
        if values["owner_id"] != current.owner_id:
            check_owner_assignment(uow.session, actor, values["owner_id"])
        changed = changes.update(
            uow, actor, entity=ENTITY, row=row, current=current, values=values, columns=EDITABLE
        )
        if not changed:
            return current
        deal = Deal.model_validate(row)
        uow.after_commit(lambda: app.hooks.after_deal_updated(app, deal, changed, actor))
        uow.commit()
    return deal


def move_deal(
    app: App,
    actor: Actor,
    deal_id: int,
    stage: str | int,
    *,
    lost_reason: str | None = None,
    expected_version: int | None = None,
) -> Deal:
    """Move a deal to another stage of its own pipeline; won and lost stages close it."""
    with UnitOfWork(app) as uow:
        row = visible_deal(uow.session, actor, deal_id)
        changes.check_version(ENTITY, row.version, expected_version)
        pipeline = load_pipeline(uow.session, row.pipeline_id)
        target = stage_of(pipeline, stage)
        source = stage_of(pipeline, row.stage_id)
        current = Deal.model_validate(row)
        if target.id == source.id:
            return current
        reason = (lost_reason or "").strip() or None
        if reason is not None and len(reason) > 500:
            raise InvalidInput.one(
                "lost_reason", _l("is longer than {limit} characters", limit=500)
            )
        now = app.clock()
        values = {
            **changes.snapshot(current),
            "stage_id": target.id,
            "status": target.outcome.value,
            "lost_reason": reason if target.outcome is StageOutcome.LOST else None,
        }

        def apply() -> int:
            row.stage_id, row.status, row.lost_reason = (
                target.id,
                target.outcome.value,
                values["lost_reason"],
            )
            row.stage_entered_at = now
            row.closed_at = now if target.outcome is not StageOutcome.OPEN else None
            row.updated_at = now
            uow.session.flush()
            _record_stage_change(uow.session, actor, row.id, source, target, now)
            return row.id

        changes.write(
            uow,
            actor,
            entity=ENTITY,
            action="move",
            entity_id=row.id,
            before=changes.snapshot(current) | {"stage": source.key},
            after=values | {"stage": target.key},
            apply=apply,
            at=now,
        )
        deal = Deal.model_validate(row)
        uow.after_commit(
            lambda: app.hooks.after_deal_stage_changed(app, deal, source, target, actor)
        )
        _after_close(uow, deal, target, actor, reason=reason)
        uow.commit()
    return deal


def get_deal(app: App, actor: Actor, deal_id: int) -> Deal:
    with UnitOfWork(app, read_only=True) as uow:
        return Deal.model_validate(visible_deal(uow.session, actor, deal_id))


def list_deals(
    app: App,
    actor: Actor,
    *,
    customer_id: int | None = None,
    status: StageOutcome | None = None,
    include_archived: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Deal]:
    statement = _listed(select(DealRow), actor, customer_id, status, include_archived)
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(statement.limit(limit).offset(offset))
        return [Deal.model_validate(row) for row in rows]


def deal_values(
    app: App, actor: Actor, keys: Iterable[str], ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Every deal the actor sees (not archived; of ``ids`` only, if given), as the stored
    values of the columns ``keys`` names, in :func:`list_deals`' order: for a caller that
    reads them all each time (the sheet, ten thousand rows a cycle), where an ORM object
    and a validated model per deal cost more than the rest of its work. The values were
    validated when stored."""
    table = DealRow.__table__.c
    columns = [table[key] for key in dict.fromkeys(keys) if key in table]
    statement = _listed(select(*columns), actor, None, None, include_archived=False)
    chunks = [None] if ids is None else [ids[at : at + IDS_AT_ONCE]
                                          for at in range(0, len(ids), IDS_AT_ONCE)]  # fmt: skip
    with UnitOfWork(app, read_only=True) as uow:
        return [
            dict(row)
            for chunk in chunks
            for row in uow.session.execute(
                statement if chunk is None else statement.where(DealRow.id.in_(chunk))
            ).mappings()
        ]


def _listed(
    statement: Select[Any],
    actor: Actor,
    customer_id: int | None,
    status: StageOutcome | None,
    include_archived: bool,
) -> Select[Any]:
    """The deals ``actor`` sees, newest change first, narrowed as asked."""
    statement = statement.where(owned_scope(actor, DealRow.owner_id))
    if not include_archived:
        statement = statement.where(DealRow.archived.is_(False))
    if customer_id is not None:
        statement = statement.where(DealRow.customer_id == customer_id)
    if status is not None:
        statement = statement.where(DealRow.status == status.value)
    return statement.order_by(DealRow.updated_at.desc(), DealRow.id.desc())


def visible_deal(session: Session, actor: Actor, deal_id: int) -> DealRow:
    row = session.get(DealRow, deal_id)
    if row is None or not may_see_owner(session, actor, row.owner_id):
        raise NotFound(_l("No deal #{id}.", id=deal_id))
    return row


def _after_close(
    uow: UnitOfWork, deal: Deal, stage: Stage, actor: Actor, *, reason: str | None
) -> None:
    app = uow.app
    if stage.outcome is StageOutcome.WON:
        earlier_wins = uow.session.scalar(
            select(func.count()).where(
                DealRow.customer_id == deal.customer_id,
                DealRow.status == StageOutcome.WON.value,
                DealRow.id != deal.id,
            )
        )
        first = not earlier_wins
        uow.after_commit(lambda: app.hooks.after_deal_won(app, deal, first, actor))
    elif stage.outcome is StageOutcome.LOST:
        uow.after_commit(lambda: app.hooks.after_deal_lost(app, deal, reason, actor))


def _record_stage_change(
    session: Session, actor: Actor, deal_id: int, source: Stage | None, target: Stage, at: Any
) -> None:
    session.add(
        StageChangeRow(
            deal_id=deal_id,
            from_stage_id=source.id if source else None,
            to_stage_id=target.id,
            changed_at=at,
            actor_id=actor.user_id,
            channel=actor.channel.value,
        )
    )


def _first_open(pipeline: Pipeline) -> Stage:
    return next(s for s in pipeline.stages if s.outcome is StageOutcome.OPEN)


def _stage(pipeline: Pipeline, wanted: str, problems: Problems) -> Stage | None:
    try:
        return stage_of(pipeline, wanted)
    except InvalidInput as exc:
        problems.add(exc)
        return None


def _currency(raw: str, problems: Problems) -> str:
    try:
        return normalize_currency(raw)
    except InvalidInput as exc:
        problems.add(exc)
        return raw
