"""The card's "Latest" is what happened with the customer; tasks still to do are apart,
one line per kind, however many of them automation created."""

import asyncio
from datetime import timedelta

from rapport.core.domain.enums import InteractionKind
from rapport.core.services.customers import create_customer
from rapport.core.services.interactions import log_interaction
from rapport.plugins.tasks.services import complete_task, create_task

IVAN = 1002


def history_of(app, team, clock):
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    for hours, kind, summary in ((5, "call", "Звонили"), (4, "note", "Ждут прайс"),
                                 (3, "visit", "Витрина")):  # fmt: skip
        log_interaction(app, team["ivan"], {
            "customer_id": customer.id, "kind": InteractionKind(kind), "summary": summary,
            "occurred_at": clock() - timedelta(hours=hours)})  # fmt: skip
    for n in range(9):  # three large deals, three automatic tasks each
        create_task(app, team["ivan"], {
            "customer_id": customer.id, "title": f"Позвонить по крупной сделке {n % 3}",
            "due": clock() + timedelta(days=n + 1), "kind": "call" if n % 3 else "meeting"})  # fmt: skip
    return customer


async def test_latest_shows_real_interactions_not_tasks_still_to_do(
    app, team, chat, session, clock
):
    customer = await asyncio.to_thread(history_of, app, team, clock)  # hooks run their own loop
    await chat.say(IVAN, f"/card {customer.id}")
    card = session.last(IVAN).text
    latest = card.split("<b>Latest</b>")[1]
    assert "Звонили" in latest and "Ждут прайс" in latest and "Витрина" in latest
    assert "крупной сделке" not in latest


async def test_many_tasks_collapse_to_one_line_per_kind(app, team, chat, session, clock):
    customer = await asyncio.to_thread(history_of, app, team, clock)  # hooks run their own loop
    await chat.say(IVAN, f"/card {customer.id}")
    tasks = session.last(IVAN).text.split("<b>Tasks</b>")[1].split("\n\n")[0].strip().splitlines()
    assert len(tasks) == 2  # calls and meetings
    assert any("(+5 more)" in line for line in tasks)  # six calls: the next one, and five more
    assert any("(+2 more)" in line for line in tasks)


async def test_a_finished_task_is_in_the_history_once_in_the_readers_language(
    app, team, chat, session, clock
):
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    call, document = (
        create_task(
            app,
            team["ivan"],
            {
                "customer_id": customer.id,
                "title": title,
                "kind": kind,
                "due": clock() + timedelta(hours=1),
            },
        )
        for title, kind in (("Обсудить прайс", "call"), ("Договор", "document"))
    )
    for task in (call, document):
        await asyncio.to_thread(complete_task, app, team["ivan"], task.id, result="Готово")
    clock.advance(minutes=5)
    await chat.say(IVAN, f"/card {customer.id}", "ru")
    latest = session.last(IVAN).text.split("<b>Последнее</b>")[1]
    assert "документ — выполнено: Договор" in latest
    assert latest.count("Обсудить прайс") == 1  # the call logged, not the task again
    assert "done" not in latest
