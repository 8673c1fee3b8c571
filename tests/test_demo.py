"""`rapport demo` tells the whole story at once, and sixty days of the scheduler over it
leave every rep a bounded, duplicate-free task list."""

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest

from rapport.core.demo import load_demo
from rapport.core.domain.enums import Role, StageOutcome
from rapport.core.scheduler import run_job
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import list_customers
from rapport.core.services.deals import list_deals
from rapport.core.services.users import list_users
from rapport.plugins.loyalty.classify import SEGMENTS, STRATEGIES
from rapport.plugins.sales.approvals import pending_requests
from rapport.plugins.tasks.model import TaskStatus
from rapport.plugins.tasks.services import list_tasks

EVERYTHING = 100_000


@pytest.fixture
def demo(app, admin):
    started = time.perf_counter()
    summary = load_demo(app, admin)
    return app, admin, summary, time.perf_counter() - started


def report(app, admin, report_id, **params):
    return app.registry.reports[report_id].build(app, admin, params)


def test_the_demo_shows_every_segment_strategy_and_the_work_of_a_real_team(
    demo, workbook, database_url
):
    app, admin, summary, seconds = demo
    if database_url.startswith("sqlite"):  # the embedded default `rapport demo` runs on
        assert seconds < 30
    assert summary.customers >= 150 and summary.deals >= 250
    people = list_users(app)
    south = [u for u in people if u.team == "south"]
    assert south and not any(u.role is Role.MANAGER for u in south)  # escalates to admins
    assert sum(u.role is Role.REP for u in people) == 4
    shown = repr(report(app, admin, "loyalty.segments").rows)
    motivation = app.registry.classifiers["motivation"]
    for value in (*SEGMENTS, *STRATEGIES):
        assert motivation.value_for(value, "en") in shown, value
    assert report(app, admin, "loyalty.at_risk").rows
    assert report(app, admin, "sales.products").rows
    assert pending_requests(app, admin)
    tasks = list_tasks(app, admin, limit=EVERYTHING)
    now = app.clock()
    assert any(t.due_at < now for t in tasks)  # overdue work
    assert any(t.source == "sla" for t in tasks)  # stalled deals nudged
    deals = list_deals(app, admin, limit=EVERYTHING)
    closed = [d.closed_at for d in deals if d.status is not StageOutcome.OPEN and d.closed_at]
    assert max(closed) - min(closed) > timedelta(days=300)  # a year, not one second
    customers = list_customers(app, admin, limit=EVERYTHING)
    consents = {tuple(c.fields.get("consent") or ()) for c in customers}
    assert len(consents) >= 4
    overdue = next(t for t in tasks if t.due_at < now)
    titles = {s.title for s in customer_card(app, admin, overdue.customer_id).sections}
    tagged = [c for c in customers if c.kind.value == "organisation"][:7]
    titles |= {s.title for c in tagged for s in customer_card(app, admin, c.id).sections}
    assert {"Loyalty", "Contact", "Tasks"} <= titles
    _in_the_workbook(workbook, summary)


def test_sixty_days_of_scheduled_jobs_keep_every_reps_tasks_bounded(request, clock, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("sixty simulated days once is the point; PostgreSQL's scheduling races "
                    "are proven by tests/test_sent_once.py")  # fmt: skip
    app, admin, _summary, _seconds = request.getfixturevalue("demo")
    reps = [u for u in list_users(app) if u.role is Role.REP]
    first = _open_per_rep(app, admin)
    for _day in range(60):
        clock.advance(days=1)
        for job in app.registry.jobs.values():
            asyncio.run(run_job(app, job))
    last = _open_per_rep(app, admin)
    assert not app.hooks.failures
    for rep in reps:
        assert last[rep.id] <= max(40, 2 * first[rep.id]), (rep.display_name, first, last)
    open_tasks = list_tasks(app, admin, status=TaskStatus.OPEN, limit=EVERYTHING)
    same = Counter((t.source, t.customer_id, t.deal_id, t.title) for t in open_tasks)
    assert [key for key, count in same.items() if count > 1] == []


def _open_per_rep(app, admin):
    tasks = list_tasks(app, admin, status=TaskStatus.OPEN, limit=EVERYTHING)
    return Counter(t.assignee_id for t in tasks)


def _in_the_workbook(workbook, summary) -> None:
    """One sync puts the demo where managers work, segments included, and reads back
    unchanged."""
    report = workbook.sync()
    assert not report.failed and not report.refused
    deals = workbook.rows("Deals")
    customers = workbook.rows("Customers")
    assert len(customers) == summary.customers and len(deals) >= 250
    segments = {row.get("Segment") for row in customers}
    assert len(segments - {None, ""}) >= 4  # the loyalty segments, shown where managers work
    assert workbook.sync().updated == 0  # read back, nothing looks changed
