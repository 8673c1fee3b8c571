"""Reminders reach the person on time, once, even with two instances and after downtime."""

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest

from rapport.core.runtime import serve
from rapport.core.scheduler import run_job
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal, update_deal
from rapport.plugins.tasks.automation import quiet_key_customers, stalled_deals
from rapport.plugins.tasks.services import complete_task, create_task, list_tasks
from tests.plugin_modules.inbox import Inbox


def tick(app):
    asyncio.run(run_job(app, app.registry.jobs["tasks.reminders"]))


@pytest.fixture
def phone():
    return Inbox()


@pytest.fixture
def app_with_phone(make_app, phone):
    return make_app(plugins=[("phone", phone)])


@pytest.fixture
def customer(app_with_phone, team):
    return create_customer(app_with_phone, team["ivan"], {"name": "ООО Ромашка"})


def reminders(phone):
    return [n for n in phone.sent if n.kind == "reminder"]


def test_a_reminder_comes_before_the_task_once_with_one_tap_choices(
    app_with_phone, phone, team, customer, clock
):
    ivan = team["ivan"]
    task = create_task(
        app_with_phone,
        ivan,
        {
            "customer_id": customer.id,
            "due": clock.now + timedelta(hours=2),
            "title": "Позвонить",
            "kind": "call",
        },
    )
    tick(app_with_phone)
    assert reminders(phone) == []
    clock.advance(hours=1, minutes=31)  # 30 minutes before
    tick(app_with_phone)
    tick(app_with_phone)
    [note] = reminders(phone)
    assert note.user_id == ivan.user_id
    assert note.text == "⏰ 02.03 11:00 call: Позвонить — ООО Ромашка"
    assert ("Done", f"/done {task.id}") in note.options
    assert phone.due == [(task.id, False)]


def test_a_reminder_missed_while_down_is_sent_on_start_marked_late(
    app_with_phone, phone, team, customer, clock
):
    task = create_task(
        app_with_phone,
        team["ivan"],
        {
            "customer_id": customer.id,
            "due": clock.now + timedelta(hours=1),
            "title": "Визит",
            "kind": "visit",
        },
    )
    clock.advance(hours=5)  # the application was down
    tick(app_with_phone)
    [note] = reminders(phone)
    assert note.text.startswith("Late: ⏰") and phone.due == [(task.id, True)]


def test_an_undelivered_reminder_is_retried_and_a_done_task_is_not_reminded(make_app, team, clock):
    phone = Inbox(online=False)
    app = make_app(plugins=[("phone", phone)])
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    first = create_task(
        app,
        team["ivan"],
        {"customer_id": customer.id, "due": clock.now + timedelta(minutes=10), "title": "A"},
    )
    second = create_task(
        app,
        team["ivan"],
        {"customer_id": customer.id, "due": clock.now + timedelta(minutes=10), "title": "B"},
    )
    complete_task(app, team["ivan"], second.id)
    tick(app)
    phone.online = True
    tick(app)
    assert reminders(phone) == []
    clock.advance(minutes=11)
    tick(app)
    tick(app)
    assert [n.text.split(": ", 1)[1] for n in reminders(phone)] == ["A — Acme"]
    assert first.id in [task_id for task_id, _ in phone.due]


def test_the_morning_digest_counts_the_day_once(app_with_phone, phone, team, customer, clock):
    ivan = team["ivan"]
    clock.now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    for title, kind, hours in (("V1", "visit", 3), ("V2", "visit", 5), ("C1", "call", 6)):
        create_task(
            app_with_phone,
            ivan,
            {
                "customer_id": customer.id,
                "due": clock.now + timedelta(hours=hours),
                "title": title,
                "kind": kind,
            },
        )
    overdue = create_task(
        app_with_phone,
        ivan,
        {"customer_id": customer.id, "due": clock.now + timedelta(minutes=5), "title": "Old"},
    )
    clock.now = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)  # next morning, before 8:00
    tick(app_with_phone)
    assert [n for n in phone.sent if n.kind == "digest"] == []
    create_task(
        app_with_phone,
        ivan,
        {
            "customer_id": customer.id,
            "due": clock.now + timedelta(hours=2),
            "title": "Today",
            "kind": "meeting",
        },
    )
    clock.now = datetime(2026, 3, 3, 8, 5, tzinfo=UTC)
    tick(app_with_phone)
    tick(app_with_phone)
    digests = [n for n in phone.sent if n.kind == "digest" and n.user_id == ivan.user_id]
    assert [d.text for d in digests] == ["Today: meeting × 1, overdue: 4."]
    assert overdue.id in [t.id for t in list_tasks(app_with_phone, ivan)]


