"""Start-up cost of the ``rapport`` command, against importing its two base libraries.

Each command runs as a whole new process, several times, in a folder holding an
initialised installation (SQLite, the embedded defaults). Prints the median and minimum
wall time of each, and its ratio to the baseline measured in the same run:
``python -c "import sqlalchemy, pydantic"``, the least any Rapport command must load.
It also names the heavy libraries each command imported (aiogram and matplotlib must
appear only where a bot runs or a chart is drawn).

Usage: python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("aiogram", "matplotlib", "openpyxl", "gspread", "dateparser")
BASELINE = ("baseline: import sqlalchemy, pydantic", ["-c", "import sqlalchemy, pydantic"])
COMMANDS = (
    ("rapport --help", ["-m", "rapport", "--help"]),
    ("rapport search X", ["-m", "rapport", "search", "ромашка"]),
)


def timed(arguments: list[str], folder: Path, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, *arguments], cwd=folder, check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def heavy_imports(arguments: list[str], folder: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return [name for name in HEAVY if name in modules]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        subprocess.run(
            [sys.executable, "-m", "rapport", "init", "--admin", "Bench"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        baseline = statistics.median(timed(BASELINE[1], folder, runs))
        print(f"{BASELINE[0]:<40} median {baseline * 1000:7.0f} ms")
        for label, arguments in COMMANDS:
            seconds = timed(arguments, folder, runs)
            median = statistics.median(seconds)
            heavy = ", ".join(heavy_imports(arguments, folder)) or "none"
            print(
                f"{label:<40} median {median * 1000:7.0f} ms, min {min(seconds) * 1000:5.0f} ms"
                f"  {median / baseline:5.1f}x baseline  (heavy imports: {heavy})"
            )


if __name__ == "__main__":
    main()
