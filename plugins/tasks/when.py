"""Due dates as people say them, in Russian, Ukrainian and English.

"завтра в 10", "у п'ятницю о 14:30", "через тиждень", "next Monday at 9", "friday at
3pm", "15.03 в 11" are read in the user's time zone, relative to now; a day without a
time gets the team's working hour. What was said is taken as its next occurrence: a
weekday is the coming one, a date without a year this year's or, once past, next year's,
a time alone today's or, once past, tomorrow's.

The time of day is always read here and checked (no "25:00", no "10:99"), never left to
a library that would quietly put the current time instead; the day is read here too,
and only other phrasings ("15 марта", "March 15") go to dateparser, for the day alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rapport.core.domain.errors import InvalidInput
from rapport.plugins.tasks.words import texts

_l = texts.lazy

EXAMPLES = "«завтра в 10», «в пятницу», «через 2 дня», «next Monday at 9», «15.03 в 11»"

_AT = r"(?:(?<!\w)(?:в|во|о|об|к|до|на|at|by)\s+)"
_TIME = re.compile(
    rf"{_AT}?(?<![\d.:/])(\d{{1,2}}):(\d{{2}})(?:\s*([ap]\.?m\.?)(?!\w))?(?![\d.:/])"
    rf"|{_AT}?(?<![\d.:/])(\d{{1,2}})\s*([ap]\.?m\.?)(?!\w)"
    rf"|{_AT}(?<![\d.:/])(\d{{1,2}})(?:\s*(?:час(?:а|ов)?|годин[иу]?|h)(?!\w))?(?![\d.:/])",
    re.IGNORECASE,
)
_DAYTIME = re.compile(r"^\s*(утра|ранку|morning|дня|вечера|вечора|evening|night|ночи|ночі)\b")
_PM = ("дня", "вечера", "вечора", "evening", "night")
_PART_OF_DAY = {  # said without a clock: the working hour, or the evening's usual six
    r"утром|с утра|вранці|зранку|уранці|morning|in the morning": None,
    r"вечером|ввечері|увечері|evening|in the evening|tonight": time(18),
}

_WEEKDAYS = [  # Russian and Ukrainian stems (any case), then whole words in any language
    (("понедельник", "понеділ"), ("monday", "mon", "пн")),
    (("вторник", "вівтор"), ("tuesday", "tue", "вт")),
    (("сред", "серед"), ("wednesday", "wed", "ср")),
    (("четверг", "четвер"), ("thursday", "thu", "чт")),
    (("пятниц", "п'ятниц"), ("friday", "fri", "пт")),
    (("суббот", "субот"), ("saturday", "sat", "сб")),
    (("воскресень", "неділ"), ("sunday", "sun", "вс", "нд")),
]
_WEEKDAY_PREFIX = (
    r"(?:(?:в|во|у|уві|on|this|next|coming)\s+)?"
    r"(?:(?:след|ближайш|эт|наст|найближч|ц)\w*\.?\s+)?"  # "след.", "наст.": short too
)
_WEEKDAY = re.compile(_WEEKDAY_PREFIX + r"([\w']+)")
_DAY_WORDS = {
    0: ("сегодня", "сьогодні", "today", "tonight"),
    1: ("завтра", "tomorrow"),
    2: ("послезавтра", "післязавтра", "day after tomorrow", "the day after tomorrow"),
}
_IN = re.compile(r"(?:через|in)\s+(\d+|an?|one|одн\w*|пол)?\s*([a-zа-яіїєґ']+)")
_UNITS = {
    "minutes": ("мин", "хвилин", "minute", "min"),
    "hours": ("час", "годин", "hour"),
    "days": ("дн", "ден", "day"),
    "weeks": ("недел", "неделю", "тижд", "тижн", "week"),
    "months": ("месяц", "місяц", "month"),
}
_DAY_MONTH = re.compile(r"(?<![\d.:/])(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?(?![\d.:/])")


@dataclass(frozen=True)
class _Said:
    """What the text says, before it is put on the calendar."""

    day: date | None = None
    at: time | None = None
    exact: datetime | None = None  # "in 3 hours": a moment, not a day and a time


def parse_when(text: str, zone: str, now: datetime, default_hour: int) -> datetime:
    """The moment ``text`` means, in UTC; InvalidInput with examples when it means none."""
    words = " ".join(text.replace("’", "'").replace("ʼ", "'").split()).casefold()
    if not words:
        raise InvalidInput.one("when", _l("say when, for example {examples}", examples=EXAMPLES))
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    at, rest = _time_of_day(words)
    said = _day(rest, local_now, at, text)
    if said.exact is not None:
        return said.exact.astimezone(UTC)
    if said.day is None:  # a time alone: today's, or tomorrow's once it has passed
        moment = datetime.combine(local_now.date(), at or time(default_hour), tz)
        return (moment if moment > local_now else moment + timedelta(days=1)).astimezone(UTC)
    if at is None and said.day == local_now.date():
        return now.astimezone(UTC)  # "today": due now, never already in the past
    return datetime.combine(said.day, at or time(default_hour), tz).astimezone(UTC)


def _time_of_day(words: str) -> tuple[time | None, str]:
    """The one time of day in ``words`` (checked), and the words left for the day."""
    found = list(_TIME.finditer(words))
    if len(found) > 1:
        raise InvalidInput.one("when", _l("one time, please: {text}", text=words))
    if not found:
        return _part_of_day(words)
    match = found[0]
    hour_text, minute_text = match[1] or match[4] or match[6], match[2]
    half = (match[3] or match[5] or "").replace(".", "")
    end = match.end()
    if not half and (daytime := _DAYTIME.match(words[end:])):
        half, end = ("pm" if daytime[1] in _PM else "am"), end + daytime.end()
    shown = hour_text + (f":{minute_text}" if minute_text else "") + half
    hour, minute = int(hour_text), int(minute_text or 0)
    if half:
        if not 1 <= hour <= 12:
            raise _no_time(shown)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _no_time(shown)
    return time(hour, minute), " ".join((words[: match.start()] + " " + words[end:]).split())


def _part_of_day(words: str) -> tuple[time | None, str]:
    """ "завтра утром", "tomorrow evening": a part of the day said instead of a clock."""
    for said, at in _PART_OF_DAY.items():
        rest, found = re.subn(rf"(?<!\w)(?:{said})(?!\w)", " ", words)
        if found:
            return at, " ".join(rest.split())
    return None, words


def _no_time(shown: str) -> InvalidInput:
    return InvalidInput.one("when", _l("{time} is not a time of day", time=shown))


def _day(rest: str, now: datetime, at: time | None, text: str) -> _Said:
    """The day (or, for "in 3 hours", the moment) the words left after the time say."""
    rest = re.sub(r"^(?:в|во|у|on|at)\s+|\s+(?:в|во|у|о|on|at)$", "", rest).strip()
    if not rest:
        return _Said()
    for offset, names in _DAY_WORDS.items():
        if rest in names:
            return _Said(day=now.date() + timedelta(days=offset))
    if (named := _WEEKDAY.fullmatch(rest)) and (wanted := _weekday(named[1])) is not None:
        ahead = (wanted - now.weekday() - 1) % 7 + 1  # the coming one, never today
        return _Said(day=now.date() + timedelta(days=ahead))
    if (span := _IN.fullmatch(rest)) and (after := _after(span[1], span[2], now, at, text)):
        return after
    if numbers := _DAY_MONTH.fullmatch(rest):
        return _Said(day=_calendar_day(numbers, now, at))
    return _Said(day=_words_day(rest, now, text))


def _weekday(word: str) -> int | None:
    """Monday is 0; Russian and Ukrainian names in any case ("пятницу", "п'ятниці")."""
    for number, (stems, names) in enumerate(_WEEKDAYS):
        if word.startswith(stems) or word in names or word == names[0] + "s":
            return number
    return None


def _after(count_text: str | None, unit_text: str, now: datetime, at: time | None,
           text: str) -> _Said | None:  # fmt: skip
    """ "через 2 дня", "in an hour": None for a unit this does not count (months...)."""
    unit = next((u for u, stems in _UNITS.items() if unit_text.startswith(stems)), None)
    if unit is None:
        return None
    if count_text is None or not count_text.isdigit():
        count = 0.5 if count_text == "пол" else 1.0
    else:
        count = float(count_text)
    if count > 3660 * (24 * 60 if unit == "minutes" else 24 if unit == "hours" else 1):
        raise _not_understood(text)
    if unit == "months":
        return _Said(day=_months_later(now.date(), int(count) or 1))
    delta = timedelta(**{unit: count})
    if unit in ("minutes", "hours"):
        if at is not None:
            raise _not_understood(text)
        return _Said(exact=now + delta)
    return _Said(day=(now + delta).date())


def _months_later(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 January + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def _calendar_day(numbers: re.Match[str], now: datetime, at: time | None) -> date:
    """``15.03`` is the next 15 March (this year's, or next year's once it has passed)."""
    day, month, year_text = int(numbers[1]), int(numbers[2]), numbers[3]
    year = (2000 + int(year_text) if len(year_text) == 2 else int(year_text)) if year_text else None
    try:
        found = date(year or now.year, month, day)
        if year is None and datetime.combine(found, at or time(23, 59), now.tzinfo) <= now:
            found = date(now.year + 1, month, day)
    except ValueError:
        raise InvalidInput.one(
            "when", _l("{day} is not a date", day=f"{day:02d}.{month:02d}")
        ) from None
    return found


def _words_day(rest: str, now: datetime, text: str) -> date:
    """Other ways of naming a day ("15 марта", "March 15"): dateparser, for the day only."""
    import dateparser  # 0.1 s to import: paid by the first such date, not by every command

    try:
        parsed = dateparser.parse(
            rest,
            languages=["ru", "uk", "en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": now.replace(tzinfo=None),
                "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day"],
            },
        )
    except (ValueError, OverflowError):  # dateparser's own limits on odd input
        parsed = None
    if parsed is None or parsed.year < 2000:
        raise _not_understood(text)
    return parsed.date()


def _not_understood(text: str) -> InvalidInput:
    reason = _l("{text} is not a date I understand; try {examples}", text=repr(text),
                examples=EXAMPLES)  # fmt: skip
    return InvalidInput.one("when", reason)
