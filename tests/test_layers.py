"""The import layers of the ``rapport`` package, read from the source with ``ast``.

Every ``.py`` file under ``core/``, ``plugins/``, ``adapters/`` and ``rapport/`` is mapped
to its module name in the installed package (``core/services/deals.py`` is
``rapport.core.services.deals``) and each of its imports of ``rapport`` is checked:

* Inside the core, a module imports only from its own layer or the layers below it, in
  the order of :data:`CORE_LAYERS` (bottom first). ``rapport.core.domain`` imports
  nothing of Rapport but itself.
* A plugin (``rapport.plugins.<name>``) imports the core, the public API (``rapport``)
  and itself; never an adapter or the test kit, and another built-in plugin only
  through that plugin's public modules (:data:`PUBLIC_PLUGIN_MODULES`) or an import
  recorded in :data:`CROSS_PLUGIN_IMPORTS`.
* An adapter (``rapport.adapters.<name>``) imports the core, the public API, the
  plugins and itself; not another adapter, not the test kit.
* The public API (``rapport``, and any other module of ``rapport/`` but the test kit
  and ``__main__``) imports only the core; the core never imports it (``rapport``
  imports the core's hook marker, so that would be a cycle).
* The test kit ``rapport.testing`` may import anything, and nothing else imports it.

An import inside a function counts like one at the top of the module: it is a
dependency all the same, only a later one.

An import under ``if TYPE_CHECKING:`` is checked by the same rules, with one exception:
any module outside the domain may name ``rapport.core.bootstrap`` there, for the ``App``
annotation. ``App`` is the composition root that every use case, hook and job receives;
naming its type creates no runtime dependency and no import cycle, whereas counting it
as a dependency would put the whole core in one layer (or duplicate ``App`` as a
protocol in the domain). Every other type-only import must still respect the layers,
so an annotation cannot bring in a dependency the code would not be allowed at run time.

Finally, no file anywhere (the package, the tests, the benchmarks, the docs' examples)
imports a top-level ``core``, ``plugins`` or ``adapters``: those are folders in the
repository, and the installed package is ``rapport``.
"""

from __future__ import annotations

import ast
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

PACKAGE_FOLDERS = {
    "core": "rapport.core",
    "plugins": "rapport.plugins",
    "adapters": "rapport.adapters",
}
"""Repository folder → the package it installs as (setup.py's ``package_dir``)."""

CORE_LAYERS: list[tuple[str, frozenset[str]]] = [
    ("domain", frozenset({"rapport.core.domain"})),
    (
        "foundations",
        frozenset(
            {
                "rapport.core.settings",
                "rapport.core.extensions",
                "rapport.core.i18n",
                "rapport.core.words",
                "rapport.core.explain",
                "rapport.core.charts",
                "rapport.core.logs",
                "rapport.core.config_template",
            }
        ),
    ),
    ("db", frozenset({"rapport.core.db"})),
    ("services", frozenset({"rapport.core.services"})),
    (
        "plugin machinery",
        frozenset(
            {
                "rapport.core.hookspecs",
                "rapport.core.markers",
                "rapport.core.hooks",
                "rapport.core.plugins",
                "rapport.core.registry",
                "rapport.core.command_lines",
                "rapport.core.scheduler",
                "rapport.core.runtime",
                "rapport.core.bootstrap",
            }
        ),
    ),
    (
        "entry points",
        frozenset(
            {
                "rapport.core.cli",
                "rapport.core.cli_values",
                "rapport.core.demo",
                "rapport.core.scaffold",
            }
        ),
    ),
]
"""The core's layers, bottom first; a name covers the module and everything below it.

Why this order, from what the modules do:

* **domain**: entities, commands, values and errors in plain Python. (``rapport.core``,
  the package itself, holds only its docstring and counts as this layer too.)
* **foundations**: small modules that know the domain and nothing else, which every
  layer above uses: the settings, the value types plugins register
  (``extensions``: ``MigrationSource``, ``JobSpec``, ``CardSection``, ...), the gettext
  catalogues and translators (``i18n``, and the core's own ``words``), charts, logging
  and the settings-file template.
* **db**: tables, engines and migrations (``db.migrate`` reads the ``MigrationSource``
  values that plugins register, a type from ``extensions`` below it).
* **services**: the use cases, in units of work over the database; they fire hooks
  through ``app.hooks`` and translate card texts with ``words``.
* **plugin machinery**: the hook contract and its typed wrapper, the plugin manager,
  the registry of what plugins registered (which reads the stored custom fields
  through a service), the runner of typed command lines (``command_lines``: every
  channel's ``/name args``, through the registry), the scheduler and runner, and ``bootstrap``, which builds the
  ``App`` from all of them.
* **entry points**: the ``rapport`` command, the values it reads (refused in the reader's
  language) and the demo data it loads.
"""

