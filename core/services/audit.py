"""The audit log: every change, who made it, through which channel, before and after."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from rapport.core.db.tables import AuditRow, CustomerRow, DealRow, InteractionRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import NotFound, PermissionDenied, _l
from rapport.core.domain.models import AuditEntry
from rapport.core.domain.values import MAX_ID
from rapport.core.services.access import visibility
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App


def jsonable(value: Any) -> Any:
    """A value as it can be stored in a JSON column and read back unambiguously."""
    if type(value) in AS_IS:  # most values: asked first, as every audit entry asks
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    # Plain members are kept without a call: an entry holds dozens of them.
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in AS_IS else jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [v if type(v) in AS_IS else jsonable(v) for v in value]
    return value


AS_IS = frozenset({str, int, float, bool, type(None)})
"""The types a JSON column stores as they are (not their subclasses: an enum is one)."""


def record(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int,
    action: str,
    changes: Mapping[str, Any],
    at: datetime,
    note: str | None = None,
) -> None:
    """Add an audit entry to the current transaction; it commits or rolls back with the change.

    Written at once as a plain INSERT on the transaction's connection: the ORM's unit of
    work would track an object nothing reads back, at a cost near the change's own."""
    session.connection().execute(
        _INSERT, _entry(actor, entity, entity_id, action, changes, at, note)
    )


_INSERT = insert(AuditRow)


def record_many(
    session: Session,
    actor: Actor,
    *,
    entity: str,
    action: str,
    entries: Sequence[tuple[int, Mapping[str, tuple[Any, Any]]]],
    at: datetime,
) -> None:
    """One audit entry per ``(record id, changed fields)``, written with one Core statement
    (a batch): the ORM's bulk path would cost more than the insert itself. Each entry's
    old and new values are made JSON-safe in the one pass that shapes them."""
    if entries:
        who = _entry(actor, entity, 0, action, {}, at, None)
        session.connection().execute(
            insert(AuditRow),
            [who | {"entity_id": entity_id, "changes": _logged(changed)}
             for entity_id, changed in entries],
        )  # fmt: skip


def _entry(
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    changes: Mapping[str, Any],
    at: datetime,
    note: str | None,
) -> dict[str, Any]:
    return {
        "at": at,
        "actor_id": actor.user_id,
        "actor_name": actor.display_name[:200],
        "channel": actor.channel.value,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "changes": jsonable(changes),
        "note": note,
    }


def changes_of(diff: Mapping[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
    return {field: {"old": old, "new": new} for field, (old, new) in diff.items()}


def _logged(diff: Mapping[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
    """``jsonable(changes_of(diff))`` without walking the result a second time: a batch
    shapes thousands of entries of a dozen fields each."""
    return {
        str(field): {
            "old": old if type(old) in AS_IS else jsonable(old),
            "new": new if type(new) in AS_IS else jsonable(new),
        }
        for field, (old, new) in diff.items()
    }


def history(
    app: App, actor: Actor, entity: str, entity_id: int, *, limit: int = 100
) -> list[AuditEntry]:
    """A record's changes, newest first, for someone who may see it: a customer's, a deal's
    or an interaction's by the access rule; anything else (users, settings, a plugin's
    records) an admin's."""
    with UnitOfWork(app, read_only=True) as uow:
        _check_may_read(uow, actor, entity, entity_id)
        rows = uow.session.scalars(
            select(AuditRow)
            .where(AuditRow.entity == entity, AuditRow.entity_id == entity_id)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        return [AuditEntry.model_validate(row) for row in rows]


def _check_may_read(uow: UnitOfWork, actor: Actor, entity: str, entity_id: int) -> None:
    owners = {
        "customer": select(CustomerRow.id, CustomerRow.owner_id).where(CustomerRow.id == entity_id),
        "deal": select(DealRow.id, DealRow.owner_id).where(DealRow.id == entity_id),
        "interaction": select(InteractionRow.id, CustomerRow.owner_id)
        .join(CustomerRow, CustomerRow.id == InteractionRow.customer_id)
        .where(InteractionRow.id == entity_id),
    }
    if entity not in owners:
        if actor.role is not Role.ADMIN:
            raise PermissionDenied(_l("Only an admin reads this history."))
        return
    in_range = 0 < entity_id <= MAX_ID  # a larger number is no record (and no SQL integer)
    found = uow.session.execute(owners[entity]).first() if in_range else None
    if found is None or not visibility(actor).allows(uow.session, found[1]):
        missing = {"customer": _l("No customer #{id}.", id=entity_id),
                   "deal": _l("No deal #{id}.", id=entity_id),
                   "interaction": _l("No interaction #{id}.", id=entity_id)}  # fmt: skip
        raise NotFound(missing[entity])
