"""The commands every adapter exposes, answered as a rep in the field would use them."""

from datetime import UTC, datetime

from rapport.core.extensions import CommandRequest
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, get_deal
from rapport.core.services.interactions import list_interactions
from rapport.plugins.tasks.reminders import queue_due_reminders
from tests.helpers import waiting_notifications


def say(app, actor, command, args=""):
    return app.registry.commands[command].handler(CommandRequest(app, actor, args))


def test_a_rep_plans_and_closes_a_call_in_three_messages(app, team, clock):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "ООО Ромашка"})
    created = say(app, ivan, "task", f"{customer.id} завтра в 10 — Позвонить про договор")
    assert created.text.startswith(
        "Task #1 set for Tuesday 03.03.2026 10:00: Позвонить про договор"
    )
    assert (
        "Позвонить про договор (#1)" not in say(app, ivan, "tasks").text
    )  # due tomorrow, not today
    assert say(app, ivan, "task", "позвонить завтра").text.startswith("Write: /task 12")
    clock.now = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    today = say(app, ivan, "tasks")
    assert "⚠ 03.03 10:00 call: Позвонить про договор (#1)" in today.text
    assert ("Done #1", "/done 1") in today.options
    done = say(app, ivan, "done", "1 договорились о встрече")
    assert done.text == "Task #1 done. Logged in the customer's history: call."
    assert list_interactions(app, ivan, customer.id)[0].outcome == "договорились о встрече"
    assert say(app, ivan, "tasks").text == "Nothing due today. 🎉"


def test_snooze_answers_with_the_new_moment(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    say(app, ivan, "task", f"{customer.id} через час — Call")
    assert (
        say(app, ivan, "snooze", "1 в пятницу в 15:00").text
        == "Task #1 moved to Friday 06.03.2026 15:00."
    )
    asked = say(app, ivan, "snooze", "1")  # the task, but not when: asked for it
    assert asked.text.startswith("Until when?") and asked.completes == "/snooze 1"
    assert say(app, ivan, "snooze", "").text == "Write: /snooze 7 tomorrow at 10"


def test_a_stalled_deal_nudge_offers_move_and_lost_in_one_tap(app, team, clock):
    from rapport.plugins.tasks.automation import stalled_deals

    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": customer.id})
    clock.advance(days=8)
    stalled_deals(app)
    queue_due_reminders(app)
    [nudge] = waiting_notifications(app)
    assert nudge.options[:2] == (
        ("Move on", f"/move {deal.id} next"),
        ("Lost", f"/lost {deal.id}"),
    )
    assert (
        say(app, ivan, "move", f"{deal.id} next").text
        == f"Deal #{deal.id} moved to Information sent."
    )
    assert get_deal(app, ivan, deal.id).stage_id != deal.stage_id
    why = say(app, ivan, "lost", str(deal.id))
    assert why.text == f"Why was deal #{deal.id} lost? Tap one or type it." and (
        ("price", f"/lost {deal.id} price") in why.options
    )
    assert (
        say(app, ivan, "lost", f"{deal.id} price").text == f"Deal #{deal.id} closed as lost: price."
    )
    assert get_deal(app, ivan, deal.id).status.value == "lost"
