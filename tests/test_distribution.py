"""Rapport as a distribution: one import package, any plugin can be turned off."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from rapport.core.plugins import BUILTIN_PLUGINS, plugin_name

ROOT = Path(__file__).parents[1]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "build", "__pycache__", "*.egg-info", ".ruff_cache"
)


def pip(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--quiet", *args], check=True, cwd=cwd, capture_output=True
    )


def build_wheel(source: Path, into: Path) -> Path:
    pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(into), str(source))
    [wheel] = into.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def rapport_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a clean copy of this checkout, as a release would be."""
    source = tmp_path_factory.mktemp("src") / "rapport"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    return build_wheel(source, tmp_path_factory.mktemp("dist"))


@pytest.mark.slow
def test_the_wheel_installs_one_package_named_rapport_with_every_module(rapport_wheel):
    names = zipfile.ZipFile(rapport_wheel).namelist()
    top_level = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert top_level == {"rapport"}
    for folder, package in (("core", "core"), ("plugins", "plugins"), ("adapters", "adapters")):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".po", ".mako"} and "__pycache__" not in path.parts:
                inside = f"rapport/{package}/{path.relative_to(ROOT / folder).as_posix()}"
                assert inside in names, f"{inside} is missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(rapport_wheel).read(entry_points).decode()
    assert "rapport = rapport.core.cli:main" in text
    assert "contacts = rapport.plugins.contacts" in text
    assert "rapport = rapport.testing.plugin" in text  # the test kit, for pytest


@pytest.mark.slow
def test_rapport_works_next_to_a_package_that_ships_core_and_adapters(rapport_wheel, tmp_path):
    collider = tmp_path / "collider"
    for package in ("core", "adapters"):
        (collider / package).mkdir(parents=True)
        (collider / package / "__init__.py").write_text(f"OWNER = 'collider {package}'\n")
    (collider / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools>=68"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "collider"
            version = "1.0"
            [tool.setuptools]
            packages = ["core", "adapters"]
            """
        )
    )
    collider_wheel = build_wheel(collider, tmp_path / "dist")
    site = tmp_path / "site"
    pip("install", "--no-deps", "--no-index", "--target", str(site), str(rapport_wheel))
    pip("install", "--no-deps", "--no-index", "--target", str(site), str(collider_wheel))
    program = textwrap.dedent(
        f"""
        import core, adapters
        assert core.OWNER == "collider core" and adapters.OWNER == "collider adapters"
        import rapport
        from rapport import hookimpl
        import rapport.adapters.telegram, rapport.plugins.contacts
        from rapport.core.plugins import make_plugin_manager
        assert rapport.__file__.startswith({str(site)!r}), rapport.__file__
        plugins = make_plugin_manager()
        print(sorted(i.name for i in plugins.infos if i.status == "loaded"))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "'contacts', 'loyalty', 'sales', 'sheets', 'tasks', 'telegram'" in done.stdout
    help_text = subprocess.run(
        [sys.executable, "-m", "rapport", "--help"], cwd=tmp_path, env=env, capture_output=True
    )
    assert b"Rapport: a CRM that lives in Telegram and a spreadsheet." in help_text.stdout


@pytest.mark.parametrize("plugin", [plugin_name(module) for module in BUILTIN_PLUGINS])
def test_any_builtin_plugin_can_be_disabled(plugin, cli, tmp_path):
    (tmp_path / "rapport.toml").write_text(f'[plugins]\ndisabled = ["{plugin}"]\n')
    assert "Admin user #1 'Anna' created." in cli("init", "--admin", "Anna")
    listing = cli("plugins")
    assert f"{plugin}" in listing and "disabled" in listing
    assert "Current (" in cli("db", "status")
    assert "Anna" in cli("users", "list")
    cli("report")
    # The plugin's migrations stay known, so turning it back on needs no upgrade.
    (tmp_path / "rapport.toml").write_text("")
    assert "Current (" in cli("db", "status")


@pytest.mark.parametrize("command", [["--help"], ["search", "ромашка"], ["report"]])
def test_commands_that_draw_nothing_and_run_no_bot_import_neither_library(command, cli, tmp_path):
    cli("init")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rapport", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert not imported & {"aiogram", "matplotlib", "matplotlib.pyplot"}
