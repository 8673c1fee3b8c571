"""Automatic work is bounded and closes itself: courting steps end with the deal, one alert
per silence, escalations reach someone, a repeating task done early moves on."""

import asyncio
from datetime import timedelta

from rapport.core.scheduler import run_job
from rapport.core.services.archive import set_archived
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal
from rapport.core.services.interactions import log_interaction
from rapport.plugins.tasks.automation import quiet_key_customers, stalled_deals
from rapport.plugins.tasks.services import complete_task, create_task, list_tasks
from tests.plugin_modules.inbox import Inbox


def open_by_source(app, actor, source):
    return [t for t in list_tasks(app, actor) if t.source == source]


def test_courting_steps_end_with_the_deal_and_are_not_repeated_for_a_buyer(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Alpha"})
    first = create_deal(app, ivan, {"title": "Big", "customer_id": customer.id,
                                    "amount": 2_000_000})  # fmt: skip
    assert len(open_by_source(app, ivan, "opportunity")) == 3
    move_deal(app, ivan, first.id, "won")
    assert open_by_source(app, ivan, "opportunity") == []  # cancelled, in the history
    create_deal(app, ivan, {"title": "Repeat", "customer_id": customer.id, "amount": 3_000_000})
    assert open_by_source(app, ivan, "opportunity") == []


def test_a_lost_or_archived_deal_takes_its_nudges_with_it(app, team, clock):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Beta"})
    lost = create_deal(app, ivan, {"title": "Lost one", "customer_id": customer.id})
    shelved = create_deal(app, ivan, {"title": "Shelved", "customer_id": customer.id})
    clock.advance(days=8)
    assert stalled_deals(app) == 2
    move_deal(app, ivan, lost.id, "lost", lost_reason="price")
    set_archived(app, team["manager"], "deal", shelved.id)
    assert open_by_source(app, ivan, "sla") == []


def test_one_no_contact_alert_per_silence_not_one_a_day(app, team, clock):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Gamma", "status": "customer"})
    clock.advance(days=31)
    assert [quiet_key_customers(app) for _ in range(3)] == [1, 0, 0]
    for _ in range(5):
        clock.advance(days=1)
        quiet_key_customers(app)
    assert len(open_by_source(app, ivan, "no_contact")) == 1
    log_interaction(app, ivan, {"customer_id": customer.id, "kind": "call"})
    clock.advance(days=31)
    assert quiet_key_customers(app) == 1  # a new silence, a new alert


def test_an_alert_in_a_team_without_a_manager_reaches_the_admins(make_app, team, admin, clock):
    phone = Inbox()
    app = make_app(plugins=[("phone", phone)])
    sofia = team["sofia"]  # the south team has no manager
    create_customer(app, sofia, {"name": "South Key", "status": "customer"})
    clock.advance(days=31)
    quiet_key_customers(app)
    clock.advance(days=4)
    for _ in range(3):
        asyncio.run(run_job(app, app.registry.jobs["tasks.reminders"]))
    escalations = [n for n in phone.sent if n.kind == "escalation"]
    assert [n.user_id for n in escalations] == [admin.user_id]


def test_a_repeating_task_done_early_moves_to_its_next_date(app, team, clock):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Delta"})
    task = create_task(app, ivan, {"title": "Weekly call", "customer_id": customer.id,
                                   "due": clock.now + timedelta(days=2),
                                   "repeat": "every 1 week"})  # fmt: skip
    done = complete_task(app, ivan, task.id)
    assert done.next_task is not None
    assert done.next_task.due_at == task.due_at + timedelta(weeks=1)
