"""A clock the test moves by hand, so reminders, digests and SLAs fire when the story says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Starts on a fixed Monday morning, UTC; ``clock.advance(days=1)`` moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
