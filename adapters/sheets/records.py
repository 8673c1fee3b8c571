"""A tab's records as the cells the merge compares, remembered between cycles.

Making a record's cells means one :func:`canonical` per column, and for a deal reading
every column of its row. Between two cycles of ``rapport run`` few records change, so a
record's cells are kept with its stamp: its version (every change of the record bumps
it), the names shown beside it (its stage's, its customer's, its owner's) and its
plugins' values, read afresh every cycle. A record whose stamp is what it was keeps its
cells; only the others are read whole and made again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rapport.adapters.sheets.memory import Signature, remember, remembered

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

Stamp = tuple[Any, ...]
Cells = dict[str, str]


class KeptCells:
    """One cycle's cells of a tab's records, reusing the last full cycle's where a
    record's stamp is the same."""

    def __init__(self, app: App, sheet: str, signature: Signature) -> None:
        self._app, self._sheet, self._signature = app, sheet, signature
        self._earlier: dict[int, tuple[Stamp, Cells]] = (
            remembered(app, sheet, "records", signature) or {}
        )
        self._now: dict[int, tuple[Stamp, Cells]] = {}

    def find(self, record_id: int, stamp: Stamp) -> Cells | None:
        """The record's cells as kept, if its stamp is the same (a copy: the cycle may
        change what it is given)."""
        kept = self._earlier.get(record_id)
        if kept is None or kept[0] != stamp:
            return None
        self._now[record_id] = kept
        return dict(kept[1])

    def add(self, record_id: int, stamp: Stamp, cells: Mapping[str, str]) -> None:
        self._now[record_id] = (stamp, dict(cells))

    def keep(self) -> None:
        """Remember this cycle's records for the next (only those listed now)."""
        remember(self._app, self._sheet, "records", self._signature, self._now)
