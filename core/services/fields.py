"""Custom fields an admin declares at run time, stored in the database.

They join the fields declared in settings and by plugins in the registry, so the bot,
the sheet and validation pick them up without a restart: every process notices a new
definition the next time it validates a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapport.core.db.tables import CustomFieldRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.commands import field_problem
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import InvalidInput, _l, entity_word
from rapport.core.domain.fields import FieldSpec
from rapport.core.services import changes
from rapport.core.services.access import require_role
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

STORED = "admin"
"""The ``owner`` of fields declared at run time."""


def define_field(app: App, actor: Actor, data: dict[str, Any]) -> FieldSpec:
    """Declare a new custom field; the name must be free on that entity."""
    require_role(actor, Role.ADMIN)
    try:
        spec = FieldSpec(**data, owner=STORED)
    except ValidationError as exc:
        raise InvalidInput([field_problem(e, "choices") for e in exc.errors()]) from None
    with UnitOfWork(app) as uow:
        app.registry.refresh_stored_fields(uow.session)
        taken = app.registry.fields.get((spec.entity, spec.name))
        if taken is not None:
            raise InvalidInput.one(
                "name",
                _l(
                    "{entity} already has a field {name} (from {owner})",
                    entity=entity_word(spec.entity),
                    name=repr(spec.name),
                    owner=taken.owner,
                ),
            )
        row = CustomFieldRow(
            entity=spec.entity,
            name=spec.name,
            type=spec.type.value,
            label=spec.label,
            labels=dict(spec.labels),
            choices=list(spec.choices),
            required=spec.required,
            created_at=app.clock(),
            created_by=actor.user_id,
        )
        changes.insert(uow, actor, entity="custom_field", row=row, values=data)
        uow.commit()
    with UnitOfWork(app, read_only=True) as uow:
        app.registry.refresh_stored_fields(uow.session)
    return spec


def stored_fields(session: Session) -> list[FieldSpec]:
    rows = session.scalars(select(CustomFieldRow).order_by(CustomFieldRow.id))
    # Validated as when it was declared: the row holds the entity and type as plain text.
    return [
        FieldSpec.model_validate(
            {
                "entity": row.entity,
                "name": row.name,
                "type": row.type,
                "label": row.label,
                "labels": row.labels,
                "choices": tuple(row.choices),
                "required": row.required,
                "owner": STORED,
            }
        )
        for row in rows
    ]


def stored_fields_marker(session: Session) -> tuple[int, int]:
    """Changes whenever a field is declared: cheap to ask before every validation."""
    count, newest = session.connection().execute(_MARKER).one()
    return int(count), int(newest)


_MARKER = select(func.count(), func.coalesce(func.max(CustomFieldRow.id), 0))
"""Asked in every transaction that validates fields: built once (building it cost as much
as running it)."""
