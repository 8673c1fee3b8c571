"""Export any segment (or every customer a person may see) as CSV for Excel.

UTF-8 with a byte order mark and ';' between columns, which Russian and Ukrainian Excel
open correctly by double-click. No cell can run as a formula when opened.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import and_, false, select

from rapport.core.db.tables import CustomerRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.services.access import owned_scope
from rapport.core.services.customers import customer_names
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.segments import compile_filter
from rapport.plugins.contacts.tables import SegmentRow
from rapport.plugins.contacts.tabular import escape_cell
from rapport.plugins.contacts.tags import tags_of

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

PAGE = 2000
CORE_COLUMNS = (
    ("id", "ID"), ("kind", "Kind"), ("name", "Name"), ("organisation", "Organisation"),
    ("position", "Position"), ("phones", "Phones"), ("emails", "Emails"),
    ("address", "Address"), ("owner", "Owner"), ("status", "Status"), ("tags", "Tags"),
)  # fmt: skip


def export_customers(
    app: App,
    actor: Actor,
    out: TextIO,
    *,
    segment: str | None = None,
    delimiter: str = ";",
    language: str | None = None,
) -> int:
    """Write the customers the actor may see (in ``segment``, if given); returns how many."""
    language = language or app.settings.language
    specs = app.registry.fields_for("customer")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([title for _, title in CORE_COLUMNS] + [s.label_for(language) for s in specs])
    written = 0
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        condition = and_(owned_scope(actor, CustomerRow.owner_id), CustomerRow.archived == false())
        if segment:
            saved = session.scalar(select(SegmentRow.expression).where(SegmentRow.name == segment))
            condition = and_(condition, compile_filter(app, session, saved or segment))
        names = dict(session.execute(select(UserRow.id, UserRow.display_name)).all())
        last_id = 0
        while True:
            page = list(
                session.scalars(
                    select(CustomerRow)
                    .where(condition, CustomerRow.id > last_id)
                    .order_by(CustomerRow.id)
                    .limit(PAGE)
                )
            )
            if not page:
                break
            last_id = page[-1].id
            tags = tags_of(session, [row.id for row in page])
            organisations = customer_names(session, (row.organisation_id for row in page))
            for row in page:
                core: dict[str, Any] = {
                    "id": row.id,
                    "kind": row.kind,
                    "name": row.name,
                    "organisation": (
                        ""
                        if row.organisation_id is None
                        else organisations.get(row.organisation_id, "")
                    ),
                    "position": row.position,
                    "phones": "; ".join(row.phones),
                    "emails": "; ".join(row.emails),
                    "address": row.address,
                    "owner": "" if row.owner_id is None else names.get(row.owner_id, ""),
                    "status": row.status,
                    "tags": ", ".join(tags.get(row.id, [])),
                }
                cells = [core[key] for key, _ in CORE_COLUMNS]
                cells += [_cell(row.fields.get(spec.name)) for spec in specs]
                writer.writerow([escape_cell(_cell(value)) for value in cells])
                written += 1
    return written


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
