"""One bad record, person or plugin never stops a batch job: the others get their reminders,
digests, nudges and alerts, and the bad one is logged with its id."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from rapport import hookimpl
from rapport.core.db.tables import UserRow
from rapport.core.extensions import Notification
from rapport.core.scheduler import run_job
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal
from rapport.core.services.isolation import isolated
from rapport.core.services.outbox import queue
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.tasks.automation import quiet_key_customers, stalled_deals
from rapport.plugins.tasks.services import create_task, list_tasks
from tests.helpers import waiting_notifications
from tests.plugin_modules.inbox import Inbox
from tests.plugin_modules.refusing import RefusesTasksAbout


def tick(app):
    asyncio.run(run_job(app, app.registry.jobs["tasks.reminders"]))


def test_a_stored_time_zone_that_does_not_exist_stops_nobodys_reminders_or_digest(
    make_app, team, clock
):
    phone = Inbox()
    app = make_app(plugins=[("phone", phone)])
    ivan, petr = team["ivan"], team["petr"]
    for rep in (ivan, petr):
        customer = create_customer(app, rep, {"name": f"Acme {rep.display_name}"})
        create_task(app, rep, {"title": "Call", "customer_id": customer.id,
                               "due": clock.now + timedelta(hours=1)})  # fmt: skip
    with UnitOfWork(app) as uow:  # as an older version could store it
        uow.session.execute(
            update(UserRow).where(UserRow.id == petr.user_id).values(timezone="Mars/Base")
        )
        uow.commit()
    clock.advance(minutes=40)
    tick(app)
    reminders = {n.user_id: n.text for n in phone.sent if n.kind == "reminder"}
    assert set(reminders) == {ivan.user_id, petr.user_id}
    assert "10:00" in reminders[petr.user_id]  # read in the team's zone instead
    clock.now = datetime(2026, 3, 3, 8, 5, tzinfo=UTC)
    tick(app)
    assert {n.user_id for n in phone.sent if n.kind == "digest"} >= {ivan.user_id, petr.user_id}


def test_a_time_zone_that_does_not_exist_is_refused_when_a_person_is_added(cli):
    cli("init", "--admin", "Anna")
    refused = cli("users", "add", "X", "--timezone", "Mars/Base", code=1)
    assert "Error: Часовой пояс: не часовой пояс, например Europe/Moscow" in refused
    assert "X" not in cli("users", "list")


def test_a_plugin_refusing_one_customers_nudge_leaves_the_others(make_app, team, clock, caplog):
    rule = RefusesTasksAbout("Blocked")
    app = make_app(plugins=[("rule", rule)])
    ivan = team["ivan"]
    blocked = create_customer(app, ivan, {"name": "Blocked", "status": "customer"})
    fine = create_customer(app, ivan, {"name": "Fine", "status": "customer"})
    rule.customer_id = blocked.id
    clock.advance(days=40)
    assert quiet_key_customers(app) == 1
    alerts = [t for t in list_tasks(app, ivan) if t.source == "no_contact"]
    assert [t.customer_id for t in alerts] == [fine.id]
    assert f"no-contact alert for customer {blocked.id} skipped" in caplog.text
    deals = [
        create_deal(app, ivan, {"title": f"Supply {customer.name}", "customer_id": customer.id})
        for customer in (blocked, fine)
    ]
    clock.advance(days=8)
    assert stalled_deals(app) == 1
    nudges = [t for t in list_tasks(app, ivan) if t.source == "sla"]
    assert [t.deal_id for t in nudges] == [deals[1].id]
    assert f"stalled-deal nudge for deal {deals[0].id} skipped" in caplog.text


def test_an_adapter_failing_on_one_persons_message_delivers_the_rest(make_app, team, clock):
    class Flaky(Inbox):
        @hookimpl
        async def deliver_notification(self, notification):
            if notification.user_id == team["petr"].user_id:
                raise ConnectionError("chat API hiccup")
            return await super().deliver_notification(notification)

    phone = Flaky()
    app = make_app(plugins=[("phone", phone)])
    for rep in ("ivan", "petr", "sofia"):
        customer = create_customer(app, team[rep], {"name": f"Acme {rep}"})
        create_task(app, team[rep], {"title": f"Call {rep}", "customer_id": customer.id,
                                     "due": clock.now + timedelta(minutes=20)})  # fmt: skip
    tick(app)
    assert sorted(n.text.rsplit(" ", 1)[1] for n in phone.sent if n.kind == "reminder") == [
        "ivan",
        "sofia",
    ]
    [waiting] = [n for n in waiting_notifications(app) if n.kind == "reminder"]
    assert waiting.user_id == team["petr"].user_id  # offered again later, not lost


@pytest.mark.parametrize("bad", ["duplicate key", "unknown person"])
def test_one_item_failing_inside_a_transaction_keeps_the_others(app, team, bad):
    now = datetime.now(UTC)
    ivan = team["ivan"].user_id
    with UnitOfWork(app) as uow:
        queue(uow.session, [(Notification(ivan, "first"), "k1")], now)
        with isolated("test item", 2, uow.session):
            if bad == "duplicate key":
                raise IntegrityError("INSERT", {}, Exception("duplicate"))
            queue(uow.session, [(Notification(999_999, "nobody"), "k2")], now)
        queue(uow.session, [(Notification(ivan, "third"), "k3")], now)
        uow.commit()
    assert [n.text for n in waiting_notifications(app)] == ["first", "third"]
