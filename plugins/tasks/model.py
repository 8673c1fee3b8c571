"""Tasks as the plugin hands them out, and what callers send to create one."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from rapport.core.domain.commands import Command, Id, Title
from rapport.core.domain.errors import InvalidInput
from rapport.core.i18n import texts_for

_l = texts_for(__file__).lazy


class TaskKind(StrEnum):
    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"
    EMAIL = "email"
    DOCUMENT = "document"
    PRESENTATION = "presentation"
    SERVICE_REQUEST = "service_request"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Task(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    title: str
    kind: TaskKind
    customer_id: int | None
    deal_id: int | None
    assignee_id: int
    priority: Priority
    status: TaskStatus
    source: str
    due_at: datetime
    repeat_every: int | None
    repeat_unit: str | None
    result: str | None
    spent_minutes: int | None
    done_at: datetime | None
    created_at: datetime
    interaction_id: int | None = None
    """The call or visit logged when it was done: the history shows that instead."""


class NewTask(Command):
    title: Title
    due: str | datetime | None = None
    kind: TaskKind = TaskKind.CALL
    customer_id: Id | None = None
    deal_id: Id | None = None
    assignee_id: Id | None = None
    priority: Priority = Priority.NORMAL
    repeat: str | None = None


_REPEAT = re.compile(
    r"(?:every|кажды[йе]|каждую|кожн[іиу]|кожен|раз в)\s*(\d+)?\s*"
    r"(day|days|week|weeks|month|months|дн\w*|день|недел\w*|тижн\w*|тиждень|месяц\w*|місяц\w*)",
    re.IGNORECASE,
)
_SHORT = {"daily": (1, "day"), "weekly": (1, "week"), "monthly": (1, "month"),
          "ежедневно": (1, "day"), "еженедельно": (1, "week"), "ежемесячно": (1, "month"),
          "щодня": (1, "day"), "щотижня": (1, "week"), "щомісяця": (1, "month")}  # fmt: skip


def parse_repeat(text: str | None) -> tuple[int, str] | None:
    """ "every 2 weeks", "каждые 2 недели", "раз в месяц", "weekly" -> (2, "week")."""
    if not text or not text.strip():
        return None
    cleaned = text.strip().casefold()
    if cleaned in _SHORT:
        return _SHORT[cleaned]
    match = _REPEAT.search(cleaned)
    if match is None:
        raise InvalidInput.one(
            "repeat",
            _l(
                "{text}: say e.g. «every 2 weeks», «каждые 2 недели», «раз в месяц»",
                text=repr(text),
            ),
        )
    count = int(match[1] or 1)
    unit = match[2]
    if count < 1 or count > 365:
        raise InvalidInput.one("repeat", _l("repeat every 1 to 365 units"))
    for prefix, canonical in (("d", "day"), ("дн", "day"), ("ден", "day"), ("w", "week"),
                              ("нед", "week"), ("тиж", "week"), ("m", "month"), ("мес", "month"),
                              ("міс", "month")):  # fmt: skip
        if unit.startswith(prefix):
            return count, canonical
    raise InvalidInput.one("repeat", _l("{text}: repeat by days, weeks or months", text=repr(text)))
