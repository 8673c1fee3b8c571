"""Strategies into tasks for the owner, within the contact-frequency cap.

"More is not better": a customer already contacted ``cap_contacts`` times in the last
``cap_days`` days gets no new task, whatever the strategy says.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from rapport.core.db.tables import CustomerRow, InteractionRow
from rapport.core.domain.actor import Actor
from rapport.core.services.isolation import isolated
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import language_of
from rapport.plugins.loyalty.options import loyalty_options
from rapport.plugins.loyalty.pending import settle
from rapport.plugins.loyalty.signals import customer_contact
from rapport.plugins.loyalty.tables import ProfileRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

ACTED_ON = ("win_back", "protect", "start")
"""Strategies whose actions become tasks by themselves; the others show on the card.
A customer gets a strategy's actions again only once the last ones are done or dropped."""


def plan_actions(app: App) -> int:
    """Create this week's tasks for the strategies that need a person now."""
    if not app.plugins.manager.has_plugin("tasks"):
        return 0
    from rapport.plugins.tasks.api import create_task  # the tasks plugin's public API

    settle(app)  # the strategies as they stand once every event is counted
    options = loyalty_options(app.settings)
    now = app.clock()
    since = now - timedelta(days=options.cap_days)
    with UnitOfWork(app, read_only=True) as uow:
        recent = (
            select(InteractionRow.customer_id, func.count().label("contacts"))
            .where(InteractionRow.occurred_at >= since, customer_contact(options))
            .group_by(InteractionRow.customer_id)
            .subquery()
        )
        rows = uow.session.execute(
            select(ProfileRow.customer_id, ProfileRow.strategy, CustomerRow.owner_id,
                   func.coalesce(recent.c.contacts, 0))
            .join(CustomerRow, CustomerRow.id == ProfileRow.customer_id)
            .outerjoin(recent, recent.c.customer_id == ProfileRow.customer_id)
            .where(ProfileRow.strategy.in_(ACTED_ON), CustomerRow.owner_id.is_not(None))
        ).all()  # fmt: skip
    created = 0
    for customer_id, strategy, owner, contacts in rows:
        if contacts >= options.cap_contacts:
            continue
        with isolated("loyalty actions for customer", customer_id):
            if _still_open(app, customer_id, f"loyalty:{strategy}"):
                continue  # last week's action is not done yet: another would only pile up
            language = language_of(app, owner)  # the task is read by its assignee
            for number, action in enumerate(options.actions.get(strategy, ())):
                task = create_task(
                    app, Actor.system(),
                    {"title": action.title_for(language), "kind": action.kind,
                     "customer_id": customer_id, "assignee_id": owner,
                     "due": now + timedelta(days=1 + number), "priority": action.priority},
                    source=f"loyalty:{strategy}",
                    dedupe_key=f"loyalty:{customer_id}:{strategy}:{number}:{now:%G-%V}",
                )  # fmt: skip
                created += task is not None
    return created


def _still_open(app: App, customer_id: int, source: str) -> bool:
    from rapport.plugins.tasks.api import TaskStatus, list_tasks

    waiting = list_tasks(app, Actor.system(), customer_id=customer_id, status=TaskStatus.OPEN)
    return any(task.source == source for task in waiting)
