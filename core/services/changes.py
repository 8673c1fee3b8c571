"""The path every change takes: compare before and after, let plugins veto, audit it.

Customers, deals and plugin records all go through :func:`review`, so validation
hooks and the audit log apply the same way whatever changed and whoever changed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import ConcurrentChange, InvalidInput, Problems, Vetoed
from rapport.core.domain.fields import Entity
from rapport.core.extensions import ProposedChange
from rapport.core.services import audit
from rapport.core.services.uow import UnitOfWork

BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at"})


def snapshot(entity: BaseModel) -> dict[str, Any]:
    """An entity's user-visible values, with custom fields as ``fields.name``."""
    return flatten(plain(entity.model_dump(exclude=set(BOOKKEEPING))))


def plain(value: Any) -> Any:
    """Values as a plugin's ``validate_change`` compares them: amounts stay ``Decimal`` and
    dates ``date`` (so ``after["amount"] > 1000`` works), closed vocabularies become their
    strings. The audit log turns them into JSON when it records them."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def flatten(values: Mapping[str, Any]) -> dict[str, Any]:
    flat = {key: value for key, value in values.items() if key != "fields"}
    for name, value in (values.get("fields") or {}).items():
        flat[f"fields.{name}"] = value
    return flat


def check_version(entity: str, current: int, expected: int | None) -> None:
    """Refuse an edit made on a copy older than the stored record (the sheet, a stale card)."""
    if expected is not None and expected != current:
        raise ConcurrentChange(
            f"This {entity} was changed by someone else since you loaded it "
            f"(your copy is version {expected}, the record is at {current}); "
            "reload it and apply your edit again."
        )


def review(
    uow: UnitOfWork,
    actor: Actor,
    *,
    entity: str,
    action: str,
    entity_id: int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
) -> dict[str, tuple[Any, Any]]:
    """Ask plugins whether the change may happen; return the changed fields. Raises Vetoed."""
    change = ProposedChange(entity, action, entity_id, before, after, actor)
    reasons = uow.app.hooks.validate_change(uow.app, change)
    if reasons:
        raise Vetoed(reasons)
    return change.changed


def insert(
    uow: UnitOfWork,
    actor: Actor,
    *,
    entity: str,
    row: Any,
    values: Mapping[str, Any],
    review_extra: Mapping[str, Any] | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Let plugins veto a new record built from ``values``, then insert and audit it."""
    changed = review(
        uow,
        actor,
        entity=entity,
        action="create",
        entity_id=None,
        before=None,
        after=flatten(plain(values)) | dict(review_extra or {}),
    )
    uow.session.add(row)
    uow.session.flush()
    audit_change(
        uow,
        actor,
        entity=entity,
        entity_id=row.id,
        action="create",
        changed=changed,
        at=row.created_at,
    )
    return changed


def update(
    uow: UnitOfWork,
    actor: Actor,
    *,
    entity: str,
    row: Any,
    current: BaseModel,
    values: Mapping[str, Any],
    columns: tuple[str, ...],
    derived: Mapping[str, Any] | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Let plugins veto the edit of ``row`` to ``values``, apply ``columns`` and audit it.

    Returns the changed fields; nothing is written or recorded when nothing changed.
    ``derived`` are columns computed from the values (a search key), set alongside.
    """
    changed = review(
        uow,
        actor,
        entity=entity,
        action="update",
        entity_id=row.id,
        before=snapshot(current),
        after=flatten(plain(values)),
    )
    if not changed:
        return changed
    now = uow.app.clock()
    for column in columns:
        setattr(row, column, values[column])
    for column, value in (derived or {}).items():
        setattr(row, column, value)
    row.updated_at = now
    uow.session.flush()
    audit_change(
        uow, actor, entity=entity, entity_id=row.id, action="update", changed=changed, at=now
    )
    return changed


def audit_change(
    uow: UnitOfWork,
    actor: Actor,
    *,
    entity: str,
    entity_id: int,
    action: str,
    changed: Mapping[str, tuple[Any, Any]],
    at: datetime,
    note: str | None = None,
) -> None:
    audit.record(
        uow.session,
        actor,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=audit.changes_of(changed),
        at=at,
        note=note,
    )


def coerce_fields(
    uow: UnitOfWork, entity: Entity, raw: Mapping[str, Any], problems: Problems, *, creating: bool
) -> dict[str, Any]:
    """Custom field values checked against their declarations; problems go to ``problems``."""
    if "stored_fields" not in uow.memo:
        uow.app.registry.refresh_stored_fields(uow.session)
        uow.memo["stored_fields"] = True
    try:
        return uow.app.registry.coerce_fields(entity, dict(raw), creating=creating)
    except InvalidInput as exc:
        problems.add(exc)
        return {}


def patch_fields(stored: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Apply coerced custom field values to the stored ones; ``None`` clears a field."""
    merged = dict(stored)
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged
