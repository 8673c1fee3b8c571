"""A tab's rows read as the canonical text the merge compares, remembered between cycles.

Reading a row means one :func:`canonical` per cell: a number parsed in the sheet's
locale, a choice looked up by name, a date parsed. A tab of ten thousand rows costs that
much every cycle, though between two cycles of ``rapport run`` a manager changes a few
rows. Each reading is kept, keyed by the row's cells with their types (``1`` and ``True``,
or a formula and its text, are equal in Python but read differently), and reused while
the tab's columns, their choices and the sheet's locale are what they were.

Rows holding a formula are read afresh every time: the merge rewrites their values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapport.adapters.sheets.layout import STATUS, Column, Formula, canonical, signature
from rapport.adapters.sheets.memory import Signature, remember, remembered

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

RowKey = tuple[tuple[Any, ...], tuple[type, ...]]


@dataclass(frozen=True)
class Read:
    """One row as read: its cells by column key, its ID and its compared columns as
    canonical text, and what its «Rapport says» cell shows."""

    cells: Mapping[str, Any]
    raw_id: str
    values: dict[str, str]
    """Never changed once read, but in a row holding a formula (which is not kept)."""
    status: str
    formula: bool


class Reader:
    """Reads one tab's rows this cycle, reusing the last cycle's readings of rows that
    are cell for cell the same."""

    def __init__(self, app: App, sheet: str, positions: Mapping[str, int],
                 columns: Mapping[str, Column], compared: Sequence[Column],
                 numbers: str) -> None:  # fmt: skip
        self.positions = dict(positions)
        self.id_column, self.status_column = columns["id"], columns[STATUS]
        self.compared = tuple(compared)
        self.numbers = numbers
        self.signature: Signature = (
            tuple(self.positions.items()),
            signature(self.compared),
            numbers,
        )
        self._earlier: dict[RowKey, Read] = remembered(app, sheet, "rows", self.signature) or {}
        self._now: dict[RowKey, Read] = {}
        self._app, self._sheet = app, sheet

    def read(self, row: Sequence[Any]) -> Read:
        key = (tuple(row), tuple(map(type, row)))
        found = self._now.get(key) or self._earlier.get(key)
        if found is None:
            found = self._read(row)
        if not found.formula:
            self._now[key] = found
        return found

    def keep(self) -> None:
        """Remember this cycle's readings for the next (only this cycle's rows: what is no
        longer in the sheet is forgotten)."""
        remember(self._app, self._sheet, "rows", self.signature, self._now)

    def _read(self, row: Sequence[Any]) -> Read:
        width = len(row)
        cells = {key: (row[at] if at < width else None) for key, at in self.positions.items()}
        values = {c.key: canonical(c, cells.get(c.key), self.numbers) for c in self.compared}
        return Read(
            cells,
            canonical(self.id_column, cells.get("id")),
            values,
            canonical(self.status_column, cells.get(STATUS)),
            any(isinstance(cell, Formula) for cell in row),
        )
