"""Google Sheets through gspread: one read and one write per sync cycle, whatever the size.

The spreadsheet's metadata (its tabs, their marks, its locale) is fetched once; all
worksheets are read with one values.batchGet, formulas as their text (never as their
result); every changed cell goes out in one values.batchUpdate with ``RAW`` input, so
nothing a person typed is ever evaluated as a formula and phones keep their "+". Each tab
Rapport lays out carries developer metadata naming its sheet, which stays with the tab's
sheetId through a rename, so a renamed tab is still found; each of its columns carries
metadata naming its field, which Google moves with the column. gspread's own back-off sleeps
without jitter and ignores Retry-After, so retries are ours: 429 and 5xx answers and
dropped connections are tried again with a growing, jittered pause that honours
Retry-After.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import gspread
import requests
from gspread.http_client import ParamsType
from gspread.utils import rowcol_to_a1

from rapport.adapters.sheets.layout import STATUS, Formula, SheetLayout
from rapport.core.domain.errors import RapportError
from rapport.core.i18n import Catalogue

log = logging.getLogger(__name__)
_l = Catalogue(Path(__file__).parents[1] / "locales").lazy
T = TypeVar("T")
GROW_BY = 1000
NOTE_COLOUR = {"red": 0.99, "green": 0.89, "blue": 0.84}  # the .xlsx backend's note fill
SERIAL_EPOCH = date(1899, 12, 30)  # day 0 of spreadsheet date serials
FORMATS = {
    "number": {"type": "NUMBER", "pattern": "#,##0.00"},
    "date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
}
# Numbers come back as numbers whatever their format, dates as text in the column's
# format, and formulas as their text.
READ_AS_STORED: ParamsType = {
    "valueRenderOption": "FORMULA",
    "dateTimeRenderOption": "FORMATTED_STRING",
}
MARK = "rapport.sheet"
"""The developer metadata key saying which of Rapport's sheets a tab is."""
COLUMN = "rapport.column"
"""The developer metadata key, on a column, saying which field it holds; Google moves it
with the column when columns are moved, added or deleted."""
METADATA: ParamsType = {
    "fields": "properties(locale),sheets(properties,developerMetadata,"
    "data(columnMetadata(developerMetadata)))"
}
"""The tabs, their marks and their columns' marks, without a cell."""


class SheetsUnavailable(RapportError):
    """Google did not answer after several tries; the next cycle will try again."""


