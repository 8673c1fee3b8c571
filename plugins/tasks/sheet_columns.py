"""The next open task of each customer and deal, as a column of the managers' sheets.

A manager scanning the pipeline asks "what happens next with this one?"; a row with no
next step is a deal nobody is working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from rapport.core.services.uow import UnitOfWork
from rapport.plugins.tasks.model import TaskStatus
from rapport.plugins.tasks.tables import TaskRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

CHUNK = 5000


def next_task_by_customer(app: App, ids: Sequence[int]) -> dict[int, str]:
    return _next_tasks(app, ids, TaskRow.customer_id)


def next_task_by_deal(app: App, ids: Sequence[int]) -> dict[int, str]:
    return _next_tasks(app, ids, TaskRow.deal_id)


def _next_tasks(
    app: App, ids: Sequence[int], owner: InstrumentedAttribute[int | None]
) -> dict[int, str]:
    """ "2026-11-25 10:00 Call back" for the earliest open task of each record, in one query
    per few thousand records."""
    zone = ZoneInfo(app.settings.timezone)
    wanted = list(ids)
    found: dict[int, str] = {}
    with UnitOfWork(app, read_only=True) as uow:
        for start in range(0, len(wanted), CHUNK):
            rows = uow.session.execute(
                select(owner, TaskRow.due_at, TaskRow.title)
                .where(TaskRow.status == TaskStatus.OPEN.value,
                       owner.in_(wanted[start : start + CHUNK]))
                .order_by(TaskRow.due_at.desc())
            )  # fmt: skip
            for record_id, due_at, title in rows:  # the earliest comes last and stays
                assert record_id is not None  # it is one of the wanted ids
                found[record_id] = f"{due_at.astimezone(zone):%Y-%m-%d %H:%M} {title}"
    return found