def test_two_instances_deliver_each_reminder_exactly_once(make_app, team, clock):
    phones = [Inbox(), Inbox()]
    apps = [make_app(plugins=[("phone", phone)]) for phone in phones]
    customer = create_customer(apps[0], team["ivan"], {"name": "Acme"})
    for n in range(40):
        create_task(
            apps[0],
            team["ivan"],
            {
                "customer_id": customer.id,
                "title": f"Task {n}",
                "due": clock.now + timedelta(minutes=5),
            },
        )
    barrier = threading.Barrier(2)

    def instance(app):
        barrier.wait()
        for _ in range(3):
            tick(app)

    threads = [threading.Thread(target=instance, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    texts = [n.text for phone in phones for n in reminders(phone)]
    assert len(texts) == 40 and len(set(texts)) == 40


def test_two_running_schedulers_share_the_work_without_repeats(make_app, team, clock):
    """Two full `rapport run` loops (real APScheduler) against one database."""
    phones = [Inbox(), Inbox()]
    apps = [make_app(plugins=[("phone", phone)]) for phone in phones]
    customer = create_customer(apps[0], team["ivan"], {"name": "Acme"})
    for n in range(30):
        create_task(
            apps[0],
            team["ivan"],
            {
                "customer_id": customer.id,
                "title": f"Task {n}",
                "due": clock.now + timedelta(minutes=1),
            },
        )
    clock.advance(minutes=2)

    def run(app):
        async def main():
            stop = asyncio.Event()

            async def until_done():
                deadline = asyncio.get_running_loop().time() + 20
                while (
                    sum(len(reminders(p)) for p in phones) < 30
                    and asyncio.get_running_loop().time() < deadline
                ):
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.5)  # give a repeat every chance to happen
                stop.set()

            await asyncio.gather(serve(app, stop), until_done())

        asyncio.run(main())

    for app in apps:  # tick fast: the plugin's 30-second interval is too slow for a test
        spec = app.registry.jobs["tasks.reminders"]
        app.registry.jobs["tasks.reminders"] = type(spec)(
            spec.id, spec.func, "interval", {"seconds": 0.2}, spec.owner
        )
    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    texts = [n.text for phone in phones for n in reminders(phone)]
    assert len(texts) == 30 and len(set(texts)) == 30


def test_automatic_tasks_welcome_opportunity_stalled_and_quiet(app_with_phone, phone, team, clock):
    app, ivan = app_with_phone, team["ivan"]
    customer = create_customer(app, ivan, {"name": "Alpha"})
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": customer.id, "amount": 1000})
    update_deal(app, ivan, deal.id, {"amount": 2_000_000})  # becomes an opportunity
    titles = sorted(t.title for t in list_tasks(app, ivan))
    assert titles == [
        "Arrange an extra visit — «Supply»",
        "Bring in senior management — «Supply»",
        "Send the information pack — «Supply»",
    ]
    move_deal(app, ivan, deal.id, "won")
    assert any(
        t.title == "Welcome call after «Supply»" and t.source == "welcome"
        for t in list_tasks(app, ivan)
    )
    stuck = create_deal(app, ivan, {"title": "Stuck", "customer_id": customer.id})
    clock.advance(days=8)  # the lead stage's SLA is 7 days
    assert stalled_deals(app) == 1 and stalled_deals(app) == 0
    nudge = next(t for t in list_tasks(app, ivan) if t.source == "sla")
    assert nudge.title.startswith("«Stuck» has been in Lead for 8 days (SLA 7)")
    assert nudge.deal_id == stuck.id
    clock.advance(days=30)  # Alpha is a customer now, and nobody called
    assert quiet_key_customers(app) == 1 and quiet_key_customers(app) == 0
    alert = next(t for t in list_tasks(app, ivan) if t.source == "no_contact")
    assert alert.title == "No contact with Alpha ever: get in touch"
    clock.advance(days=4)  # ignored: the manager hears of it, once
    tick(app)
    tick(app)
    escalations = [n for n in phone.sent if n.kind == "escalation"]
    assert [n.user_id for n in escalations] == [team["manager"].user_id]
    assert "is 3+ days overdue. It is Ivan Rep's." in escalations[0].text


def test_automatic_tasks_are_written_in_their_assignees_language(app, team, clock):
    from rapport.core.services.users import set_preferences

    set_preferences(app, team["ivan"], language="uk")
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Альфа"})
    deal = create_deal(app, ivan, {"title": "Постачання", "customer_id": customer.id})
    update_deal(app, ivan, deal.id, {"amount": 2_000_000})
    stuck = create_deal(app, ivan, {"title": "Застрягла", "customer_id": customer.id})
    clock.advance(days=8)
    stalled_deals(app)
    titles = {t.title for t in list_tasks(app, ivan)}
    assert "Надіслати інформаційний пакет — «Постачання»" in titles
    nudge = next(t for t in list_tasks(app, ivan) if t.deal_id == stuck.id)
    assert nudge.title.startswith("«Застрягла» на етапі «Лід» уже 8 дн. (норма 7)")
