"""Birthdays and dates reach the owner once, through whichever adapter delivers them."""

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from rapport.core.scheduler import run_job
from rapport.core.services.customers import create_customer
from rapport.plugins.contacts.dates import add_date
from tests.plugin_modules.inbox import Inbox


def sent(inbox):
    return [(n.user_id, n.text) for n in inbox.sent]


def tick(app):
    asyncio.run(run_job(app, app.registry.jobs["contacts.reminders"]))


@pytest.fixture
def chat():
    return Inbox()


@pytest.fixture
def chat_app(make_app, chat):
    return make_app(plugins=[("chat", chat)])


def test_a_birthday_reaches_the_owner_once_on_the_day_and_the_day_before(
    chat_app, chat, team, clock
):
    ivan = team["ivan"]
    company = create_customer(chat_app, ivan, {"name": "ООО Ромашка"})
    create_customer(
        chat_app,
        ivan,
        {
            "name": "Анна",
            "kind": "person",
            "organisation_id": company.id,
            "fields": {"birthday": "1985-03-03"},
        },
    )
    clock.now = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    tick(chat_app)
    assert sent(chat) == []  # before the reminder hour (9:00)
    clock.now = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    tick(chat_app)
    tick(chat_app)
    assert sent(chat) == [(ivan.user_id, "In 1 day(s): birthday — Анна (ООО Ромашка).")]
    clock.now = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # the app was down in the morning
    tick(chat_app)
    assert sent(chat)[1:] == [(ivan.user_id, "Today: birthday — Анна (ООО Ромашка).")]


def test_reminders_speak_the_owners_language(chat_app, chat, admin, clock):
    from rapport.core.domain.enums import Channel
    from rapport.core.services.users import actor_for, add_user

    olga = actor_for(
        add_user(chat_app, admin, {"display_name": "Ольга", "language": "ru"}), Channel.BOT
    )
    create_customer(chat_app, olga, {"name": "Пётр", "fields": {"birthday": "1970-03-02"}})
    tick(chat_app)
    assert sent(chat) == [(olga.user_id, "Сегодня: день рождения — Пётр.")]


def test_significant_dates_and_leap_day_birthdays(chat_app, chat, team, clock):
    ivan = team["ivan"]
    customer = create_customer(
        chat_app, ivan, {"name": "Acme", "fields": {"birthday": "2000-02-29"}}
    )
    add_date(chat_app, ivan, customer.id, "Company anniversary", "2010-03-01")
    add_date(chat_app, ivan, customer.id, "Contract ends", "2027-02-28", yearly=False)
    clock.now = datetime(2027, 2, 28, 10, 0, tzinfo=UTC)  # 2027 has no 29 February
    tick(chat_app)
    assert sorted(text for _, text in sent(chat)) == [
        "In 1 day(s): Company anniversary — Acme.",
        "Today: Contract ends — Acme.",
        "Today: birthday — Acme.",
    ]


def test_a_reminder_no_adapter_delivered_is_offered_again(make_app, team, clock):
    chat = Inbox(online=False)
    app = make_app(plugins=[("chat", chat)])
    create_customer(app, team["ivan"], {"name": "Acme", "fields": {"birthday": "1990-03-02"}})
    tick(app)
    assert sent(chat) == []
    chat.online = True
    tick(app)
    assert sent(chat) == []  # claimed moments ago: another instance may be sending it now
    clock.advance(minutes=11)
    tick(app)
    tick(app)
    assert sent(chat) == [(team["ivan"].user_id, "Today: birthday — Acme.")]


def test_two_instances_send_each_reminder_exactly_once(make_app, team, clock):
    chats = [Inbox(), Inbox()]
    apps = [make_app(plugins=[("chat", chat)]) for chat in chats]
    for n in range(20):
        create_customer(
            apps[0], team["ivan"], {"name": f"Customer {n}", "fields": {"birthday": "1990-03-02"}}
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
        thread.join(30)
    texts = [text for chat in chats for _, text in sent(chat)]
    assert len(texts) == 20 and len(set(texts)) == 20
