"""Tasks as reps use them: said in words, tied to a customer, done in one step."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import InvalidInput, NotFound, PermissionDenied
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal
from rapport.core.services.interactions import list_interactions
from rapport.core.services.users import actor_for, add_user
from rapport.plugins.tasks.services import (
    cancel_task,
    complete_task,
    create_task,
    list_tasks,
    snooze_task,
)
from rapport.plugins.tasks.when import parse_when

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # Monday 09:00 in Moscow


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("завтра в 10", datetime(2026, 3, 3, 10, 0)),
        ("в пятницу", datetime(2026, 3, 6, 9, 0)),
        ("через 2 дня", datetime(2026, 3, 4, 9, 0)),
        ("next Monday 9:00", datetime(2026, 3, 9, 9, 0)),
        ("післязавтра о 15:00", datetime(2026, 3, 4, 15, 0)),
        ("15.03 в 11", datetime(2026, 3, 15, 11, 0)),
        ("в среду к 12", datetime(2026, 3, 4, 12, 0)),
        ("через час", datetime(2026, 3, 2, 10, 0)),
        ("сегодня в 18", datetime(2026, 3, 2, 18, 0)),
    ],
)
def test_due_dates_in_words_are_read_in_the_users_time_zone(said, meant):
    assert parse_when(said, "Europe/Moscow", NOW, 9) == meant.replace(tzinfo=MOSCOW).astimezone(UTC)


def test_words_that_are_no_date_get_examples():
    with pytest.raises(
        InvalidInput, match=r"'когда-нибудь' is not a date I understand; try «завтра в 10»"
    ):
        parse_when("когда-нибудь", "Europe/Moscow", NOW, 9)


@pytest.fixture
def customer(app, team):
    return create_customer(app, team["ivan"], {"name": "ООО Ромашка"})


@pytest.fixture
def moscow_rep(app, admin):
    user = add_user(
        app,
        admin,
        {"display_name": "Misha", "role": "rep", "team": "north", "timezone": "Europe/Moscow"},
    )
    return actor_for(user, Channel.BOT)


def test_a_rep_sets_a_follow_up_in_words_and_sees_the_moment(app, moscow_rep, clock):
    clock.now = NOW
    customer = create_customer(app, moscow_rep, {"name": "Acme"})
    task = create_task(
        app,
        moscow_rep,
        {"customer_id": customer.id, "due": "завтра в 10", "title": "Позвонить про договор"},
    )
    assert task.due_at.astimezone(MOSCOW) == datetime(2026, 3, 3, 10, 0, tzinfo=MOSCOW)
    assert task.assignee_id == moscow_rep.user_id and task.status.value == "open"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due": "завтра", "title": "x"}, "a task is about a customer or a deal"),
        ({"due": "вчера", "title": "x", "customer": True}, "is in the past"),
        ({"due": "потом", "title": "x", "customer": True}, "is not a date I understand"),
        ({"title": "x", "customer": True}, "say when"),
        (
            {"due": "завтра", "title": "x", "customer": True, "assignee_id": 999},
            "there is no active user #999",
        ),
        (
            {"due": "завтра", "title": "x", "customer": True, "repeat": "иногда"},
            "say e.g. «every 2 weeks»",
        ),
    ],
)
def test_bad_tasks_are_refused_with_what_works(app, team, customer, data, message):
    if data.pop("customer", False):
        data["customer_id"] = customer.id
    with pytest.raises(InvalidInput, match=message):
        create_task(app, team["ivan"], data)
    assert list_tasks(app, team["ivan"]) == []


def test_a_rep_cannot_give_tasks_to_others_or_see_theirs(app, team, customer):
    with pytest.raises(PermissionDenied):
        create_task(
            app,
            team["ivan"],
            {
                "customer_id": customer.id,
                "due": "завтра",
                "title": "x",
                "assignee_id": team["petr"].user_id,
            },
        )
    task = create_task(
        app,
        team["manager"],
        {
            "customer_id": customer.id,
            "due": "завтра",
            "title": "Visit",
            "assignee_id": team["ivan"].user_id,
        },
    )
    assert [t.id for t in list_tasks(app, team["ivan"])] == [task.id]
    assert list_tasks(app, team["petr"]) == []
    with pytest.raises(NotFound):
        complete_task(app, team["petr"], task.id)


def test_completing_a_visit_logs_it_and_a_repeating_task_comes_back(app, team, customer, clock):
    ivan = team["ivan"]
    task = create_task(
        app,
        ivan,
        {
            "customer_id": customer.id,
            "due": "завтра в 10",
            "kind": "visit",
            "title": "Плановый визит",
            "repeat": "каждые 2 недели",
        },
    )
    clock.advance(days=1, hours=2)
    done = complete_task(app, ivan, task.id, result="заказали образцы", spent_minutes=45)
    assert done.task.status.value == "done" and done.task.spent_minutes == 45
    [visit] = list_interactions(app, ivan, customer.id)
    assert visit.kind.value == "visit" and visit.summary == "Плановый визит — заказали образцы"
    assert visit.duration_minutes == 45
    assert done.next_task.due_at == task.due_at + timedelta(weeks=2)
    with pytest.raises(InvalidInput, match="is already done"):
        complete_task(app, ivan, task.id)


def test_snooze_cancel_and_service_request_deadline(app, team, customer, clock):
    ivan = team["ivan"]
    task = create_task(app, ivan, {"customer_id": customer.id, "due": "через час", "title": "Call"})
    moved = snooze_task(app, ivan, task.id, "через 3 дня")
    assert moved.due_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # a day without a time: 9:00
    with pytest.raises(InvalidInput, match="snooze to a moment in the future"):
        snooze_task(app, ivan, task.id, clock.now - timedelta(days=1))
    assert cancel_task(app, ivan, task.id, "не нужно").status.value == "cancelled"
    request = create_task(
        app,
        ivan,
        {"customer_id": customer.id, "kind": "service_request", "title": "Не работает доставка"},
    )
    assert request.due_at == clock.now + timedelta(hours=24)


def test_a_task_on_a_deal_belongs_to_its_customer(app, team, customer):
    deal = create_deal(app, team["ivan"], {"title": "Supply", "customer_id": customer.id})
    task = create_task(
        app, team["ivan"], {"deal_id": deal.id, "due": "завтра", "title": "Send offer"}
    )
    assert task.customer_id == customer.id
    other = create_customer(app, team["ivan"], {"name": "Other"})
    with pytest.raises(InvalidInput, match="is not this customer's"):
        create_task(
            app,
            team["ivan"],
            {"deal_id": deal.id, "customer_id": other.id, "due": "завтра", "title": "x"},
        )


def test_the_card_reads_tasks_once_and_still_shows_open_ones_behind_many_done(
    app, team, customer, monkeypatch
):
    """The card's timeline and Tasks section share one read of the customer's tasks; when
    there are more than the card reads, the open ones are read on their own, so done ones
    due earlier never hide what is still to do."""
    from rapport.core.services.cards import customer_card
    from rapport.plugins.tasks import hooks

    ivan = team["ivan"]
    for n in range(3):
        done = create_task(app, ivan, {"customer_id": customer.id, "due": "завтра в 9",
                                       "title": f"Done {n}"})  # fmt: skip
        complete_task(app, ivan, done.id, result="ok", log=False)
    create_task(app, ivan, {"customer_id": customer.id, "due": "завтра в 18", "title": "Open"})
    for limit in (10, 2):  # all in one read; more than one read holds
        monkeypatch.setattr(hooks, "CARD_TASKS", limit)
        card = customer_card(app, ivan, customer.id)
        (tasks,) = [s for s in card.sections if s.title == "Tasks"]
        assert "Open" in tasks.lines[0]
