"""What Rapport's own suite adds to the test kit (``rapport.testing``, loaded as a pytest
plugin): the README's example plugin, installed by pip into a folder of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE_PLUGIN = Path(__file__).parents[1] / "docs" / "example-plugin"


@pytest.fixture(scope="session")
def installed_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's example plugin, installed by pip (with its entry point) into its own folder,
    built from a copy so the checkout gets no build folder."""
    source = tmp_path_factory.mktemp("example") / "example-plugin"
    shutil.copytree(EXAMPLE_PLUGIN, source)
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return target
