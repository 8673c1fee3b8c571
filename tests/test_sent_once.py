"""Sent once, for real: three processes share 5,000 due reminders, one is killed with
SIGKILL mid-batch, and every reminder arrives, at most one twice, none a minute late.
(The test suite runs a worker per core beside it; ``benchmarks/bench_tasks.py`` claims
10,000 with three instances on a machine to themselves.)"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from rapport.core.services.uow import UnitOfWork
from rapport.plugins.tasks.tables import TaskRow

REMINDERS = 5_000
ROOT = Path(__file__).resolve().parents[1]


def due_now(app, assignee_id: int) -> float:
    """Queue ``REMINDERS`` tasks due this very moment; the moment, as a unix time."""
    now = datetime.now(UTC)
    rows = [
        {"title": f"T{n}", "kind": "call", "assignee_id": assignee_id, "priority": "normal",
         "status": "open", "source": "manual", "due_at": now, "remind_at": now,
         "created_at": now, "updated_at": now}
        for n in range(REMINDERS)
    ]  # fmt: skip
    with UnitOfWork(app) as uow:
        uow.session.execute(insert(TaskRow), rows)
        uow.commit()
    return now.timestamp()


def sent(path: Path) -> list[tuple[str, float]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    deliveries = (line.split("\t") for line in lines)
    # Reminders only: the morning digest goes out too when the test runs after 8:00.
    return [(text.rsplit(": ", 1)[1], float(at)) for text, at in deliveries if "⏰" in text]


@pytest.mark.slow
def test_a_process_killed_mid_batch_resends_at_most_the_message_in_flight(
    app, team, database_url, tmp_path
):
    due = due_now(app, team["ivan"].user_id)
    files = [tmp_path / f"sent-{n}.txt" for n in range(3)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.plugin_modules.outbox_worker", database_url, str(f)],
            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for f in files
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while len(sent(files[0])) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers[0].send_signal(signal.SIGKILL)  # mid-batch: it holds up to 20 more
        while time.monotonic() < deadline:
            if len({title for f in files for title, _ in sent(f)}) >= REMINDERS:
                break
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    deliveries = [delivery for f in files for delivery in sent(f)]
    counts = Counter(title for title, _ in deliveries)
    assert len(sent(files[0])) >= 300, "the killed process was not mid-way"
    assert set(counts) == {f"T{n}" for n in range(REMINDERS)}, "reminders were missed"
    assert sum(counts.values()) - len(counts) <= 1, counts.most_common(3)
    assert max(at for _, at in deliveries) - due < 60, "a reminder arrived a minute late"
