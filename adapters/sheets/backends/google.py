"""Google Sheets through gspread: one read and one write per sync cycle, whatever the size.

All worksheets are read with one values.batchGet; every changed cell goes out in one
values.batchUpdate with ``RAW`` input, so nothing a person typed is ever evaluated as a
formula and phones keep their "+". gspread's own back-off sleeps without jitter and
ignores Retry-After, so retries are ours: 429 and 5xx answers and dropped connections
are tried again with a growing, jittered pause that honours Retry-After.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import gspread
import requests
from gspread.http_client import ParamsType
from gspread.utils import rowcol_to_a1

from rapport.adapters.sheets.layout import STATUS, SheetLayout
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
# Numbers come back as numbers whatever their format; dates as text in the column's format.
READ_AS_STORED: ParamsType = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "FORMATTED_STRING",
}


class SheetsUnavailable(RapportError):
    """Google did not answer after several tries; the next cycle will try again."""


class GoogleBook:
    def __init__(
        self,
        client: gspread.Client,
        spreadsheet_id: str,
        *,
        attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.attempts, self.sleep = attempts, sleep
        self.spreadsheet = self._retry(lambda: client.open_by_key(spreadsheet_id))
        self._sheets = {ws.title: ws for ws in self._retry(self.spreadsheet.worksheets)}
        self._grids: dict[str, list[list[Any]]] | None = None
        self._pending: list[dict[str, Any]] = []
        self._formatting: list[dict[str, Any]] = []

    def read(self, title: str) -> list[list[Any]] | None:
        if title not in self._sheets:
            return None
        if self._grids is None:
            titles = list(self._sheets)
            answer = self._retry(
                lambda: self.spreadsheet.values_batch_get(
                    [_quoted(t) for t in titles], params=READ_AS_STORED
                )
            )
            self._grids = {
                title: [list(row) for row in value_range.get("values", [])]
                for title, value_range in zip(titles, answer["valueRanges"], strict=True)
            }
        return self._grids.get(title, [])

    def create(self, layout: SheetLayout, language: str) -> None:
        title = layout.title(language)
        try:
            sheet = self._retry(
                lambda: self.spreadsheet.add_worksheet(title, GROW_BY, len(layout.columns) + 10)
            )
        except gspread.exceptions.APIError as exc:
            if "already exists" not in str(exc):
                raise
            # The tab was added, but the answer saying so was lost and the retry refused.
            sheet = self._retry(lambda: self.spreadsheet.worksheet(title))
        self._sheets[title] = sheet
        self._formatting.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": sheet.id, "gridProperties": {"frozenRowCount": 1}},
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
                                "sheetId": sheet.id,
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
                    "range": {"sheetId": sheet.id, "startRowIndex": 1, "startColumnIndex": index,
                              "endColumnIndex": index + 1},
                    "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                    "fields": "userEnteredFormat.numberFormat"}})  # fmt: skip
            if column.key == STATUS:  # a row Rapport has something to say about stands out
                self._formatting.append({"addConditionalFormatRule": {"index": 0, "rule": {
                    "ranges": [{"sheetId": sheet.id, "startRowIndex": 1,
                                "startColumnIndex": index, "endColumnIndex": index + 1}],
                    "booleanRule": {"condition": {"type": "NOT_BLANK"},
                                    "format": {"backgroundColor": NOTE_COLOUR}}}}})  # fmt: skip
            if column.choices:
                values = [{"userEnteredValue": choice} for choice in column.choices]
                self._formatting.append({"setDataValidation": {
                    "range": {"sheetId": sheet.id, "startRowIndex": 1, "startColumnIndex": index,
                              "endColumnIndex": index + 1},
                    "rule": {"condition": {"type": "ONE_OF_LIST", "values": values},
                             "strict": False, "showCustomUi": True}}})  # fmt: skip

    def write(self, title: str, cells: list[tuple[int, int, Any]]) -> None:
        sheet = self._sheets[title]
        needed = max((row + 1 for row, _, _ in cells), default=0)
        if needed > sheet.row_count:
            rows = needed + GROW_BY
            self._formatting.append({"updateSheetProperties": {
                "properties": {"sheetId": sheet.id, "gridProperties": {"rowCount": rows}},
                "fields": "gridProperties.rowCount"}})  # fmt: skip
            sheet._properties["gridProperties"]["rowCount"] = rows
        for row, col, value in cells:
            self._pending.append({"range": f"{_quoted(title)}!{rowcol_to_a1(row + 1, col + 1)}",
                                  "values": [[_json(value)]]})  # fmt: skip

    def flush(self) -> None:
        if self._formatting:
            requests_, self._formatting = self._formatting, []
            self._retry(lambda: self.spreadsheet.batch_update({"requests": requests_}))
        if self._pending:
            data, self._pending = self._pending, []
            body = {"valueInputOption": "RAW", "data": data}
            self._retry(lambda: self.spreadsheet.values_batch_update(body))

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


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"