PUBLIC_PLUGIN_MODULES: frozenset[str] = frozenset(
    {
        "rapport.plugins.contacts.api",
        "rapport.plugins.tasks.api",
        "rapport.plugins.sales.api",
        "rapport.plugins.loyalty.api",
    }
)
"""The modules built-in plugins offer to other plugins: each one's ``api`` (see
``rapport.api``); the rest of a plugin is internal to it."""

CROSS_PLUGIN_IMPORTS: dict[tuple[str, str], str] = {}
"""Tolerated for now: a built-in plugin importing another plugin's private module,
``(importer, imported) → why``. Empty: the one there was (loyalty's actions creating a
follow-up task through ``rapport.plugins.tasks.services``) now goes through
``rapport.plugins.tasks.api``. Each entry is reported on every run, and an entry that no
longer matches an import fails, so the list only shrinks."""

SKIPPED_FOLDERS = {"__pycache__", "build", "node_modules", ".venv"}


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    importer: str
    target: str
    type_only: bool

    def __str__(self) -> str:
        kind = " (under TYPE_CHECKING)" if self.type_only else ""
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{where}:{self.line}: {self.importer} imports {self.target}{kind}"


def python_files(*folders: str) -> list[Path]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if not any(p in SKIPPED_FOLDERS or p.endswith(".egg-info") for p in parts):
                found.append(path)
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] in PACKAGE_FOLDERS:
        parts = [*PACKAGE_FOLDERS[parts[0]].split("."), *parts[1:]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in python_files("rapport", *PACKAGE_FOLDERS)}


