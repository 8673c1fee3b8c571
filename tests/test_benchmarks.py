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
