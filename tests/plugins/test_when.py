"""Due dates as reps say them, in Russian, Ukrainian and English, on any day of the year:
the next occurrence of what was said, and a clear refusal for a time no clock shows."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.core.domain.errors import InvalidInput
from rapport.plugins.tasks.when import EXAMPLES, parse_when

MOSCOW = ZoneInfo("Europe/Moscow")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=MOSCOW)  # 09:00, a Monday
DECEMBER = datetime(2026, 12, 3, 9, 0, tzinfo=MOSCOW)  # a Thursday


def when(said, now=MONDAY, hour=9):
    return parse_when(said, "Europe/Moscow", now.astimezone(UTC), hour).astimezone(MOSCOW)


def local(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("tomorrow at 10", local(2026, 3, 3, 10)),
        ("Tomorrow 10:30", local(2026, 3, 3, 10, 30)),
        ("next Monday at 9", local(2026, 3, 9, 9)),
        ("friday at 3pm", local(2026, 3, 6, 15)),
        ("on Friday at 10", local(2026, 3, 6, 10)),
        ("Friday 3 pm", local(2026, 3, 6, 15)),
        ("at 12am", local(2026, 3, 3, 0)),
        ("in 2 days", local(2026, 3, 4, 9)),
        ("in a week", local(2026, 3, 9, 9)),
        ("in 3 hours", local(2026, 3, 2, 12)),
        ("in an hour", local(2026, 3, 2, 10)),
        ("today at 18", local(2026, 3, 2, 18)),
        ("у п'ятницю", local(2026, 3, 6, 9)),
        ("у п’ятницю о 14:30", local(2026, 3, 6, 14, 30)),
        ("у понеділок о 10", local(2026, 3, 9, 10)),
        ("через тиждень", local(2026, 3, 9, 9)),
        ("через 2 тижні", local(2026, 3, 16, 9)),
        ("завтра о 10", local(2026, 3, 3, 10)),
        ("післязавтра", local(2026, 3, 4, 9)),
        ("через неделю", local(2026, 3, 9, 9)),
        ("через 3 дня в 11", local(2026, 3, 5, 11)),
        ("через 30 минут", local(2026, 3, 2, 9, 30)),
        ("в следующий вторник в 9:15", local(2026, 3, 3, 9, 15)),
        ("в след. вторник в 9:15", local(2026, 3, 3, 9, 15)),
        ("в наст. вівторок о 9:15", local(2026, 3, 3, 9, 15)),
        ("в воскресенье", local(2026, 3, 8, 9)),
        ("в 7 вечера", local(2026, 3, 2, 19)),
        ("в 8", local(2026, 3, 3, 8)),  # 08:00 has passed today: tomorrow's
        ("15.03 в 11", local(2026, 3, 15, 11)),
        ("01.03", local(2027, 3, 1, 9)),  # yesterday's date: next year's
        ("15.03.2027 10:00", local(2027, 3, 15, 10)),
        ("15 марта в 11", local(2026, 3, 15, 11)),
    ],
)
def test_what_the_rep_says_is_the_moment_meant(said, meant):
    assert when(said) == meant


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("15.03 в 11", local(2027, 3, 15, 11)),  # the help's own example, said in December
        ("tomorrow at 10", local(2026, 12, 4, 10)),
        ("в понедельник", local(2026, 12, 7, 9)),
        ("через неделю", local(2026, 12, 10, 9)),
        ("31.12 в 23:59", local(2026, 12, 31, 23, 59)),
        ("02.01", local(2027, 1, 2, 9)),
    ],
)
def test_in_december_a_date_without_a_year_rolls_into_the_next(said, meant):
    assert when(said, DECEMBER) == meant


@pytest.mark.parametrize(
    ("said", "why"),
    [
        ("завтра в 25:00", "25:00 is not a time of day"),
        ("10:99", "10:99 is not a time of day"),
        ("завтра 10:99", "10:99 is not a time of day"),
        ("at 13pm", "13pm is not a time of day"),
        ("31.02 в 10", "31.02 is not a date"),
        ("когда-нибудь", "is not a date I understand"),
        ("завтра в 10 и в 12", "one time, please"),
    ],
)
def test_an_impossible_moment_is_refused_not_replaced_by_now(said, why):
    with pytest.raises(InvalidInput, match=why):
        when(said)


def test_the_refusal_reads_in_the_readers_language():
    with pytest.raises(InvalidInput) as refused:
        when("завтра в 25:00")
    from rapport.core.i18n import translate

    assert translate(refused.value.problems[0].reason, "ru") == "25:00 — такого времени нет"


MONTH_STARTS = st.builds(
    lambda month, day, hour, minute: datetime(2026, month, 1, hour, minute, tzinfo=MOSCOW)
    + timedelta(days=day),
    st.integers(1, 12), st.integers(0, 30), st.integers(0, 23), st.integers(0, 59),
)  # fmt: skip
WEEKDAYS = {
    "ru": ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу",
           "в воскресенье"],
    "uk": ["у понеділок", "у вівторок", "у середу", "у четвер", "у п'ятницю", "у суботу",
           "у неділю"],
    "en": ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
           "on Saturday", "on Sunday"],
}  # fmt: skip
AT = {"ru": "в", "uk": "о", "en": "at"}
TOMORROW = {"ru": "завтра", "uk": "завтра", "en": "tomorrow"}


@settings(deadline=None)  # dateparser's first import is slow
@given(now=MONTH_STARTS, language=st.sampled_from(["ru", "uk", "en"]), weekday=st.integers(0, 6),
       hour=st.integers(0, 23), minute=st.integers(0, 59))  # fmt: skip
def test_a_weekday_at_a_time_is_the_next_such_day_at_that_time_all_year(
    now, language, weekday, hour, minute
):
    said = f"{WEEKDAYS[language][weekday]} {AT[language]} {hour}:{minute:02d}"
    got = when(said, now)
    assert got.weekday() == weekday and (got.hour, got.minute) == (hour, minute)
    assert 1 <= (got.date() - now.date()).days <= 7


@settings(deadline=None)  # dateparser's first import is slow
@given(now=MONTH_STARTS, day=st.integers(1, 28), month=st.integers(1, 12),
       hour=st.integers(0, 23))  # fmt: skip
def test_a_day_and_month_is_their_next_occurrence_all_year(now, day, month, hour):
    got = when(f"{day:02d}.{month:02d} в {hour}", now)
    assert (got.day, got.month, got.hour) == (day, month, hour)
    assert now < got <= now.replace(year=now.year + 1) + timedelta(days=1)


@settings(deadline=None)  # dateparser's first import is slow
@given(now=MONTH_STARTS, language=st.sampled_from(["ru", "uk", "en"]),
       hour=st.integers(0, 23), minute=st.integers(0, 59))  # fmt: skip
def test_tomorrow_at_a_time_is_tomorrow_at_that_time(now, language, hour, minute):
    got = when(f"{TOMORROW[language]} {AT[language]} {hour}:{minute:02d}", now)
    assert got.date() == now.date() + timedelta(days=1) and (got.hour, got.minute) == (hour, minute)


@settings(deadline=None)  # dateparser's first import is slow
@given(hour=st.integers(24, 99), minute=st.integers(0, 99))
def test_no_impossible_time_is_accepted(hour, minute):
    with pytest.raises(InvalidInput, match="is not a time of day"):
        when(f"завтра в {hour}:{minute:02d}")


@settings(deadline=None)  # dateparser's first import is slow
@given(text=st.text(max_size=40), now=MONTH_STARTS)
def test_any_text_is_a_moment_or_a_domain_refusal(text, now):
    try:
        got = when(text, now)
    except InvalidInput:
        return
    assert isinstance(got, datetime) and got.tzinfo is not None
    assert got.date() >= date(2000, 1, 1)


SHORT_WEEKDAYS = {
    "ru": ["пн", "вт", "ср", "чт", "пт", "сб", "вс"],
    "uk": ["пн", "вт", "ср", "чт", "пт", "сб", "нд"],
    "en": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
}


@settings(deadline=None)  # dateparser's first import is slow
@given(now=MONTH_STARTS, language=st.sampled_from(["ru", "uk", "en"]), weekday=st.integers(0, 6),
       hour=st.integers(0, 23))  # fmt: skip
def test_a_weekday_written_short_is_the_same_day_as_written_out(now, language, weekday, hour):
    """Reps type "пт 10:00" as often as "friday 10:00": every language has its short forms."""
    short = when(f"{SHORT_WEEKDAYS[language][weekday]} {hour}:00", now)
    full = when(f"{WEEKDAYS[language][weekday]} {AT[language]} {hour}:00", now)
    assert short == full


@pytest.mark.parametrize(
    "same",
    [
        ("tomorrow morning", "завтра утром", "завтра вранці"),
        ("tomorrow evening", "завтра вечером", "завтра ввечері"),
        ("in a month", "через месяц", "через місяць"),
        ("friday at 3pm", "в пятницу в 3 часа дня", "у п'ятницю о 15:00"),
    ],
)
def test_what_is_said_in_any_of_the_three_languages_is_the_same_moment(same):
    assert len({when(said) for said in same}) == 1, [when(said) for said in same]


@settings(deadline=None)  # dateparser's first import is slow
@given(now=MONTH_STARTS)
def test_every_example_the_refusal_suggests_is_understood_all_year(now):
    """A rep who copies the example the bot offers is never refused for it."""
    for example in EXAMPLES.split(", "):
        assert when(example.strip("«»"), now) > now
