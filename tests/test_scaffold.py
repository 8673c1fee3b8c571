"""`rapport plugin new` writes a plugin an author can install and test at once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_a_new_plugin_installs_and_passes_its_own_tests(cli, tmp_path):
    output = cli("plugin", "new", "pins")
    assert "Created rapport-pins: a plugin named 'pins' with its tests." in output
    package = tmp_path / "rapport-pins"
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(site), str(package)],
        check=True, capture_output=True,
    )  # fmt: skip
    installed = {p.name for p in (site / "rapport_pins").rglob("*") if p.is_file()}
    assert {"pins_0001_pins.py", "messages.po", "hooks.py"} <= installed  # data in the wheel
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout and "failed" not in run.stdout
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "rapport_pins", "tests"],
        cwd=package, capture_output=True, text=True,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout


def test_a_bad_name_or_a_taken_folder_is_refused_with_the_reason(cli):
    assert "use up to 20 lower-case letters" in cli("plugin", "new", "Bad-Name", code=1)
    cli("plugin", "new", "pins")
    assert "rapport-pins already exists" in cli("plugin", "new", "pins", code=1)
