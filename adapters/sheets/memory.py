"""What one process remembers of the sheets between its cycles.

``rapport run`` syncs every few seconds, and between two cycles a manager edits a few
rows and reps change a few records. Working everything out again from the whole sheet
and the whole database each cycle costs more than the cycle's real work, so the parts
that are the same are kept here, each with a signature of what it was worked out from:
a part is only reused under the same signature, and a new process (``rapport sync``)
starts with nothing, which only costs time.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

Signature = tuple[Any, ...]

_KEPT: weakref.WeakKeyDictionary[App, dict[tuple[str, str], tuple[Signature, Any]]] = (
    weakref.WeakKeyDictionary()
)


def remembered(app: App, sheet: str, part: str, signature: Signature) -> Any:
    """What this process kept of ``sheet``'s ``part``, if it was worked out under the same
    ``signature`` (else None)."""
    kept_signature, kept = _KEPT.setdefault(app, {}).get((sheet, part), ((), None))
    return kept if kept_signature == signature else None


def remember(app: App, sheet: str, part: str, signature: Signature, kept: Any) -> None:
    _KEPT.setdefault(app, {})[(sheet, part)] = (signature, kept)
