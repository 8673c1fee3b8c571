"""The sales plugin's part of ``rapport demo``: products on the orders, plans for the
past months and this one, and a discount waiting for the manager's decision."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from rapport.core.domain.enums import Channel, Role, StageOutcome
from rapport.core.services.deals import list_deals
from rapport.core.services.users import actor_for, list_users
from rapport.plugins.sales.approvals import request_discount
from rapport.plugins.sales.lines import set_deal_lines
from rapport.plugins.sales.plans import set_plan

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor

PRODUCTS = (("Кирпич М150", Decimal("45.50")), ("Цемент М500", Decimal("450.00")),
            ("Смесь штукатурная", Decimal("380.00")), ("Сервисное обслуживание", Decimal(15000)),
            ("Лицензия, год", Decimal(120000)))  # fmt: skip
EVERYTHING = 100_000


def load_demo(app: App, admin: Actor) -> None:
    deals = list_deals(app, admin, limit=EVERYTHING)
    for number, deal in enumerate(d for d in deals if d.status is StageOutcome.WON):
        if number % 3 == 0:  # a third of the orders name what was sold
            product, price = PRODUCTS[number % len(PRODUCTS)]
            quantity = max(1, int(deal.amount / price))
            line = {"product": product, "quantity": quantity, "price": price}
            set_deal_lines(app, admin, deal.id, [line])
    now = app.clock()
    reps = [u for u in list_users(app) if u.role is Role.REP and u.active]
    for months_back in range(4):
        month = (now.replace(day=1) - timedelta(days=28 * months_back)).strftime("%Y-%m")
        for rep in reps:
            set_plan(app, admin, month, "amount", 1_500_000, owner_id=rep.id)
    waiting = next((d for d in deals if d.status is StageOutcome.OPEN and d.owner_id), None)
    if waiting is not None:
        owner = next(u for u in reps if u.id == waiting.owner_id)
        request_discount(app, actor_for(owner, Channel.BOT), waiting.id, 40,
                         "крупный заказ на год вперёд")  # fmt: skip
