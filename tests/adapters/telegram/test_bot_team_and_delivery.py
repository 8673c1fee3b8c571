"""Reminders and team news reach people; Telegram's limits are kept; pictures and menus."""

import asyncio

import pytest
from aiogram.exceptions import TelegramServerError
from aiogram.methods import SendMessage, SendPhoto, SetMyCommands

from rapport.adapters.telegram.running import RUNNING
from rapport.adapters.telegram.throttle import Throttle, notifying, pace_for
from rapport.core.domain.enums import Channel
from rapport.core.extensions import Notification
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal, update_deal
from tests.helpers import waiting_notifications

IVAN, OLGA = 1002, 1001


async def test_a_notification_reaches_the_persons_chat_with_its_buttons(app, team, chat, session):
    RUNNING[app] = chat.bot
    delivered = await app.hooks.deliver_notification(
        app,
        Notification(
            team["ivan"].user_id, "Call <ООО Ромашка> back", options=(("Done", "/done 7"),)
        ),
    )
    assert delivered is True
    message = session.last(IVAN)
    assert message.text == "Call &lt;ООО Ромашка&gt; back"
    assert session.buttons(IVAN) == [("Done", "r:/done 7")]
    del RUNNING[app]
    assert (
        await app.hooks.deliver_notification(app, Notification(team["ivan"].user_id, "x")) is False
    )


async def test_a_rep_hears_when_a_manager_changes_their_deal_in_the_sheet(app, team, chat, session):
    RUNNING[app] = chat.bot
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id})
    await app.start()
    try:
        update_deal(app, team["manager"].via(Channel.SHEET), deal.id, {"amount": 900})
        move_deal(app, team["manager"].via(Channel.SHEET), deal.id, "demo")
        update_deal(app, team["ivan"], deal.id, {"amount": 950})  # their own change: no news
        await app.hooks.drain()
    finally:
        await app.stop()
    told = sorted(session.texts(IVAN))  # delivered concurrently, in either order
    assert told == [
        "Olga Manager changed your deal “Поставка” in the spreadsheet: amount.",
        "Olga Manager moved your deal “Поставка”: Lead → Demonstration.",
    ]


async def test_reports_arrive_as_pictures(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id, "amount": 10})
    await chat.say(OLGA, "📊 Reports")
    await chat.tap(OLGA, "Funnel")
    [photo] = [c for c in session.sent(OLGA) if isinstance(c, SendPhoto)]
    assert photo.caption.startswith("Funnel") and photo.photo.data.startswith(b"\x89PNG")


async def test_a_report_whose_picture_cannot_be_sent_arrives_as_its_table(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id, "amount": 10})
    await chat.say(OLGA, "📊 Reports")
    session.fail("SendPhoto", TelegramServerError(SendPhoto(chat_id=OLGA, photo="x"), "500"))
    await chat.tap(OLGA, "Funnel")
    text = session.last(OLGA).text
    assert text.startswith("Funnel") and "Lead" in text
    assert "went wrong" not in "\n".join(chat.replies(OLGA))


async def test_the_command_menu_is_set_and_a_failing_api_does_not_stop_the_bot(
    app, team, chat, session
):
    await chat.dispatcher.emit_startup(bot=chat.bot, **chat.dispatcher.workflow_data)
    menus = [c for c in session.calls if isinstance(c, SetMyCommands)]
    assert {m.language_code for m in menus} == {None, "ru", "uk"}
    assert "find" in [c.command for c in menus[0].commands]
    session.clear()
    session.fail("SetMyCommands", TelegramServerError(SetMyCommands(commands=[]), "500"))
    await chat.dispatcher.emit_startup(
        bot=chat.bot, **chat.dispatcher.workflow_data
    )  # logged, not raised
    session.fail("SendMessage", TelegramServerError(SendMessage(chat_id=IVAN, text=""), "500"))
    await chat.say(IVAN, "/help")  # this answer is lost...
    await chat.say(IVAN, "/help")  # ...the next one is not
    assert "What I can do:" in session.last(IVAN).text


