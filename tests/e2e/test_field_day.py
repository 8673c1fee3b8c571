"""A rep's whole day, end to end over HTTP: the real bot (aiogram, long polling) against
the telegram-test-api emulator, the rep played through the emulator's client API."""

from datetime import timedelta

from rapport.adapters.telegram.invites import create_invite
from rapport.core.services.customers import list_customers
from rapport.core.services.deals import list_deals
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
