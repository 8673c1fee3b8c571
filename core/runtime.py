"""``rapport run``: the scheduler and every registered runner, until asked to stop.

A runner that crashes (a bot losing its network, say) is reported and restarted after
a growing pause; the others keep serving meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

from rapport.core.extensions import RunnerSpec
from rapport.core.scheduler import build_scheduler

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)
MAX_RESTART_PAUSE = 60.0


async def serve(app: App, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set, or SIGINT/SIGTERM arrives when none is given."""
    stop = stop or _stop_on_signals()
    await app.start()
    scheduler = build_scheduler(app)
    scheduler.start()
    tasks = [
        asyncio.create_task(_keep_running(app, runner), name=runner.name)
        for runner in app.registry.runners.values()
    ]
    log.info(
        "Rapport is running: %d runner(s) [%s], %d scheduled job(s). Press Ctrl+C to stop.",
        len(tasks),
        ", ".join(app.registry.runners) or "none installed",
        len(app.registry.jobs),
    )
    try:
        await stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        scheduler.shutdown(wait=False)
        await app.stop()
        log.info("Rapport stopped.")


async def _keep_running(app: App, runner: RunnerSpec) -> None:
    pause = 1.0
    while True:
        try:
            await runner.run(app)
            log.info("runner %s finished", runner.name)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            app.hooks.report_failure(runner.owner, f"runner {runner.name}", exc)
            log.warning("runner %s restarts in %.0f s", runner.name, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_RESTART_PAUSE)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