class GoogleBook:
    copies = False  # one live spreadsheet: no older copy of it can be saved over a write
    generation: int | None = None

    def __init__(
        self,
        client: gspread.Client,
        spreadsheet_id: str,
        *,
        attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts, self.sleep = attempts, sleep
        self.http, self.key = client.http_client, spreadsheet_id
        metadata = self._metadata()
        self.locale: str | None = metadata["properties"].get("locale")
        self._sheets = {s["properties"]["title"]: s["properties"] for s in metadata["sheets"]}
        self._marks = {s["properties"]["title"]: _mark(s) for s in metadata["sheets"]}
        self._columns = {s["properties"]["title"]: _column_marks(s) for s in metadata["sheets"]}
        self._grids: dict[str, list[list[Any]]] | None = None
        self._pending: list[dict[str, Any]] = []
        self._formatting: list[dict[str, Any]] = []

    def stamp(self, generation: int) -> None:
        """Never asked: a live spreadsheet has no copies to tell apart."""

    def _metadata(self) -> dict[str, Any]:
        try:
            return dict(self._retry(lambda: self.http.fetch_sheet_metadata(self.key, METADATA)))
        except gspread.exceptions.APIError as exc:
            if exc.response.status_code == 404:
                raise gspread.exceptions.SpreadsheetNotFound(exc.response) from exc
            raise

    def tabs(self) -> dict[str, str | None]:
        return dict(self._marks)

    def mark(self, title: str, key: str) -> None:
        self._formatting.append({"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": MARK, "metadataValue": key, "visibility": "DOCUMENT",
            "location": {"sheetId": self._sheets[title]["sheetId"]}}}})  # fmt: skip
        self._marks[title] = key

    def columns(self, title: str) -> dict[str, int]:
        return {key: at for key, (at, _) in self._columns.get(title, {}).items()}

    def mark_columns(self, title: str, positions: Mapping[str, int]) -> None:
        sheet_id, marked = self._sheets[title]["sheetId"], self._columns.setdefault(title, {})
        for key, at in positions.items():
            if key in marked and marked[key][0] == at:
                continue
            if key in marked:  # a mark left where the column no longer is
                self._formatting.append({"deleteDeveloperMetadata": {"dataFilter": {
                    "developerMetadataLookup": {"metadataId": marked[key][1]}}}})  # fmt: skip
            span = {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": at,
                    "endIndex": at + 1}  # fmt: skip
            self._formatting.append({"createDeveloperMetadata": {"developerMetadata": {
                "metadataKey": COLUMN, "metadataValue": key, "visibility": "DOCUMENT",
                "location": {"dimensionRange": span}}}})  # fmt: skip
            marked[key] = (at, -1)

    def read(self, title: str) -> list[list[Any]] | None:
        if title not in self._sheets:
            return None
        if self._grids is None:
            titles = list(self._sheets)
            answer = self._retry(
                lambda: self.http.values_batch_get(
                    self.key, [_quoted(t) for t in titles], params=dict(READ_AS_STORED)
                )
            )
            self._grids = {
                title: [_cells(row) for row in value_range.get("values", [])]
                for title, value_range in zip(titles, answer["valueRanges"], strict=True)
            }
        return self._grids.get(title, [])

    def create(self, layout: SheetLayout, language: str) -> None:
        title = layout.title(language)
        grid = {"rowCount": GROW_BY, "columnCount": len(layout.columns) + 10}
        add = {"addSheet": {"properties": {"title": title, "gridProperties": grid}}}
        try:
            answer = self._retry(lambda: self.http.batch_update(self.key, {"requests": [add]}))
            properties = answer["replies"][0]["addSheet"]["properties"]
        except gspread.exceptions.APIError as exc:
            if "already exists" not in str(exc):
                raise
            # The tab was added, but the answer saying so was lost and the retry refused.
            sheets = self._metadata()["sheets"]
            properties = next(s["properties"] for s in sheets if s["properties"]["title"] == title)
        self._sheets[title], self._marks[title] = properties, None
        sheet_id = properties["sheetId"]
        self._formatting.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
                    "fields": "gridProperties.frozenRowCount",
                }
            }
        )
        for index, column in enumerate(layout.columns):
            if column.key == "id":
                self._formatting.append(
                    {
                        "updateDimensionProperties": {
                            "range": {
                                "sheetId": sheet_id,
                                "dimension": "COLUMNS",
                                "startIndex": index,
                                "endIndex": index + 1,
                            },
                            "properties": {"hiddenByUser": True},
                            "fields": "hiddenByUser",
                        }
                    }
                )
            number_format = FORMATS.get(column.kind)
            if number_format:
                self._formatting.append({"repeatCell": {
                    "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": index,
                              "endColumnIndex": index + 1},
                    "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                    "fields": "userEnteredFormat.numberFormat"}})  # fmt: skip
            if column.key == STATUS:  # a row Rapport has something to say about stands out
                self._formatting.append({"addConditionalFormatRule": {"index": 0, "rule": {
                    "ranges": [{"sheetId": sheet_id, "startRowIndex": 1,
                                "startColumnIndex": index, "endColumnIndex": index + 1}],
                    "booleanRule": {"condition": {"type": "NOT_BLANK"},
                                    "format": {"backgroundColor": NOTE_COLOUR}}}}})  # fmt: skip
            if column.choices:
                values = [{"userEnteredValue": choice} for choice in column.shown_choices()]
                self._formatting.append({"setDataValidation": {
                    "range": {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": index,
                              "endColumnIndex": index + 1},
                    "rule": {"condition": {"type": "ONE_OF_LIST", "values": values},
                             "strict": False, "showCustomUi": True}}})  # fmt: skip

    def note(self, title: str, row: int, col: int, text: str) -> None:
        start = {"sheetId": self._sheets[title]["sheetId"], "rowIndex": row, "columnIndex": col}
        self._formatting.append({"updateCells": {"rows": [{"values": [{"note": text}]}],
                                                 "fields": "note", "start": start}})  # fmt: skip

    def write(self, title: str, cells: list[tuple[int, int, Any]]) -> None:
        grid = self._sheets[title]["gridProperties"]
        needed = max((row + 1 for row, _, _ in cells), default=0)
        if needed > grid["rowCount"]:
            rows = needed + GROW_BY
            self._formatting.append({"updateSheetProperties": {
                "properties": {"sheetId": self._sheets[title]["sheetId"],
                               "gridProperties": {"rowCount": rows}},
                "fields": "gridProperties.rowCount"}})  # fmt: skip
            grid["rowCount"] = rows
        for row, col, value in cells:
            self._pending.append({"range": f"{_quoted(title)}!{rowcol_to_a1(row + 1, col + 1)}",
                                  "values": [[_json(value)]]})  # fmt: skip

    def flush(self) -> None:
        if self._formatting:
            requests_, self._formatting = self._formatting, []
            self._retry(lambda: self.http.batch_update(self.key, {"requests": requests_}))
        if self._pending:
            data, self._pending = self._pending, []
            body = {"valueInputOption": "RAW", "data": data}
            self._retry(lambda: self.http.values_batch_update(self.key, body))

    def _retry(self, call: Callable[[], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return call()
            except gspread.exceptions.APIError as exc:
                status = exc.response.status_code
                if status != 429 and status < 500:
                    raise
                wait = _retry_after(exc.response)
                problem = _l("Google answered {status}", status=status)
            except requests.ConnectionError:
                wait, problem = None, _l("the connection to Google dropped")
            if attempt == self.attempts:
                raise SheetsUnavailable(
                    _l(
                        "{problem} {attempts} times; the next sync will try again",
                        problem=problem,
                        attempts=self.attempts,
                    )
                )
            pause = (
                wait if wait is not None else min(32.0, 0.5 * 2**attempt) * (0.5 + random.random())
            )
            log.warning("%s; trying again in %.1f s", problem, pause)
            self.sleep(pause)
        raise AssertionError("unreachable")


def drive_version(client: gspread.Client, spreadsheet_id: str) -> str:
    """The spreadsheet's token for the poller: Drive's ``modifiedTime``, which any edit,
    by a person or by Rapport, moves (one small request). When Drive does not answer the
    token is new every time, so the poll runs in full rather than missing an edit."""
    try:
        return str(client.get_file_drive_metadata(spreadsheet_id)["modifiedTime"])
    except (gspread.exceptions.GSpreadException, requests.RequestException, KeyError):
        return f"unknown at {time.monotonic()}"


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _json(value: Any) -> Any:
    """Numbers as numbers and dates as Google's day serials (shown through the column's
    date format); with RAW input nothing else is interpreted."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return (value - SERIAL_EPOCH).days
    return value


def _mark(sheet: dict[str, Any]) -> str | None:
    """Which of Rapport's sheets a tab is, by the developer metadata it carries."""
    marks = [m["metadataValue"] for m in sheet.get("developerMetadata", [])
             if m.get("metadataKey") == MARK]  # fmt: skip
    return marks[0] if marks else None


def _column_marks(sheet: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Field key -> the column marked with it and the mark's id, the first of each."""
    marks: dict[str, tuple[int, int]] = {}
    grid = (sheet.get("data") or [{}])[0]
    for at, column in enumerate(grid.get("columnMetadata", [])):
        for mark in column.get("developerMetadata", []):
            if mark.get("metadataKey") == COLUMN and "metadataValue" in mark:
                marks.setdefault(mark["metadataValue"], (at, mark.get("metadataId", -1)))
    return marks


def _cells(row: list[Any]) -> list[Any]:
    """A row as read with the FORMULA render option: a formula is kept as one. (A row
    without one, nearly every row, is taken as it came: ten thousand rows a read.)"""
    if not any(map(_is_formula, row)):
        return row
    return [Formula(value) if _is_formula(value) else value for value in row]


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"
