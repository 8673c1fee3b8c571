"""Rapport, a plugin-based CRM: the public API plugins build on.

``from rapport import hookimpl`` marks a plugin's hook implementations.
"""

from rapport.core.markers import hookimpl

__all__ = ["hookimpl"]
