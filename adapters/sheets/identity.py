"""Whether a row still belongs to the record its ID names.

Rows are matched to records by the ID column, which a manager does not see (it is
hidden): sorting the visible columns, or typing over an ID, leaves IDs beside other
records' values. Taking those values as edits would rewrite many records at once, so a
row is checked against what the sheet held for its ID after the last sync (the base) and
what the database holds now; a row that fits neither is refused, nothing applied from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

Values = Mapping[str, str]
MOST_CHANGED = 0.5
"""A row whose cells differ from its record in more than this share of them (and in at
least :data:`FEW` cells) is more likely another record's than an edit."""
FEW = 3


@dataclass(frozen=True)
class Doubt:
    """Why a row cannot be taken as its ID's: ``holder`` is the record whose values the
    row holds instead, when one does."""

    kind: str  # "holds", "repeats", "disagrees", "strays"
    holder: int | None = None
    key: str = ""
    differing: int = 0


class Fingerprints:
    """The last-synced content of every record, to tell whose values a row holds."""

    def __init__(self, base: Mapping[int, Values], keys: Iterable[str]) -> None:
        self.keys = tuple(keys)
        self._base = base

    @cached_property
    def _by_content(self) -> dict[tuple[str, ...], list[int]]:
        """Records by their content, indexed when a row first needs it: in most cycles
        every row shows what was synced, and none does."""
        by_content: dict[tuple[str, ...], list[int]] = {}
        for record_id, values in self._base.items():
            by_content.setdefault(self.content(values), []).append(record_id)
        return by_content

    def content(self, values: Values) -> tuple[str, ...]:
        return tuple(values.get(key, "") for key in self.keys)

    def holders(self, values: Values) -> list[int]:
        """The records whose last-synced values are exactly these."""
        if not any(self.content(values)):
            return []
        return self._by_content.get(self.content(values), [])

    def doubt(self, record_id: int, row: Values, own: Iterable[Values],
              fixed: Iterable[str]) -> Doubt | None:  # fmt: skip
        """Why the row is not ``record_id``'s (its ``own`` values, as synced and as stored
        now), or None. ``fixed`` are read-only keys that name the record (a deal's customer)."""
        own = list(own)
        content = self.content(row)
        if any(content == self.content(values) for values in own):
            return None
        others = [rid for rid in self.holders(row) if rid != record_id]
        if others:
            return Doubt("holds", others[0])
        for key in fixed:
            if all(row.get(key, "") != values.get(key, "") for values in own):
                return Doubt("disagrees", key=key)
        compared = [k for k in self.keys if row.get(k) or any(v.get(k) for v in own)]
        differing = sum(1 for k in compared if all(row.get(k, "") != v.get(k, "") for v in own))
        if differing >= FEW and differing > MOST_CHANGED * len(compared):
            return Doubt("strays", differing=differing)
        return None

    def repeated(self, row: Values) -> int | None:
        """The record a row without an ID copies exactly: it was moved here, not added."""
        holders = self.holders(row)
        return holders[0] if holders else None


def row_key(sheet: str, values: Iterable[str], occurrence: int) -> str:
    """A new row's key, from the values that name its record (a deal's title and customer)
    and how many rows before it have the same: the same whatever else is edited in it."""
    text = json.dumps([sheet, *values, occurrence], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
