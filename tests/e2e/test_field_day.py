"""A rep's whole day, end to end over HTTP: the real bot (aiogram, long polling) against
the telegram-test-api emulator, the rep played through the emulator's client API."""

from datetime import timedelta

import pytest

from rapport.adapters.telegram.invites import create_invite
from rapport.core.services.customers import list_customers
from rapport.core.services.deals import create_deal, list_deals
from rapport.core.services.interactions import list_interactions
from rapport.plugins.tasks.model import TaskStatus
from rapport.plugins.tasks.reminders import send_due_reminders
from rapport.plugins.tasks.services import create_task, list_tasks
from tests.e2e.conftest import Rep, RunningBot


def test_a_reps_day_in_the_field(app, team, clock, emulator):
    invite = create_invite(app, team["manager"], "Nina Novak")
    nina = Rep(emulator, 5550001, "Nina")
    with RunningBot(app, emulator) as bot:
        nina.say(f"/start {invite.token}")  # invited by deep link
        nina.wait_for("Welcome to Rapport, Nina Novak!")
        actor = team["manager"]  # Nina joined the manager's team: the manager sees her records

        nina.share_contact("+7 912 000-11-22", "Аптека Здоровье")  # a new customer
        nina.wait_for("New customer added: Аптека Здоровье.")
        nina.wait_for("<b>Аптека Здоровье</b>")
        [customer] = list_customers(app, actor)

        nina.share_location(55.7558, 37.6173)  # checks in at the pharmacy
        nina.wait_for("Which one are you visiting?")
        nina.tap("Аптека Здоровье")
        nina.wait_for("<b>Аптека Здоровье</b>")

        nina.tap("Visit done")  # logs the visit with its outcome
        nina.wait_for("How did it go?")
        nina.tap("Order taken")
        nina.wait_for("Order taken — saved.")
        nina.say("Взяли пробную партию, ждут счёт")
        nina.wait_for("Note saved on Аптека Здоровье.")

        nina.say(f"/card {customer.id}")  # creates and moves a deal
        nina.wait_for("<b>Аптека Здоровье</b>")
        nina.tap("New deal")
        nina.wait_for("What is the deal?")
        nina.say("Пробная партия")
        nina.wait_for("Amount?")
        nina.say("45 000")
        nina.wait_for("Deal created.")
        nina.wait_for("<b>Пробная партия</b>")
        nina.tap("Demonstration")
        nina.wait_for("moved to Demonstration.")
        [deal] = list_deals(app, actor)
        assert deal.amount == 45000 and deal.title == "Пробная партия"

        task = create_task(
            app,
            team["manager"],
            {
                "title": "Выставить счёт",
                "customer_id": customer.id,
                "assignee_id": deal.owner_id,
                "due": clock() + timedelta(minutes=5),
            },
        )
        clock.now += timedelta(minutes=10)
        bot.call(send_due_reminders(app))  # the scheduler's tick: a reminder reaches her
        nina.wait_for("Выставить счёт")
        nina.tap("Done")  # marks it done from the reminder
        nina.wait_for(f"Task #{task.id} done")

    kinds = sorted(
        (i.kind, i.outcome) for i in list_interactions(app, actor, customer_id=customer.id)
    )
    assert ("visit", "checkin") in kinds and ("visit", "order_taken") in kinds
    assert list_tasks(app, actor, status=TaskStatus.DONE)[0].id == task.id


SAID = {
    "ru": {"added": "Новый клиент: Аптека Здоровье.", "visit": "Визит сделан",
           "how": "Как прошло?", "order": "Взял заказ", "note": "Заметка сохранена",
           "deals": "💼 Мои сделки", "by_stage": "Ваши открытые сделки", "demo": "Демонстрация",
           "moved": "переведена на этап «Демонстрация»"},
    "uk": {"added": "Новий клієнт: Аптека Здоровье.", "visit": "Візит зроблено",
           "how": "Як пройшло?", "order": "Взяв замовлення", "note": "Нотатку збережено",
           "deals": "💼 Мої угоди", "by_stage": "Ваші відкриті угоди", "demo": "Демонстрація",
           "moved": "переведено на етап «Демонстрація»"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_a_reps_day_over_http_in_russian_and_ukrainian(app, team, emulator, language):
    from tests.adapters.telegram.test_bot_day_in_my_language import english_in

    said = SAID[language]
    invite = create_invite(app, team["manager"], "Nina Novak")
    nina = Rep(emulator, 5550002 if language == "ru" else 5550003, "Nina", language)
    with RunningBot(app, emulator):
        nina.say(f"/start {invite.token}")
        nina.wait_for("Nina Novak")
        nina.share_contact("+7 912 000-11-22", "Аптека Здоровье")
        nina.wait_for(said["added"])
        nina.wait_for("<b>Аптека Здоровье</b>")
        [customer] = list_customers(app, team["manager"])
        create_deal(app, team["manager"], {"title": "Пробная партия", "amount": 45000,
                                           "customer_id": customer.id,
                                           "owner_id": customer.owner_id})  # fmt: skip
        nina.tap(said["visit"])
        nina.wait_for(said["how"])
        nina.tap(said["order"])
        nina.wait_for(said["order"] + " — ")  # saved, and a note is asked for
        nina.say("Взяли пробную партию, ждут счёт")
        nina.wait_for(said["note"])
        nina.say(said["deals"])
        nina.wait_for(said["by_stage"])
        nina.say(f"/card {customer.id}")  # the deal from the card: card, deal, stage
        nina.wait_for("<b>Аптека Здоровье</b>")
        nina.tap("Пробная партия")
        nina.wait_for("<b>Пробная партия</b>")
        nina.tap(said["demo"])
        nina.wait_for(said["moved"])
    texts = [m.get("text") or "" for m in nina.seen]
    labels = [b["text"] for m in nina.seen for row in
              (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]  # fmt: skip
    english = {word for text in [*texts, *labels] for word in english_in(text)}
    assert english == set(), sorted(english)
