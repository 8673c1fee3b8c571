"""The one path every change takes: the actor's rights, the plugins' veto, the write, the audit.

Customers, deals, users, fields, pipelines, tags, dates, plans, approvals and every
plugin's records go through :func:`write` (or its :func:`insert` / :func:`update`
forms), so roles, ``validate_change`` and the audit log apply the same way whatever
changed, whoever changed it and through whichever channel. No service records an audit
entry any other way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from functools import partial
from typing import Any

import sqlalchemy
from pydantic import BaseModel

from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import (
    AwaitingApproval,
    ConcurrentChange,
    InvalidInput,
    Problems,
    Vetoed,
    _l,
    entity_word,
)
from rapport.core.domain.fields import Entity
from rapport.core.extensions import Hold, ProposedChange
from rapport.core.services import audit
from rapport.core.services.access import check_rights
from rapport.core.services.uow import UnitOfWork

BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at"})


def snapshot(entity: BaseModel) -> dict[str, Any]:
    """An entity's user-visible values, with custom fields as ``fields.name``."""
    return flatten(plain(entity.model_dump(exclude=set(BOOKKEEPING))))


def plain(value: Any) -> Any:
    """Values as a plugin's ``validate_change`` compares them: amounts stay ``Decimal`` and
    dates ``date`` (so ``after["amount"] > 1000`` works), closed vocabularies become their
    strings. The audit log turns them into JSON when it records them."""
    if type(value) in audit.AS_IS:  # most values, and dozens per record: asked first
        return value
    if isinstance(value, Enum):
        return value.value
    # Plain members are kept without a call, as in ``audit.jsonable``: a record has dozens.
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in audit.AS_IS else plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in audit.AS_IS else plain(v) for v in value]
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
            _l(
                "This {entity} was changed by someone else since you loaded it "
                "(your copy is version {expected}, the record is at {current}); "
                "reload it and apply your edit again.",
                entity=entity_word(entity),
                expected=expected,
                current=current,
            )
        )


Changed = dict[str, tuple[Any, Any]]
"""Field → (old, new) for every field a change altered."""


