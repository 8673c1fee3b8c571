"""``rapport run``: runners and scheduled jobs from plugins, kept alive until stopped."""

import asyncio

from rapport import hookimpl
from rapport.core.extensions import JobSpec, RunnerSpec
from rapport.core.runtime import serve


def test_runners_and_jobs_run_until_stopped_and_a_crash_is_restarted(make_app):
    events: list[str] = []

    class Bot:
        attempts = 0

        @hookimpl
        def register_runners(self, register):
            register(RunnerSpec(name="bot", run=self.poll))

        async def poll(self, app):
            Bot.attempts += 1
            events.append(f"bot start {Bot.attempts}")
            if Bot.attempts == 1:
                raise ConnectionError("network down")
            await asyncio.Event().wait()

    class Reminders:
        @hookimpl
        def register_jobs(self, register):
            register(
                JobSpec(
                    id="reminders.tick",
                    func=self.tick,
                    trigger="interval",
                    trigger_args={"seconds": 0.05},
                )
            )

        def tick(self, app):
            events.append("tick")

    class Lifecycle:
        @hookimpl
        def shutdown(self, app):
            events.append("shutdown")

    app = make_app(plugins=[("bot", Bot()), ("reminders", Reminders()), ("lifecycle", Lifecycle())])

    async def scenario():
        stop = asyncio.Event()

        async def stop_when_done():
            while not ("bot start 2" in events and "tick" in events):
                await asyncio.sleep(0.05)
            stop.set()

        await asyncio.wait_for(asyncio.gather(serve(app, stop), stop_when_done()), timeout=10)

    asyncio.run(scenario())
    assert events[-1] == "shutdown"
    assert "bot start 2" in events and "tick" in events
    assert [(f.plugin, f.hook) for f in app.hooks.failures] == [("bot", "runner bot")]


def test_a_failing_job_is_reported_and_the_scheduler_goes_on(make_app):
    ticks: list[int] = []

    class Flaky:
        @hookimpl
        def register_jobs(self, register):
            register(
                JobSpec(
                    id="flaky", func=self.tick, trigger="interval", trigger_args={"seconds": 0.05}
                )
            )

        async def tick(self, app):
            ticks.append(len(ticks))
            if len(ticks) == 1:
                raise ValueError("bad data")

    app = make_app(plugins=[("flaky", Flaky())])

    async def scenario():
        stop = asyncio.Event()

        async def stop_after_three():
            while len(ticks) < 3:
                await asyncio.sleep(0.02)
            stop.set()

        await asyncio.wait_for(asyncio.gather(serve(app, stop), stop_after_three()), timeout=10)

    asyncio.run(scenario())
    assert len(ticks) >= 3
    assert [(f.plugin, f.hook) for f in app.hooks.failures] == [("flaky", "job flaky")]
