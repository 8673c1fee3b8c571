"""Rapport, a plugin-based CRM: the public API plugins build on.

``from rapport import hookimpl`` marks a plugin's hook implementations;
:func:`fail_closed` makes a ``validate_change`` rule refuse a change when it fails.
Everything else a plugin may use is in :mod:`rapport.api`; the rest is internal.
"""

from rapport.core.markers import fail_closed, hookimpl

__all__ = ["fail_closed", "hookimpl"]