def write(
    uow: UnitOfWork,
    actor: Actor,
    *,
    entity: str,
    action: str,
    entity_id: int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    apply: Callable[[], int | None] | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> Changed:
    """The one write path every change takes, whoever makes it and through whichever channel.

    The actor's rights are checked as they are now (a rep deactivated or made a manager
    since they opened the dialog is stopped), plugins may veto the change
    (``validate_change`` sees every create, update, merge, move, tag, date, plan,
    approval...) or hold it for approval (:class:`AwaitingApproval` is raised and the
    holding plugin files the request once the transaction is over), then ``apply``
    writes it and returns the record's id (a new record's, once flushed), and the audit
    log records who, through which channel, and each field's old and new value (plus
    ``details``: what a merge moved). An update that changes nothing is neither written
    nor recorded.
    """
    changed = review(uow, actor, ProposedChange(entity, action, entity_id, before, after, actor))
    if before is not None and not changed and not details:
        return changed
    record_id = apply() if apply is not None else None
    record_id = record_id if record_id is not None else entity_id
    if record_id is None:
        raise TypeError(f"{entity} {action}: the write must say which record it wrote")
    audit.record(
        uow.session,
        actor,
        entity=entity,
        entity_id=record_id,
        action=action,
        changes={**audit.changes_of(changed), **(details or {})},
        at=at or uow.app.clock(),
    )
    return changed


def review(uow: UnitOfWork, actor: Actor, change: ProposedChange) -> Changed:
    """What :func:`write` checks before it writes: the actor's rights as they are now, and
    the plugins' veto or hold (raised as :class:`Vetoed` / :class:`AwaitingApproval`).
    Returns the fields the change alters."""
    current_rights(uow, actor)
    answers = uow.app.hooks.validate_change(uow.app, change)
    refusals = [answer for answer in answers if not isinstance(answer, Hold)]
    if refusals:
        raise Vetoed(refusals)
    holds = [answer for answer in answers if isinstance(answer, Hold)]
    if holds:
        app = uow.app
        for hold in holds:
            uow.at_end(partial(app.hooks.after_change_held, app, change, hold))
        raise AwaitingApproval([hold.reason for hold in holds])
    return change.changed


def insert_many(
    uow: UnitOfWork,
    actor: Actor,
    *,
    entity: str,
    table: type[Any],
    rows: Sequence[Mapping[str, Any]],
    reviewed: Sequence[Changed],
) -> list[int]:
    """New records :func:`review` let through, written with one statement, and their audit
    entries with one more: an import's chunk at the speed of the database, not of the ORM.

    ``rows`` are the column values and ``reviewed`` what :func:`review` answered for each;
    every record still gets its own audit entry (who, through which channel, each value),
    so its history reads as if it had been created alone. Returns the ids, in order.
    """
    if not rows:
        return []
    ids = _inserted(uow, table, rows)
    audit.record_many(
        uow.session,
        actor,
        entity=entity,
        action="create",
        entries=list(zip(ids, reviewed, strict=True)),
        at=uow.app.clock(),
    )
    return ids


def _inserted(uow: UnitOfWork, table: type[Any], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert ``rows`` on the session's connection (the ORM's bulk path costs more than the
    statement) with one ``executemany``, and return their ids, in order.

    The ids are chosen first. SQLite cannot say in which order a multi-row ``RETURNING``
    answers, so SQLAlchemy would send the rows one statement each; PostgreSQL's batched
    ``RETURNING`` builds and parses a statement holding every value of a thousand rows,
    each time. Half the cost of the insert, either way.
    """
    connection = uow.session.connection()
    ids = _new_ids(connection, table, len(rows))
    connection.execute(
        sqlalchemy.insert(table),
        [{**row, "id": record_id} for row, record_id in zip(rows, ids, strict=True)],
    )
    return ids


_DRAW_IDS = sqlalchemy.text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
)


def _new_ids(connection: sqlalchemy.Connection, table: type[Any], count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table``, as the database would give them itself.

    On SQLite, one after the largest, read under the write lock every write transaction
    holds from its start (``BEGIN IMMEDIATE``), so no other writer can take them; on
    PostgreSQL, drawn from the table's sequence, which never hands one out twice.
    """
    if connection.dialect.name == "sqlite":
        key = table.__table__.c.id
        first = int(connection.scalar(sqlalchemy.select(sqlalchemy.func.max(key))) or 0) + 1
        return list(range(first, first + count))
    drawn = connection.scalars(_DRAW_IDS, {"table": table.__tablename__, "count": count})
    return sorted(int(record_id) for record_id in drawn)


def keep_unapplied(
    uow: UnitOfWork, actor: Actor, *, entity: str, entity_id: int, action: str,
    values: Mapping[str, Any],
) -> None:  # fmt: skip
    """Record what a person typed that was not applied (the losing side of a conflict), so
    nothing typed is lost; the record itself does not change, so there is nothing to veto."""
    current_rights(uow, actor)
    audit.record(uow.session, actor, entity=entity, entity_id=entity_id, action=action,
                 changes=dict(values), at=uow.app.clock())  # fmt: skip


def current_rights(uow: UnitOfWork, actor: Actor) -> None:
    """Refuse a person whose rights changed since their actor was made (once per transaction).

    A system job (no user) acts with the rights it was given in code.
    """
    check_rights(uow.session, actor)


def insert(
    uow: UnitOfWork,
    actor: Actor,
    *,
    entity: str,
    row: Any,
    values: Mapping[str, Any],
    review_extra: Mapping[str, Any] | None = None,
    action: str = "create",
) -> Changed:
    """A new record built from ``values``, through :func:`write`."""

    def add() -> int:
        uow.session.add(row)
        uow.session.flush()
        return int(row.id)

    return write(uow, actor, entity=entity, action=action, entity_id=None, before=None,
                 after=creation(values) | dict(review_extra or {}), apply=add)  # fmt: skip


def creation(values: Mapping[str, Any]) -> dict[str, Any]:
    """A new record's values as ``validate_change`` sees them (its ``after``)."""
    return flatten(plain(values))


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
) -> Changed:
    """The edit of ``row`` to ``values`` (``columns`` of them), through :func:`write`.

    Returns the changed fields; nothing is written or recorded when nothing changed.
    ``derived`` are columns computed from the values (a search key), set alongside.
    """
    now = uow.app.clock()

    def apply() -> int:
        for column in columns:
            setattr(row, column, values[column])
        for column, value in (derived or {}).items():
            setattr(row, column, value)
        if hasattr(type(row), "updated_at"):  # an interaction keeps when it was logged only
            row.updated_at = now
        uow.session.flush()
        return int(row.id)

    return write(uow, actor, entity=entity, action="update", entity_id=row.id,
                 before=snapshot(current), after=flatten(plain(values)), apply=apply,
                 at=now)  # fmt: skip


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
