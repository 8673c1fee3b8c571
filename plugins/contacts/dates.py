"""Significant dates of a customer besides the birthday: a company's anniversary, a name day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import InvalidInput, NotFound
from rapport.core.domain.fields import parse_date
from rapport.core.domain.values import one_line
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.customers import visible_customer
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.tables import SignificantDateRow

_l = texts_for(__file__).lazy

if TYPE_CHECKING:
    from rapport.core.bootstrap import App


@dataclass(frozen=True)
class SignificantDate:
    id: int
    customer_id: int
    label: str
    day: date
    yearly: bool

    @classmethod
    def of(cls, row: SignificantDateRow) -> SignificantDate:
        return cls(row.id, row.customer_id, row.label, row.day, row.yearly)


def add_date(
    app: App, actor: Actor, customer_id: int, label: str, day: date | str, *, yearly: bool = True
) -> SignificantDate:
    label = one_line(label, "label")
    if not label or len(label) > 200:
        raise InvalidInput.one("label", _l("say what the date is (up to 200 characters)"))
    parsed = parse_date(day, "day")
    with UnitOfWork(app) as uow:
        visible_customer(uow.session, actor, customer_id)
        row = SignificantDateRow(customer_id=customer_id, label=label, day=parsed, yearly=yearly)

        def add() -> int:
            uow.session.add(row)
            uow.session.flush()
            return customer_id

        changes.write(uow, actor, entity="customer", action="date_added", entity_id=customer_id,
                      before={"date": None}, after={"date": _describe(row)}, apply=add)  # fmt: skip
        added = SignificantDate.of(row)
        uow.commit()
    return added


def remove_date(app: App, actor: Actor, date_id: int) -> None:
    with UnitOfWork(app) as uow:
        row = uow.session.get(SignificantDateRow, date_id)
        if row is None:
            raise NotFound(_l("No date #{id}.", id=date_id))
        visible_customer(uow.session, actor, row.customer_id)

        def remove() -> int:
            uow.session.delete(row)
            uow.session.flush()
            return row.customer_id

        changes.write(uow, actor, entity="customer", action="date_removed",
                      entity_id=row.customer_id, before={"date": _describe(row)},
                      after={"date": None}, apply=remove)  # fmt: skip
        uow.commit()


def dates_of(app: App, actor: Actor, customer_id: int) -> list[SignificantDate]:
    with UnitOfWork(app, read_only=True) as uow:
        visible_customer(uow.session, actor, customer_id)
        return stored_dates(uow.session, customer_id)


def stored_dates(session: Session, customer_id: int) -> list[SignificantDate]:
    rows = session.scalars(
        select(SignificantDateRow)
        .where(SignificantDateRow.customer_id == customer_id)
        .order_by(SignificantDateRow.day)
    )
    return [SignificantDate.of(row) for row in rows]


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
