"""The managers' spreadsheet on either backend, handled as a person would in its editor.

``GoogleSide`` edits the Sheets API stand-in's cells directly (a person in the browser);
``XlsxSide`` edits the saved workbook with openpyxl (what Excel leaves on disk). Both sync
through the real backends, so one test story runs on both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gspread
import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

from rapport.adapters.sheets.backends.google import GoogleBook
from rapport.adapters.sheets.backends.xlsx import XlsxBook
from rapport.adapters.sheets.engine import SyncReport, sync
from tests.adapters.sheets_standin import Standin, _entered

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz"
NOTE = "Rapport says"


class GoogleSide:
    name = "google"

    def __init__(self, app: Any, standin: Standin) -> None:
        self.app, self.standin = app, standin

    def book(self) -> GoogleBook:
        client = gspread.Client(auth=None, session=self.standin.session())
        return GoogleBook(client, KEY, sleep=lambda _: None)

    def sync(self) -> SyncReport:
        return sync(self.app, self.book())

    def grid(self, title: str) -> list[list[Any]]:
        """Every cell as stored, row by row, padded to the used width."""
        cells = self.standin.sheet(KEY, title).cells
        used = [(r, c) for (r, c), v in cells.items() if v not in ("", None)]
        rows = max((r for r, _ in used), default=-1) + 1
        cols = max((c for _, c in used), default=-1) + 1
        return [[cells.get((r, c)) for c in range(cols)] for r in range(rows)]

    def put(self, title: str, grid: list[list[Any]]) -> None:
        sheet = self.standin.sheet(KEY, title)
        sheet.cells = {
            (r, c): value
            for r, row in enumerate(grid)
            for c, value in enumerate(row)
            if value not in ("", None)
        }

    def typed(self, value: Any) -> Any:
        """What the browser stores for what a person types."""
        return _entered(value)

    def clear(self, title: str) -> None:
        self.standin.sheet(KEY, title).cells.clear()

    def delete_column(self, title: str, col: int) -> None:
        """As in the browser: the cells, formats and metadata to its right move left."""
        self._permute(title, {c: c - (c > col) for c in range(self._width(title)) if c != col})

    def move_column(self, title: str, col: int, to: int) -> None:
        """Drag a column by its letter to stand at ``to``: its metadata goes with it."""
        self._permute(title, _moved(self._width(title), col, to))

    def _width(self, title: str) -> int:
        sheet = self.standin.sheet(KEY, title)
        return max([c + 1 for _, c in sheet.cells] + [c + 1 for c in sheet.column_metadata])

    def _permute(self, title: str, where: dict[int, int]) -> None:
        """Column ``c`` now stands at ``where[c]``; a column not in ``where`` is gone."""
        sheet = self.standin.sheet(KEY, title)
        sheet.cells = {(r, where[c]): v for (r, c), v in sheet.cells.items() if c in where}
        sheet.formats = {where[c]: f for c, f in sheet.formats.items() if c in where}
        sheet.column_metadata = {where[c]: m for c, m in sheet.column_metadata.items()
                                 if c in where}  # fmt: skip

    def rename_tab(self, title: str, new: str) -> None:
        self.standin.rename(KEY, title, new)

    def delete_tab(self, title: str) -> None:
        del self.standin.spreadsheets[KEY][title]

    def fail_writes(self, times: int) -> None:
        self.standin.fail("values:batchUpdate", *[503] * times)

    def top_note(self, title: str) -> str:
        """The note on the «Rapport says» header, as a person hovering it reads it."""
        sheet = self.standin.sheet(KEY, title)
        return sheet.notes.get((0, self.standin.column(sheet, NOTE)), "")

    def fault(self, kind: str) -> None:
        """The next write: answered 503 once (the backend's retry takes it), every time it
        is tried ("down": the cycle fails), or applied with its answer lost."""
        if kind == "lost":
            self.standin.fail("values:batchUpdate", "lost")
        else:
            self.fail_writes(1 if kind == "retried" else 5)


class XlsxSide:
    name = "xlsx"

    def __init__(self, app: Any, path: Path) -> None:
        self.app, self.path = app, path
        self.faults: list[str] = []

    def book(self) -> XlsxBook:
        return XlsxBook(self.path)

    def sync(self) -> SyncReport:
        fault = self.faults.pop(0) if self.faults else ""
        lock = self.lock() if fault == "down" else None
        try:
            return sync(self.app, DiesAfterWriting(self.path) if fault == "lost" else self.book())
        finally:
            if lock is not None:
                lock.unlink()

    def top_note(self, title: str) -> str:
        sheet = openpyxl.load_workbook(self.path)[title]
        header = next(c for c in sheet[1] if c.value == NOTE)
        return header.comment.text if header.comment else ""

    def fault(self, kind: str) -> None:
        """The next cycle: the workbook open in LibreOffice ("down"), or the sync killed
        just after its write landed ("lost"); a retried write is nothing on a disk."""
        if kind != "retried":
            self.faults.append(kind)

    def grid(self, title: str) -> list[list[Any]]:
        sheet = openpyxl.load_workbook(self.path)[title]
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    def put(self, title: str, grid: list[list[Any]]) -> None:
        book = openpyxl.load_workbook(self.path)
        sheet = book[title]
        width = max([sheet.max_column, *(len(row) for row in grid)])
        for r in range(1, max(sheet.max_row, len(grid)) + 1):
            for c in range(1, width + 1):
                row = grid[r - 1] if r <= len(grid) else []
                sheet.cell(r, c).value = row[c - 1] if c <= len(row) else None
        book.save(self.path)

    def typed(self, value: Any) -> Any:
        return value

    def delete_column(self, title: str, col: int) -> None:
        """As Excel does: the columns to its right move left, and so do the names referring
        to them; a name referring to the deleted column refers to nothing (#REF!)."""
        book = openpyxl.load_workbook(self.path)
        sheet = book[title]
        width = sheet.max_column
        sheet.delete_cols(col + 1)
        _renamed(sheet, {c: c - (c > col) for c in range(width) if c != col})
        book.save(self.path)

    def move_column(self, title: str, col: int, to: int) -> None:
        """Cut a column and insert it before another, as in Excel: names follow it."""
        grid = self.grid(title)
        where = _moved(max(len(row) for row in grid), col, to)
        moved = [[None] * len(where) for _ in grid]
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                moved[r][where[c]] = value
        self.put(title, moved)
        book = openpyxl.load_workbook(self.path)
        _renamed(book[title], where)
        book.save(self.path)

    def rename_tab(self, title: str, new: str) -> None:
        """As Excel does: the tab keeps its contents and its sheet-level names."""
        book = openpyxl.load_workbook(self.path)
        book[title].title = new
        book.save(self.path)

    def delete_tab(self, title: str) -> None:
        book = openpyxl.load_workbook(self.path)
        book.remove(book[title])
        book.save(self.path)

    def clear(self, title: str) -> None:
        book = openpyxl.load_workbook(self.path)
        sheet = book[title]
        sheet.delete_rows(1, sheet.max_row)
        book.save(self.path)

    def lock(self) -> Path:
        """Open the workbook in LibreOffice: its lock file sits next to it until closed."""
        lock = self.path.with_name(f".~lock.{self.path.name}#")
        lock.write_text(",Olga Manager,olga-pc,27.02.2027 10:00,file:///home/olga;")
        return lock


def _moved(width: int, col: int, to: int) -> dict[int, int]:
    """Where each of ``width`` columns stands once column ``col`` is moved to ``to``."""
    order = [c for c in range(width) if c != col]
    order.insert(to, col)
    return {c: at for at, c in enumerate(order)}


def _renamed(sheet: Any, where: dict[int, int]) -> None:
    """Rewrite the sheet's names referring to whole columns, as Excel does when columns
    move: column ``c`` is now ``where[c]``; a name whose column is gone gets #REF!."""
    for name in sheet.defined_names.values():
        found = re.fullmatch(r"(.*!)\$([A-Z]+):\$\2", name.attr_text or "")
        if found:
            col = column_index_from_string(found[2]) - 1
            if col in where:
                letter = get_column_letter(where[col] + 1)
                name.attr_text = f"{found[1]}${letter}:${letter}"
            else:
                name.attr_text = f"{found[1]}#REF!"


class DiesAfterWriting(XlsxBook):
    """The process dies as soon as the new workbook is in place: nothing after it runs."""

    def flush(self) -> None:
        super().flush()
        raise ConnectionError("killed just after the write")


Side = GoogleSide | XlsxSide


class Manager:
    """What a manager does to a tab, the same way on either backend."""

    def __init__(self, side: Side) -> None:
        self.side = side

    def headers(self, title: str) -> list[Any]:
        grid = self.side.grid(title)
        return grid[0] if grid else []

    def column(self, title: str, header: str) -> int:
        return self.headers(title).index(header)

    def rows(self, title: str) -> list[dict[str, Any]]:
        grid = self.side.grid(title)
        headers = [str(h) if h is not None else "" for h in grid[0]]
        return [
            dict(zip(headers, row, strict=False))
            for row in grid[1:]
            if any(v not in ("", None) for v in row)
        ]

    def row(self, title: str, record_id: int) -> dict[str, Any]:
        return next(r for r in self.rows(title) if _id(r.get("ID")) == record_id)

    def edit(self, title: str, record_id: int, header: str, value: Any, *,
             as_text: bool = False) -> None:  # fmt: skip
        """Type ``value`` into the record's cell; ``as_text`` as in a column formatted as
        plain text (or pasted as text), which no spreadsheet turns into a number."""
        grid = self.side.grid(title)
        col = grid[0].index(header)
        ids = grid[0].index("ID")
        for row in grid[1:]:
            if _id(row[ids]) == record_id:
                row += [None] * (col + 1 - len(row))
                row[col] = value if as_text else self.side.typed(value)
        self.side.put(title, grid)

    def add_row(self, title: str, values: dict[str, Any]) -> None:
        grid = self.side.grid(title)
        row: list[Any] = [None] * len(grid[0])
        for header, value in values.items():
            row[grid[0].index(header)] = self.side.typed(value)
        self.side.put(title, [*grid, row])

    def rename(self, title: str, header: str, new: str) -> None:
        grid = self.side.grid(title)
        grid[0][grid[0].index(header)] = new
        self.side.put(title, grid)

    def delete_row(self, title: str, record_id: int) -> None:
        grid = self.side.grid(title)
        ids = grid[0].index("ID")
        self.side.put(title, [row for row in grid if _id(row[ids]) != record_id or row is grid[0]])

    def delete_column(self, title: str, header: str) -> None:
        self.side.delete_column(title, self.column(title, header))

    def move_column(self, title: str, header: str, to: int) -> None:
        self.side.move_column(title, self.column(title, header), to)

    def sort_without_ids(self, title: str, header: str) -> None:
        """Select the visible columns (the hidden ID column left out) and sort them."""
        grid = self.side.grid(title)
        col, ids = grid[0].index(header), grid[0].index("ID")
        body = [row + [None] * (len(grid[0]) - len(row)) for row in grid[1:]]
        content = sorted(
            ([v for c, v in enumerate(row) if c != ids] for row in body),
            key=lambda cells: str(cells[col - (col > ids)] or ""),
        )
        for row, cells in zip(body, content, strict=True):
            row[:] = [*cells[:ids], row[ids], *cells[ids:]]
        self.side.put(title, [grid[0], *body])

    def notes(self, title: str) -> list[str]:
        return [str(r[NOTE]) for r in self.rows(title) if r.get(NOTE)]

    def top_note(self, title: str) -> str:
        return self.side.top_note(title)


def _id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
