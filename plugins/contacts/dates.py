"""Significant dates of a customer besides the birthday: a company's anniversary, a name day."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.domain.actor import Actor
from core.domain.errors import InvalidInput, NotFound
from core.domain.fields import parse_date
from core.services import audit
from core.services.customers import visible_customer
from core.services.uow import UnitOfWork
from plugins.contacts.tables import SignificantDateRow

if TYPE_CHECKING:
    from core.bootstrap import App


def add_date(
    app: App, actor: Actor, customer_id: int, label: str, day: date | str, *, yearly: bool = True
) -> SignificantDateRow:
    label = " ".join(label.split())
    if not label or len(label) > 200:
        raise InvalidInput.one("label", "say what the date is (up to 200 characters)")
    parsed = parse_date(day, "day")
    with UnitOfWork(app) as uow:
        visible_customer(uow.session, actor, customer_id)
        row = SignificantDateRow(customer_id=customer_id, label=label, day=parsed, yearly=yearly)
        uow.session.add(row)
        uow.session.flush()
        audit.record(
            uow.session,
            actor,
            entity="customer",
            entity_id=customer_id,
            action="date_added",
            changes={"date": {"old": None, "new": _describe(row)}},
            at=app.clock(),
        )
        uow.commit()
    return row


def remove_date(app: App, actor: Actor, date_id: int) -> None:
    with UnitOfWork(app) as uow:
        row = uow.session.get(SignificantDateRow, date_id)
        if row is None:
            raise NotFound(f"No date #{date_id}.")
        visible_customer(uow.session, actor, row.customer_id)
        audit.record(
            uow.session,
            actor,
            entity="customer",
            entity_id=row.customer_id,
            action="date_removed",
            changes={"date": {"old": _describe(row), "new": None}},
            at=app.clock(),
        )
        uow.session.delete(row)
        uow.commit()


def dates_of(app: App, actor: Actor, customer_id: int) -> list[SignificantDateRow]:
    with UnitOfWork(app, read_only=True) as uow:
        visible_customer(uow.session, actor, customer_id)
        rows = uow.session.scalars(
            select(SignificantDateRow)
            .where(SignificantDateRow.customer_id == customer_id)
            .order_by(SignificantDateRow.day)
        )
        return list(rows)


def next_occurrence(day: date, yearly: bool, today: date) -> date | None:
    """When a date next comes round (a 29 February on the 28th in other years)."""
    if not yearly:
        return day if day >= today else None
    for year in (today.year, today.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    return None


def _describe(row: SignificantDateRow) -> dict[str, Any]:
    return {"label": row.label, "day": row.day.isoformat(), "yearly": row.yearly}
