"""Archiving: a record leaves every working list, report and sheet, and keeps its history.

Rapport never deletes a customer or a deal: people delete by mistake (a spreadsheet row,
a wrong tap), and the interactions and money behind a record matter later. Archiving is
the "delete" users see; it is audited like any edit and can be undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role
from rapport.core.domain.models import Customer, Deal
from rapport.core.services import changes
from rapport.core.services.access import require_role
from rapport.core.services.customers import visible_customer
from rapport.core.services.deals import visible_deal
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

Archivable = Literal["customer", "deal"]


def set_archived(
    app: App, actor: Actor, entity: Archivable, record_id: int, *, archived: bool = True
) -> bool:
    """Archive (or restore) one record; True when it changed. Managers and admins only."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    model = Customer if entity == "customer" else Deal
    with UnitOfWork(app) as uow:
        find = visible_customer if entity == "customer" else visible_deal
        row = find(uow.session, actor, record_id)
        current = model.model_validate(row)
        values = current.model_dump(exclude=set(changes.BOOKKEEPING)) | {"archived": archived}
        changed = changes.update(
            uow, actor, entity=entity, row=row, current=current, values=values,
            columns=("archived",),
        )  # fmt: skip
        if not changed:
            return False
        record = model.model_validate(row)
        if isinstance(record, Customer):
            uow.after_commit(lambda: app.hooks.after_customer_updated(app, record, changed, actor))
        else:
            uow.after_commit(lambda: app.hooks.after_deal_updated(app, record, changed, actor))
        uow.commit()
    return True