MODULES = package_modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """Every import in a module, ``(line, module written, names, level, type only)``."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str, list[str], int, bool]] = []
        self._type_only = 0

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            self._type_only += 1
            for child in node.body:
                self.visit(child)
            self._type_only -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((node.lineno, alias.name, [], 0, self._type_only > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        names = [alias.name for alias in node.names]
        self.found.append((node.lineno, node.module or "", names, node.level, self._type_only > 0))

    def visit_Call(self, node: ast.Call) -> None:
        """``importlib.import_module("a.b")`` with a literal name is an import too."""
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        first = node.args[0] if node.args else None
        if (
            name == "import_module"
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            self.found.append((node.lineno, first.value, [], 0, self._type_only > 0))
        self.generic_visit(node)


def raw_imports(path: Path) -> list[tuple[int, str, list[str], int, bool]]:
    visitor = _Imports()
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return visitor.found


def rapport_imports(path: Path, importer: str | None = None) -> list[Import]:
    """The modules of ``rapport`` that ``path`` (module ``importer``) imports: ``from a
    import b`` is ``a.b`` when that is a module, else ``a``."""
    importer = importer or module_name(path)
    is_package = path.name == "__init__.py"
    found = []
    for line, written, names, level, type_only in raw_imports(path):
        if level:
            base = importer.split(".") if is_package else importer.split(".")[:-1]
            base = base[: len(base) - (level - 1)]
            written = ".".join([*base, written] if written else base)
        if written != "rapport" and not written.startswith("rapport."):
            continue
        targets = [f"{written}.{n}" for n in names if f"{written}.{n}" in MODULES]
        if len(targets) < len(names) or not names:
            targets.append(written)
        found += [Import(path, line, importer, target, type_only) for target in targets]
    return found


def all_imports() -> list[Import]:
    return [i for path in MODULES.values() for i in rapport_imports(path)]


IMPORTS = all_imports()


# --- where a module belongs ------------------------------------------------------------


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def core_layer(module: str) -> int | None:
    """The index in CORE_LAYERS of a ``rapport.core`` module, by its longest listed name."""
    if module == "rapport.core":
        return 0
    best: tuple[int, int] | None = None
    for index, (_, names) in enumerate(CORE_LAYERS):
        for name in names:
            if _within(module, name) and (best is None or len(name) > best[1]):
                best = (index, len(name))
    return None if best is None else best[0]


def area(module: str) -> tuple[str, str]:
    """``("core" | "plugin" | "adapter" | "testing" | "main" | "api", name)``."""
    parts = module.split(".")
    if _within(module, "rapport.core"):
        return "core", module
    for kind, package in (("plugin", "rapport.plugins"), ("adapter", "rapport.adapters")):
        if _within(module, package):
            return kind, parts[2] if len(parts) > 2 else ""
    if _within(module, "rapport.testing"):
        return "testing", ""
    if module == "rapport.__main__":
        return "main", ""
    return "api", ""


def refusal(found: Import) -> str | None:
    """Why ``found`` breaks the layers, or None when it is allowed."""
    kind, name = area(found.importer)
    target_kind, target_name = area(found.target)
    if found.type_only and _within(found.target, "rapport.core.bootstrap"):
        return None  # the App annotation, see the module's docstring
    if target_kind == "testing" and kind != "testing":
        return "only the test kit itself imports rapport.testing"
    if kind == "core":
        if target_kind != "core":
            return "the core imports nothing of Rapport outside rapport.core"
        mine, theirs = core_layer(found.importer), core_layer(found.target)
        if mine is None or theirs is None:
            return None  # reported by test_every_core_module_has_a_layer
        if theirs > mine:
            return (
                f"{CORE_LAYERS[mine][0]!r} may not import {CORE_LAYERS[theirs][0]!r}, "
                "a layer above it"
            )
        return None
    if kind == "plugin":
        if target_kind == "adapter":
            return "a plugin never imports an adapter"
        if target_kind == "plugin" and target_name not in (name, ""):
            if found.target in PUBLIC_PLUGIN_MODULES:
                return None
            if (found.importer, found.target) in CROSS_PLUGIN_IMPORTS:
                return None
            return (
                "a plugin imports another plugin only through its public modules "
                "(PUBLIC_PLUGIN_MODULES in tests/test_layers.py)"
            )
        if target_kind == "main":
            return "rapport.__main__ is the command line, not a library"
        return None
    if kind == "adapter":
        if target_kind == "adapter" and target_name not in (name, ""):
            return "an adapter does not import another adapter"
        if target_kind == "main":
            return "rapport.__main__ is the command line, not a library"
        return None
    if kind in ("api", "main"):
        if target_kind not in ("core", "api"):
            return f"rapport's {kind} module imports only the core and the public API"
        return None
    return None  # the test kit may import anything


# --- the checks ------------------------------------------------------------------------


def test_the_files_map_to_the_package_modules():
    assert MODULES["rapport.core.services.deals"] == ROOT / "core" / "services" / "deals.py"
    assert MODULES["rapport.plugins.tasks"] == ROOT / "plugins" / "tasks" / "__init__.py"
    assert MODULES["rapport"] == ROOT / "rapport" / "__init__.py"
    assert any(
        i.target == "rapport.core.hookspecs"
        for i in IMPORTS
        if i.importer == "rapport.core.plugins"
    )


def test_every_core_module_has_a_layer():
    unplaced = sorted(m for m in MODULES if _within(m, "rapport.core") and core_layer(m) is None)
    assert unplaced == [], "add these core modules to CORE_LAYERS in tests/test_layers.py"


def test_the_domain_imports_nothing_of_rapport_but_itself():
    outside = [
        str(i)
        for i in IMPORTS
        if _within(i.importer, "rapport.core.domain")
        and not _within(i.target, "rapport.core.domain")
    ]
    assert outside == []


def test_every_import_respects_the_layers():
    broken = [f"{i}: {reason}" for i in IMPORTS if (reason := refusal(i)) is not None]
    assert broken == [], "imports across the layers:\n" + "\n".join(broken)


def cross_plugin_imports() -> dict[tuple[str, str], list[Import]]:
    found: dict[tuple[str, str], list[Import]] = {}
    for i in IMPORTS:
        (kind, name), (target_kind, target_name) = area(i.importer), area(i.target)
        crosses = kind == target_kind == "plugin" and target_name not in (name, "")
        if crosses and i.target not in PUBLIC_PLUGIN_MODULES:
            found.setdefault((i.importer, i.target), []).append(i)
    return found


def test_the_public_plugin_modules_exist():
    assert sorted(PUBLIC_PLUGIN_MODULES - set(MODULES)) == []


def test_cross_plugin_imports_are_exactly_the_recorded_ones():
    found = cross_plugin_imports()
    stale = sorted(set(CROSS_PLUGIN_IMPORTS) - set(found))
    assert stale == [], "no longer imported: remove from CROSS_PLUGIN_IMPORTS"
    public = [i for i in IMPORTS if i.target in PUBLIC_PLUGIN_MODULES]
    print("built-in plugins' imports of each other's public api modules:")
    print("\n".join(f"  {i}" for i in public) or "  none")
    tolerated = "\n".join(
        f"  {i}  [{CROSS_PLUGIN_IMPORTS[key]}]"
        for key, imports in sorted(found.items())
        if key in CROSS_PLUGIN_IMPORTS
        for i in imports
    )
    print("... of another plugin's private module, tolerated by CROSS_PLUGIN_IMPORTS:")
    print(tolerated or "  none")
    if tolerated:
        message = "built-in plugins importing another plugin's private module:\n" + tolerated
        warnings.warn(message, stacklevel=1)


def test_nothing_imports_the_repository_folders_as_top_level_packages():
    wrong = []
    for path in python_files(
        "core", "plugins", "adapters", "rapport", "tests", "benchmarks", "docs"
    ):
        for line, written, _names, level, _ in raw_imports(path):
            if level == 0 and written.split(".")[0] in PACKAGE_FOLDERS:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {written}")
    assert wrong == [], "import rapport.core / rapport.plugins / rapport.adapters instead"


# --- the checks can fail ---------------------------------------------------------------


def fake(importer: str, target: str, *, type_only: bool = False) -> Import:
    return Import(ROOT / "core" / "x.py", 1, importer, target, type_only)


@pytest.mark.parametrize(
    ("importer", "target", "type_only"),
    [
        ("rapport.core.domain.models", "rapport.core.settings", False),
        ("rapport.core.db.tables", "rapport.core.services.uow", False),
        ("rapport.core.services.deals", "rapport.core.hooks", False),
        ("rapport.core.services.cards", "rapport.core.cli", True),
        ("rapport.core.i18n", "rapport", False),
        ("rapport.core.hooks", "rapport.plugins.tasks.services", False),
        ("rapport.plugins.sales.hooks", "rapport.adapters.telegram.bot", False),
        ("rapport.plugins.sales.hooks", "rapport.plugins.tasks.services", False),
        ("rapport.plugins.sales.hooks", "rapport.testing.chat", False),
        ("rapport.adapters.sheets.engine", "rapport.adapters.telegram.bot", False),
        ("rapport", "rapport.plugins.tasks", False),
    ],
)
def test_a_wrong_import_is_refused(importer, target, type_only):
    assert refusal(fake(importer, target, type_only=type_only)) is not None


@pytest.mark.parametrize(
    ("importer", "target", "type_only"),
    [
        ("rapport.core.services.deals", "rapport.core.db.tables", False),
        ("rapport.core.services.cards", "rapport.core.words", False),
        ("rapport.core.extensions", "rapport.core.bootstrap", True),
        ("rapport.core.registry", "rapport.core.services.fields", False),
        ("rapport.plugins.sales.hooks", "rapport", False),
        ("rapport.plugins.sales.hooks", "rapport.core.cli", False),
        ("rapport.plugins.sales.hooks", "rapport.api", False),
        ("rapport.plugins.loyalty.actions", "rapport.plugins.tasks.api", False),
        ("rapport.adapters.sheets.engine", "rapport.plugins.tasks.services", False),
        ("rapport.testing.chat", "rapport.adapters.telegram.bot", False),
    ],
)
def test_a_layered_import_is_allowed(importer, target, type_only):
    assert refusal(fake(importer, target, type_only=type_only)) is None


def test_a_public_or_recorded_cross_plugin_import_is_tolerated(monkeypatch):
    crossing = fake("rapport.plugins.sales.hooks", "rapport.plugins.tasks.reminders")
    assert refusal(crossing) is not None
    monkeypatch.setattr(sys.modules[__name__], "PUBLIC_PLUGIN_MODULES", {crossing.target})
    assert refusal(crossing) is None
    monkeypatch.undo()
    monkeypatch.setitem(CROSS_PLUGIN_IMPORTS, (crossing.importer, crossing.target), "a test")
    assert refusal(crossing) is None


def test_a_lazy_and_a_relative_import_are_seen(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def later():\n    from rapport.core.services import uow\n\n\nfrom ..db import tables\n",
        encoding="utf-8",
    )
    found = rapport_imports(probe, importer="rapport.core.domain.probe")
    assert {i.target for i in found} == {"rapport.core.services.uow", "rapport.core.db.tables"}
    assert all(refusal(i) is not None for i in found)
