"""The benchmarks stay runnable: a tiny run prints every figure and its baseline."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_core_benchmark_prints_figures_and_same_run_baselines():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_core.py"), "--customers", "30"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    out = result.stdout
    assert "SQLite: 30 customers + 30 interactions" in out
    for label in ("service layer", "bare ORM", "bare pluggy", "Rapport hooks"):
        assert label in out
    assert out.count("x baseline") == 1 and "x bare pluggy" in out


def run(script, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout


def test_contacts_benchmark_prints_import_and_search_figures():
    out = run("bench_contacts.py", "--rows", "300", "--searches", "5")
    assert "Import of 300 contacts" in out and "duplicates found" in out and "x baseline" in out
    for label in ("fuzzy name (typo)", "phone fragment", "e-mail fragment", "baseline SQL LIKE"):
        assert label in out


def test_sales_benchmark_prints_seconds_per_report():
    out = run("bench_sales.py", "--deals", "200")
    assert "SQLite: 200 deals, 2000 stage changes" in out
    for report in ("sales.funnel", "sales.durations", "sales.forecast", "baseline"):
        assert report in out


def test_tasks_benchmark_shows_each_reminder_sent_once():
    out = run("bench_tasks.py", "--tasks", "500", "--due", "100")
    assert "claiming 100 due reminders" in out and "baseline, row by row" in out
    assert "sent once each              : yes (100 distinct, 0 repeated)" in out


def test_loyalty_benchmark_prints_nightly_and_incremental_times():
    out = run("bench_loyalty.py", "--customers", "300")
    assert "SQLite: 300 customers, 3000 interactions, 600 deals" in out
    for label in ("nightly recalculation", "incremental, one customer", "baseline"):
        assert label in out


def test_sheets_benchmark_prints_requests_per_cycle_and_the_naive_baseline():
    out = run("bench_sheets.py", "--deals", "200", "--edits", "5")
    assert "first full sync" in out and "5 edits on each side" in out
    assert "baseline, row by row" in out and "200 writes" in out
    assert "no-change poll           :" in out and "1 reads + 0 writes" in out
    assert out.count("verdict") == 3


def test_telegram_benchmark_prints_each_goal_against_its_baseline():
    out = run("bench_telegram.py", "--reps", "4", "--updates", "40", "--sizes", "100,200",
              "--seconds", "0.4", "--reminders", "6")  # fmt: skip
    assert "The bot, 40 updates from 4 reps" in out
    for name in ("first search after start", "CPU per CRM update", "p99 at 50 updates/s",
                 "most sends in any second", "shortest gap in one chat"):  # fmt: skip
        assert f"goal {name}:" in out
    assert out.count("x baseline;") == 2 * 3 + 2 and "echo" in out
    assert "p50" in out and "p99" in out and "Scaling, CPU per update: 100 customers" in out


def test_startup_benchmark_prints_each_command_against_the_import_baseline():
    out = run("bench_startup.py", "--runs", "1")
    assert "baseline: import sqlalchemy, pydantic" in out
    assert "rapport --help" in out and "rapport search X" in out
    assert out.count("x baseline") == 2 and out.count("(heavy imports: none)") == 2


def test_scoring_benchmark_prints_the_full_run_a_single_deal_and_the_baseline():
    out = run("bench_scoring.py", "--deals", "300")
    assert "SQLite:" in out and "closed deals" in out
    for label in ("full run (learn + score + write)", "one deal against the model", "baseline"):
        assert label in out
    assert "x baseline" in out
