"""Documentation that cannot drift: every hook documented with its signature, the typed
wrapper passing each hook exactly its parameters, the README's plugin the tested one."""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from rapport.core import hookspecs
from rapport.core.hooks import Hooks

ROOT = Path(__file__).parents[1]


def hookspec_names() -> set[str]:
    return {n for n in dir(hookspecs) if getattr(getattr(hookspecs, n), "rapport_spec", None)}


def spec_parameters(name: str) -> list[str]:
    """The hook's arguments, in the order core/hookspecs.py declares them."""
    return list(inspect.signature(getattr(hookspecs, name)).parameters)


def guide_section(name: str) -> str:
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    found = re.search(rf"^### `{name}`\n\n(.*?)(?=^##)", guide, flags=re.MULTILINE | re.DOTALL)
    assert found, f"docs/plugins.md has no section ### `{name}`"
    return found.group(1)


def parameters(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


HELPERS = {"_results", "_sync_results", "_collect", "_notify", "_await_all"}
"""The methods of Hooks that call a hook's implementations, the hook's name first."""


def wrapper_calls() -> dict[str, list[tuple[str, ast.Call]]]:
    """Each method of Hooks → the ``self._helper("hook", ...)`` calls it makes."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(Hooks)))
    (cls,) = tree.body
    assert isinstance(cls, ast.ClassDef)
    calls: dict[str, list[tuple[str, ast.Call]]] = {}
    for method in cls.body:
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(method):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in HELPERS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "self"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                calls.setdefault(method.name, []).append((node.args[0].value, node))
    return calls


def forwarded(call: ast.Call) -> list[str]:
    """The keyword arguments a helper call hands on to the hook's implementations.

    Keywords the helper names itself (``_collect``'s ``stamp``) are the helper's own;
    the rest land in its ``**kwargs`` and reach the hook. ``_collect`` also hands every
    ``register_*`` hook the ``register`` callback it builds.
    """
    assert isinstance(call.func, ast.Attribute)
    helper = call.func.attr
    own = {
        p.name
        for p in inspect.signature(getattr(Hooks, helper)).parameters.values()
        if p.kind is not p.VAR_KEYWORD
    }
    names = []
    for keyword in call.keywords:
        assert keyword.arg is not None, f"{helper}(**...) cannot be checked; name each argument"
        if keyword.arg in own:
            continue
        assert isinstance(keyword.value, ast.Name) and keyword.value.id == keyword.arg, (
            f"{helper}({keyword.arg}=...) must pass the wrapper's own {keyword.arg!r}"
        )
        names.append(keyword.arg)
    if helper == "_collect":
        assert '"register": register' in inspect.getsource(Hooks._collect)
        names.insert(0, "register")
    return names


def test_every_hook_has_a_section_in_the_plugin_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(\w+)`$", guide, flags=re.MULTILINE))
    assert hookspec_names() - documented == set(), "undocumented hooks"
    assert documented - hookspec_names() == set(), "documented hooks that do not exist"


@pytest.mark.parametrize("name", sorted(hookspec_names()))
def test_the_guide_opens_each_hook_with_its_signature(name):
    section = guide_section(name)
    signature = re.match(rf"`{name}\(([^)]*)\)`", section)
    assert signature, f"the section on {name} should open with `{name}(...)`"
    assert parameters(signature.group(1)) == spec_parameters(name)


@pytest.mark.parametrize("name", sorted(hookspec_names()))
def test_the_guide_examples_take_only_the_hooks_arguments(name):
    """An implementation declares the arguments it needs: a subset, under their names."""
    for example in re.findall(rf"def {name}\(([^)]*)\)", guide_section(name)):
        assert set(parameters(example)) <= set(spec_parameters(name)), example


@pytest.mark.parametrize("name", sorted(hookspec_names()))
def test_the_typed_wrapper_passes_each_hook_its_arguments(name):
    calls = wrapper_calls().get(name, [])
    assert [hook for hook, _ in calls] == [name], f"Hooks.{name} should call the hook {name} once"
    (_, call), wanted = calls[0], spec_parameters(name)
    assert sorted(forwarded(call)) == sorted(wanted), f"Hooks.{name} forwards other arguments"
    method = inspect.signature(getattr(Hooks, name))
    assert [p for p in method.parameters if p != "self"] == [p for p in wanted if p != "register"]


def test_the_typed_wrapper_calls_only_hooks_that_exist():
    called = {hook for calls in wrapper_calls().values() for hook, _ in calls}
    assert called - hookspec_names() == set()


def test_every_hookspec_says_when_it_fires():
    for name in hookspec_names():
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"


def test_the_readme_shows_the_example_plugin_that_the_tests_install():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    plugin = (ROOT / "docs" / "example-plugin" / "rapport_zones.py").read_text(encoding="utf-8")
    assert f"```python\n{plugin}```" in readme
    assert '[project.entry-points."rapport.plugins"]\nzones = "rapport_zones"' in readme


def test_the_readme_test_command_is_the_one_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.findall(r"```bash\n(.*pytest.*)\n```", readme)[0]
    assert command in ci