async def test_russian_and_ukrainian_speakers_read_their_language(app, team, chat, session):
    await chat.say(IVAN, "/start", language="ru")
    assert session.last(IVAN).text == "Здравствуйте, Ivan Rep! Чем займёмся сегодня?"
    keyboard = session.last(IVAN).reply_markup.keyboard
    assert keyboard[0][0].text == "🔎 Клиенты"
    await chat.say(IVAN, "⚙️ Настройки", language="ru")
    await chat.tap(IVAN, "Українська")
    assert session.last(IVAN).text == "Готово: тепер я розмовляю українською."
    await chat.say(IVAN, "💼 Мої угоди", language="ru")  # chosen language beats the app's
    assert "Відкритих угод немає" in session.last(IVAN).text


class FakeTime:
    def __init__(self):
        self.now, self.naps = 0.0, []

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.naps.append(seconds)
        self.now += seconds


async def test_sends_are_paced_per_chat_and_a_429_is_waited_out(app, team, session):
    from rapport.adapters.telegram.bot import build_bot
    from rapport.testing.chat import TOKEN

    time = FakeTime()
    bot = build_bot(TOKEN, session=session, throttle=False)
    bot.session.middleware(Throttle(sleep=time.sleep, clock=time.clock))
    for n in range(6):  # a reply in six pieces
        await bot.send_message(IVAN, f"digest line {n}")
    assert len(session.texts(IVAN)) == 6
    gap = pace_for(IVAN, 1, 20, notification=True).window
    assert time.now == pytest.approx(3 * gap)  # 3 at once, 3 more 3 s later: 1/s on average
    with notifying():  # reminders: a whole gap after the chat's last message, each
        for n in range(3):
            await bot.send_message(IVAN, f"reminder {n}")
    assert time.now == pytest.approx(6 * gap)
    session.fail("SendMessage", 7)  # Telegram: retry after 7 s
    await bot.send_message(OLGA, "approved")
    assert session.texts(OLGA) == ["approved"] and time.naps[-1] == 7
    await asyncio.sleep(0)


async def test_a_manager_approves_a_discount_with_a_button(app, team, chat, session):
    from rapport.plugins.sales.approvals import request_discount

    RUNNING[app] = chat.bot
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(
        app, team["ivan"], {"title": "Поставка", "customer_id": customer.id, "amount": 1000}
    )
    await app.start()
    try:
        request_discount(app, team["ivan"], deal.id, 25, "big order")
        await app.hooks.drain()
        assert "Ivan Rep asks for a 25% discount" in session.last(OLGA).text
        await chat.tap(OLGA, "Approve")
        await app.hooks.drain()
    finally:
        await app.stop()
    from rapport.core.services.deals import get_deal

    assert get_deal(app, team["manager"], deal.id).fields["discount_percent"] == 25
    assert any("approved" in t for t in session.texts(IVAN))


async def test_plugins_answer_and_remind_in_the_readers_language(app, team, chat, session):
    from rapport.core.services.users import set_preferences
    from rapport.plugins.tasks.reminders import queue_due_reminders
    from rapport.plugins.tasks.services import create_task

    await chat.say(IVAN, "/tasks", language="ru")
    assert session.last(IVAN).text == "На сегодня задач нет. 🎉"
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    await chat.say(IVAN, f"/task {customer.id} завтра в 10 — позвонить", language="uk")
    assert session.last(IVAN).text.startswith("Завдання #1 на Вівторок 03.03.2026 10:00")
    await chat.say(OLGA, "/help", language="ru")
    assert "/requests — Запросы, ждущие решения" in session.last(OLGA).text
    set_preferences(app, team["ivan"], language="ru")
    create_task(app, team["ivan"], {"title": "Счёт", "customer_id": customer.id, "due": "сейчас"})
    queue_due_reminders(app)
    [due] = [n for n in waiting_notifications(app) if "Счёт" in n.text]
    assert "звонок: Счёт" in due.text
    assert [label for label, _line in due.options] == ["Готово", "Через час", "Завтра"]
