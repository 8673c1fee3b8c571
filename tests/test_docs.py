"""Documentation that cannot drift: every hook documented, the README's plugin is the tested one."""

import re
from pathlib import Path

from rapport.core import hookspecs

ROOT = Path(__file__).parents[1]


def hookspec_names() -> set[str]:
    return {n for n in dir(hookspecs) if getattr(getattr(hookspecs, n), "rapport_spec", None)}


def test_every_hook_has_a_section_in_the_plugin_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(\w+)`$", guide, flags=re.MULTILINE))
    assert hookspec_names() - documented == set(), "undocumented hooks"
    assert documented - hookspec_names() == set(), "documented hooks that do not exist"


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
