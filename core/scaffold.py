"""``rapport plugin new NAME``: a complete, installable plugin package to start from.

The package it writes is a working plugin (a table of its own with its migration, two
chat commands in three languages, tests on Rapport's test kit) whose tests pass as
generated, so an author changes a running example instead of assembling one from the
guide. The templates live in ``plugin_template/`` next to this module.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from string import Template

from rapport.core.db.migrate import MIGRATIONS
from rapport.core.domain.errors import InvalidInput, _l

TEMPLATES = Path(__file__).parent / "plugin_template"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,19}$")

FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "rapport_{name}/__init__.py",
    "hooks.py.tmpl": "rapport_{name}/hooks.py",
    "pins.py.tmpl": "rapport_{name}/pins.py",
    "tables.py.tmpl": "rapport_{name}/tables.py",
    "migration.py.tmpl": "rapport_{name}/migrations/{name}_0001_pins.py",
    "messages.ru.po.tmpl": "rapport_{name}/locales/ru/LC_MESSAGES/messages.po",
    "messages.uk.po.tmpl": "rapport_{name}/locales/uk/LC_MESSAGES/messages.po",
    "test_plugin.py.tmpl": "tests/test_{name}.py",
}
"""Template file → where it goes in the new package."""


def new_plugin(name: str, parent: Path) -> Path:
    """Write the package ``rapport-NAME`` into ``parent``; refuse a bad name or a used folder."""
    if not _NAME.match(name):
        raise InvalidInput.one(
            "name",
            _l(
                "{name}: use up to 20 lower-case letters, digits or underscores, "
                "starting with a letter (it names the plugin, its tables and its commands)",
                name=repr(name),
            ),
        )
    target = parent / f"rapport-{name.replace('_', '-')}"
    if target.exists():
        raise InvalidInput.one(
            "name", _l("{target} already exists; pick another name or folder", target=str(target))
        )
    values = {
        "name": name,
        "dist": name.replace("_", "-"),
        "title": name.replace("_", " ").capitalize(),
        "rapport_version": _rapport_version(),
        "core_revision": _core_head(),
    }
    for template, destination in FILES.items():
        path = target / destination.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
        path.write_text(text, encoding="utf-8")
    return target


def _rapport_version() -> str:
    try:
        return version("rapport-crm")
    except PackageNotFoundError:
        return "0.1"


def _core_head() -> str:
    """The newest core revision: the plugin's first migration runs after it."""
    revisions = sorted(p.stem.split("_")[1] for p in (MIGRATIONS / "versions").glob("core_*.py"))
    return f"core_{revisions[-1]}"
