"""A manager's workbook: sync the CRM with a local .xlsx file and edit it as a person in Excel.

The edits go through openpyxl on the saved file between syncs, exactly what a manager's
Excel leaves on disk, so a test exercises the same sync engine ``rapport sync`` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from rapport.adapters.sheets.backends.xlsx import XlsxBook
from rapport.adapters.sheets.engine import SyncReport, sync

if TYPE_CHECKING:
    from rapport.core.bootstrap import App


class Workbook:
    """``workbook.sync()``, then ``workbook.edit("Deals", 7, "Amount", 1500)`` and sync again.

    Rows are found by their record's ID and columns by their header, so a test reads like
    the manager's story whatever order the columns are in.
    """

    def __init__(self, app: App, path: Path) -> None:
        self.app = app
        self.path = path

    def sync(self) -> SyncReport:
        """One sync cycle, as ``rapport sync`` runs it."""
        return sync(self.app, XlsxBook(self.path))

    def rows(self, title: str) -> list[dict[str, Any]]:
        """Every data row of a sheet as ``{header: value}``."""
        sheet = self._open()[title]
        headers = ["" if cell.value is None else str(cell.value) for cell in sheet[1]]
        return [
            dict(zip(headers, row, strict=False))
            for row in sheet.iter_rows(min_row=2, values_only=True)
            if any(value is not None for value in row)
        ]

    def read(self, title: str, record_id: int, header: str) -> Any:
        sheet = self._open()[title]
        return sheet.cell(self._row_of(sheet, record_id), self._column(sheet, header)).value

    def edit(self, title: str, record_id: int, header: str, value: Any) -> None:
        """Type ``value`` into the record's cell under ``header`` and save."""
        book = self._open()
        sheet = book[title]
        sheet.cell(self._row_of(sheet, record_id), self._column(sheet, header)).value = value
        book.save(self.path)

    def add_row(self, title: str, values: dict[str, Any]) -> int:
        """A new row under the last one, filled by header; returns its row number."""
        book = self._open()
        sheet = book[title]
        row = sheet.max_row + 1
        for header, value in values.items():
            sheet.cell(row, self._column(sheet, header)).value = value
        book.save(self.path)
        return row

    def delete_row(self, title: str, record_id: int) -> None:
        book = self._open()
        sheet = book[title]
        sheet.delete_rows(self._row_of(sheet, record_id))
        book.save(self.path)

    def _open(self) -> openpyxl.Workbook:
        return openpyxl.load_workbook(self.path)

    @staticmethod
    def _column(sheet: Worksheet, header: str) -> int:
        for cell in sheet[1]:
            if cell.value == header:
                return int(cell.column)
        raise AssertionError(f"no column {header!r} in {sheet.title!r}")

    def _row_of(self, sheet: Worksheet, record_id: int) -> int:
        id_column = self._column(sheet, "ID")
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row, id_column).value == record_id:
                return row
        raise AssertionError(f"no row with ID {record_id} in {sheet.title!r}")
