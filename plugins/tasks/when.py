"""Due dates as people say them, in Russian, Ukrainian and English.

"завтра в 10", "в пятницу", "через 2 дня", "next Monday 9:00", "післязавтра о 15:00",
"15.03 в 11" are read in the user's time zone, relative to now; a day without a time
gets the team's working hour. The parsed moment is echoed back for confirmation.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rapport.core.domain.errors import InvalidInput

EXAMPLES = "«завтра в 10», «в пятницу», «через 2 дня», «next Monday 9:00», «15.03 в 11»"
# dateparser misses a bare hour after a preposition ("в 10") and reads "15.03" as a time.
_HOUR = re.compile(r"\b(в|во|о|об|к|at|by)\s+(\d{1,2})(?:\s*(?:час(?:а|ов)?|h))?(?![\d:.])", re.I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?![./]?\d)")
_HAS_TIME = re.compile(
    r"\d{1,2}:\d{2}|\b\d{1,2}\s*(am|pm)\b|через\s+\d*\s*(час|мин)|in\s+\d*\s*(hour|min)", re.I
)


def parse_when(text: str, zone: str, now: datetime, default_hour: int) -> datetime:
    """The moment ``text`` means, in UTC; InvalidInput with examples when it means none."""
    if not text.strip():
        raise InvalidInput.one("when", f"say when, for example {EXAMPLES}")
    local_now = now.astimezone(ZoneInfo(zone))
    prepared = _HOUR.sub(lambda m: f"в {m[2]}:00", text.strip())
    prepared = _DAY_MONTH.sub(lambda m: f"{m[1]}.{m[2]}.{local_now.year}", prepared)
    import dateparser  # 0.1 s to import: paid by the first due date, not by every command

    parsed = dateparser.parse(
        prepared,
        languages=["ru", "uk", "en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "TIMEZONE": zone,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        raise InvalidInput.one("when", f"{text!r} is not a date I understand; try {EXAMPLES}")
    if not _HAS_TIME.search(prepared) and parsed.date() != local_now.date():
        parsed = parsed.replace(hour=default_hour, minute=0, second=0, microsecond=0)
    return parsed.astimezone(UTC)
