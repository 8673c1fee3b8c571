"""Installs the repository's folders as one import package, ``rapport``.

The folders stay where a reader expects them (``core/``, ``plugins/``, ``adapters/``),
and the wheel's only top-level package is ``rapport``: ``core/`` becomes
``rapport.core``, ``plugins/contacts/`` becomes ``rapport.plugins.contacts``, and so
on. Everything else about the distribution is declared in ``pyproject.toml``.
"""

from setuptools import find_namespace_packages, setup

LAYERS = {"rapport.core": "core", "rapport.plugins": "plugins", "rapport.adapters": "adapters"}
"""Import package → the folder that holds it."""

NOT_PACKAGES = ["*__pycache__*", "*.egg-info*", "build*"]


def rapport_packages() -> list[str]:
    """``rapport`` and every folder below the layers, as namespace-aware packages, so
    migrations and catalogues (folders without ``__init__.py``) ship as package data."""
    packages = ["rapport", *(f"rapport.{p}" for p in find_namespace_packages("rapport"))]
    for package, folder in LAYERS.items():
        found = find_namespace_packages(folder, exclude=NOT_PACKAGES)
        packages += [package, *(f"{package}.{sub}" for sub in found)]
    return [p for p in packages if "__pycache__" not in p]


setup(package_dir={"rapport": "rapport", **LAYERS}, packages=rapport_packages())
