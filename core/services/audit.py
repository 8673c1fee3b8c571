"""The audit log: every change, who made it, through which channel, before and after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.core.db.tables import AuditRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.models import AuditEntry
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App


def jsonable(value: Any) -> Any:
    """A value as it can be stored in a JSON column and read back unambiguously."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


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
    """Add an audit entry to the current transaction; it commits or rolls back with the change."""
    session.add(
        AuditRow(
            at=at,
            actor_id=actor.user_id,
            channel=actor.channel.value,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=jsonable(changes),
            note=note,
        )
    )


def changes_of(diff: Mapping[str, tuple[Any, Any]]) -> dict[str, dict[str, Any]]:
    return {field: {"old": old, "new": new} for field, (old, new) in diff.items()}


def history(app: App, entity: str, entity_id: int, *, limit: int = 100) -> list[AuditEntry]:
    """Newest first. Callers check the actor may see the record before asking."""
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(
            select(AuditRow)
            .where(AuditRow.entity == entity, AuditRow.entity_id == entity_id)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        return [AuditEntry.model_validate(row) for row in rows]
