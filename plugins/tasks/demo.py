"""The tasks plugin's part of ``rapport demo``: a few tasks left overdue, the cost of
serving one steady buyer (so its profit shows negative), and the nudges the nightly jobs
would have made."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from rapport.core.demo import as_of
from rapport.core.domain.enums import StageOutcome
from rapport.core.services.deals import list_deals
from rapport.plugins.tasks.automation import quiet_key_customers, stalled_deals
from rapport.plugins.tasks.costs import add_marketing_cost
from rapport.plugins.tasks.services import create_task

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor

OVERDUE = ("Перезвонить по прайсу", "Отправить договор на подпись", "Согласовать дату отгрузки",
           "Уточнить объём на квартал", "Напомнить об оплате счёта")  # fmt: skip


def load_demo(app: App, admin: Actor) -> None:
    deals = list_deals(app, admin, limit=100_000)
    now = app.clock()
    with as_of(app, now - timedelta(days=7)):
        for number, deal in enumerate(d for d in deals if d.status is StageOutcome.OPEN):
            if number >= len(OVERDUE):
                break
            create_task(app, admin, {"title": OVERDUE[number], "kind": "other",
                                     "customer_id": deal.customer_id,
                                     "deal_id": deal.id, "assignee_id": deal.owner_id,
                                     "due": now - timedelta(days=1 + number)})  # fmt: skip
    won = [d for d in deals if d.status is StageOutcome.WON]
    orders = Counter(d.customer_id for d in won)
    revenue: dict[int, Decimal] = {}
    for d in won:
        revenue[d.customer_id] = revenue.get(d.customer_id, Decimal(0)) + d.amount
    regulars = [customer for customer, count in orders.items() if count >= 10]
    steady = min(regulars, key=lambda c: revenue[c], default=None)  # many small orders
    if steady is not None:  # served at a loss: the strategy says "re-engineer"
        add_marketing_cost(app, admin, steady, 400_000, "Выставочный стенд и бонусы дилеру")
    stalled_deals(app)
    quiet_key_customers(app)
