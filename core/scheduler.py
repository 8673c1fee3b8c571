"""APScheduler 3 as a ticker in each process, with jobs collected from ``register_jobs``.

Job stores of APScheduler 3 cannot be shared between processes, so every instance runs
the same jobs from memory; a job claims its due work in the database (see LIMITS.md),
which is what makes two instances safe.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from rapport.core.extensions import JobSpec

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)


def build_scheduler(app: App) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=app.settings.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in app.registry.jobs.values():
        scheduler.add_job(
            run_job, job.trigger, args=(app, job), id=job.id, name=job.id, **job.trigger_args
        )
    return scheduler


async def run_job(app: App, job: JobSpec) -> None:
    """Run one job; a failure is logged and reported against its plugin, never fatal."""
    try:
        if inspect.iscoroutinefunction(job.func):
            await job.func(app)
        else:
            # Jobs use the database synchronously: keep them off the event loop.
            await asyncio.to_thread(job.func, app)
    except Exception as exc:
        app.hooks.report_failure(job.owner, f"job {job.id}", exc)
