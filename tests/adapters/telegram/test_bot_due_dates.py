"""Due dates the bot itself suggests are understood when typed back, in every language and
in every month; an impossible time is refused, never replaced by the current one."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from rapport.core.services.customers import create_customer
from rapport.plugins.tasks.services import list_tasks

IVAN = 1002


def due(app, team):
    """The task's due moment, as the wall clock of the team's time zone shows it."""
    [task] = list_tasks(app, team["manager"])
    return task.due_at.astimezone(ZoneInfo(app.settings.timezone)).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("language", "said", "meant"),
    [
        ("en", "tomorrow at 10", datetime(2026, 3, 3, 10, 0)),
        ("en", "next Monday at 9", datetime(2026, 3, 9, 9, 0)),
        ("en", "friday at 3pm", datetime(2026, 3, 6, 15, 0)),
        ("en", "on Friday at 10", datetime(2026, 3, 6, 10, 0)),
        ("uk", "у п'ятницю", datetime(2026, 3, 6, 9, 0)),
        ("uk", "у понеділок о 10", datetime(2026, 3, 9, 10, 0)),
        ("uk", "через тиждень", datetime(2026, 3, 9, 9, 0)),
    ],
)
async def test_a_task_set_as_the_help_says_is_due_when_meant(
    app, team, chat, session, language, said, meant
):
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    await chat.say(IVAN, f"/task {customer.id} {said} — позвонить", language)
    assert due(app, team) == meant


async def test_a_snooze_as_its_usage_says_is_understood(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    await chat.say(IVAN, f"/task {customer.id} завтра в 10 — позвонить")
    task_id = list_tasks(app, team["manager"])[0].id
    await chat.say(IVAN, f"/snooze {task_id} tomorrow at 11")  # the usage line's own form
    assert f"Task #{task_id} moved to" in session.last(IVAN).text
    assert due(app, team) == datetime(2026, 3, 3, 11, 0)


async def test_in_december_the_helps_example_date_is_next_years(app, team, chat, clock):
    clock.now = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    await chat.say(IVAN, f"/task {customer.id} 15.03 в 11 — позвонить", "ru")
    assert due(app, team) == datetime(2027, 3, 15, 11, 0)


@pytest.mark.parametrize("said", ["завтра в 25:00", "завтра 10:99"])
async def test_an_impossible_time_is_refused_in_the_readers_language(
    app, team, chat, session, said
):
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    await chat.say(IVAN, f"/task {customer.id} {said} — позвонить", "ru")
    assert "Когда: " in session.last(IVAN).text and "такого времени нет" in session.last(IVAN).text
    assert list_tasks(app, team["manager"]) == []
