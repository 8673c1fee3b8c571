"""Products on a deal. With lines, a deal's amount is their total less its discount."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import InvalidInput, Problems
from rapport.core.domain.fields import parse_decimal
from rapport.core.domain.models import Deal
from rapport.core.services.deals import get_deal, update_deal
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.tables import DealLineRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

CENT = Decimal("0.01")


@dataclass(frozen=True)
class DealLine:
    product: str
    quantity: Decimal
    price: Decimal

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.price).quantize(CENT, ROUND_HALF_UP)


def set_deal_lines(
    app: App, actor: Actor, deal_id: int, lines: Sequence[Mapping[str, Any]]
) -> tuple[Deal, list[DealLine]]:
    """Replace a deal's products; its amount becomes their total less the discount."""
    parsed = _parse(lines)
    with UnitOfWork(app) as uow:
        deal = get_deal(app, actor, deal_id)
        uow.session.execute(delete(DealLineRow).where(DealLineRow.deal_id == deal_id))
        if parsed:
            uow.session.execute(
                insert(DealLineRow),
                [
                    {
                        "deal_id": deal_id,
                        "product": line.product,
                        "quantity": line.quantity,
                        "price": line.price,
                    }
                    for line in parsed
                ],
            )
        if parsed:
            deal = update_deal(
                app,
                actor,
                deal_id,
                {"amount": discounted(parsed, deal.fields.get("discount_percent"))},
            )
        uow.commit()
    return deal, parsed


def lines_of(app: App, actor: Actor, deal_id: int) -> list[DealLine]:
    """A deal's products, for someone who may see the deal."""
    get_deal(app, actor, deal_id)
    with UnitOfWork(app, read_only=True) as uow:
        return deal_lines(uow.session, deal_id)


def deal_lines(session: Session, deal_id: int) -> list[DealLine]:
    rows = session.scalars(
        select(DealLineRow).where(DealLineRow.deal_id == deal_id).order_by(DealLineRow.id)
    )
    return [DealLine(row.product, row.quantity, row.price) for row in rows]


def discounted(lines: Sequence[DealLine], percent: object) -> Decimal:
    total = sum((line.total for line in lines), Decimal(0))
    share = Decimal(str(percent or 0)) / 100
    return (total * (1 - share)).quantize(CENT, ROUND_HALF_UP)


def _parse(lines: Sequence[Mapping[str, Any]]) -> list[DealLine]:
    problems = Problems()
    parsed = []
    for index, line in enumerate(lines):
        where = f"lines.{index}"
        product = " ".join(str(line.get("product") or "").split())
        if not product or len(product) > 200:
            problems.add(
                InvalidInput.one(f"{where}.product", "name the product (up to 200 characters)")
            )
        try:
            quantity = parse_decimal(line.get("quantity", 1), f"{where}.quantity")
            price = parse_decimal(line.get("price"), f"{where}.price")
        except InvalidInput as exc:
            problems.add(exc)
            continue
        if quantity <= 0:
            problems.add(InvalidInput.one(f"{where}.quantity", "must be more than 0"))
        if price < 0:
            problems.add(InvalidInput.one(f"{where}.price", "must not be negative"))
        parsed.append(DealLine(product, quantity, price.quantize(CENT, ROUND_HALF_UP)))
    problems.raise_if_any()
    return parsed
