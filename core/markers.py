"""The markers plugins use: ``from rapport import hookimpl`` (and :func:`fail_closed`)."""

from collections.abc import Callable
from typing import TypeVar

import pluggy

from rapport.core.hookspecs import PROJECT

hookimpl = pluggy.HookimplMarker(PROJECT)

FAIL_CLOSED = "rapport_fail_closed"
F = TypeVar("F", bound=Callable[..., object])


def fail_closed(function: F) -> F:
    """Mark a ``validate_change`` implementation as a rule that must not be skipped.

    By default a rule that raises is reported and the change goes ahead (a plugin's bug
    must not stop the team's work). A compliance rule says the opposite: if it cannot
    decide, the change is refused. Put it under ``@hookimpl``::

        @hookimpl
        @fail_closed
        def validate_change(change): ...
    """
    setattr(function, FAIL_CLOSED, True)
    return function
