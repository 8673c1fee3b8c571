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
from rapport.core.domain.models import Deal
from rapport.core.domain.numbers import parse_decimal
from rapport.core.domain.values import one_line
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.deals import get_deal, update_deal
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.tables import DealLineRow

_l = texts_for(__file__).lazy

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

CENT = Decimal("0.01")
MOST_UNITS = Decimal(10) ** 11
"""What the quantity column holds (14 digits, 3 of them after the point)."""


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
    """Replace a deal's products; its amount becomes their total less the discount (zero
    once the last line is taken off: an amount kept from lines no longer there would be
    counted in every forecast as if they were still on the deal)."""
    parsed = _parse(lines)
    with UnitOfWork(app) as uow:
        deal = get_deal(app, actor, deal_id)
        before = deal_lines(uow.session, deal_id)

        def replace() -> int:
            uow.session.execute(delete(DealLineRow).where(DealLineRow.deal_id == deal_id))
            if parsed:
                uow.session.execute(insert(DealLineRow), [
                    {"deal_id": deal_id, "product": line.product, "quantity": line.quantity,
                     "price": line.price} for line in parsed])  # fmt: skip
            return deal_id

        changes.write(uow, actor, entity="deal", action="lines", entity_id=deal_id,
                      before={"lines": [line_text(line) for line in before]},
                      after={"lines": [line_text(line) for line in parsed]},
                      apply=replace)  # fmt: skip
        if parsed or before:
            deal = update_deal(
                app,
                actor,
                deal_id,
                {"amount": discounted(parsed, deal.fields.get("discount_percent"))},
            )
        uow.commit()
    return deal, parsed


def add_deal_line(
    app: App, actor: Actor, deal_id: int, product: str, quantity: object, price: object
) -> tuple[Deal, list[DealLine]]:
    """One more product on the deal (what a rep taps in after taking an order)."""
    current = [_as_input(line) for line in lines_of(app, actor, deal_id)]
    return set_deal_lines(
        app, actor, deal_id, [*current, {"product": product, "quantity": quantity, "price": price}]
    )


def remove_deal_line(
    app: App, actor: Actor, deal_id: int, number: int
) -> tuple[Deal, list[DealLine]]:
    """Take product line ``number`` (1 is the first) off the deal."""
    current = [_as_input(line) for line in lines_of(app, actor, deal_id)]
    if not 1 <= number <= len(current):
        raise InvalidInput.one("line", _l("there is no line {number} on this deal", number=number))
    return set_deal_lines(app, actor, deal_id, current[: number - 1] + current[number:])


def _as_input(line: DealLine) -> dict[str, Any]:
    return {"product": line.product, "quantity": line.quantity, "price": line.price}


def line_text(line: DealLine) -> str:
    """``Кирпич × 1000 @ 45.50``: a line as the history and the chat show it."""
    return f"{line.product} × {line.quantity.normalize():f} @ {line.price}"


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
        try:
            product = one_line(line.get("product"), f"{where}.product")
        except InvalidInput as exc:
            problems.add(exc)
            continue
        if not product or len(product) > 200:
            problems.add(
                InvalidInput.one(f"{where}.product", _l("name the product (up to 200 characters)"))
            )
        try:
            quantity = parse_decimal(line.get("quantity", 1), f"{where}.quantity")
            price = parse_decimal(line.get("price"), f"{where}.price")
        except InvalidInput as exc:
            problems.add(exc)
            continue
        if not 0 < quantity < MOST_UNITS:
            problems.add(
                InvalidInput.one(
                    f"{where}.quantity", _l("must be more than 0 and under 100 billion")
                )
            )
        if price < 0:
            problems.add(InvalidInput.one(f"{where}.price", _l("must not be negative")))
        parsed.append(DealLine(product, quantity, price.quantize(CENT, ROUND_HALF_UP)))
    problems.raise_if_any()
    return parsed
