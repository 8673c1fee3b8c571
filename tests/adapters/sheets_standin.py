"""A local stand-in for the Google Sheets API v4, speaking the shapes gspread uses.

Keeps spreadsheets in memory; serves spreadsheets.get, values.batchGet, values.batchUpdate
and spreadsheets.batchUpdate (addSheet, sheet properties, dimensions, validation, column
number formats, which FORMATTED_VALUE and UNFORMATTED_VALUE reads honour);
refuses writes past the grid (400) as Google does; turns "=..." written with USER_ENTERED
into a formula (RAW keeps text), read back as its result or, with the FORMULA render
option, as the formula; refuses a second sheet of the same title, as Google does; keeps
a spreadsheet's locale and developer metadata on a tab (which follows the tab's sheetId
through a rename) or on a column (returned for a field mask naming columnMetadata), and
cell notes; answers Drive's files.get with a ``modifiedTime`` that moves whenever anything
in the spreadsheet changed; counts requests; answers 429/500, drops the connection, or applies a request and loses
its reply ("lost") on demand, for any request or for one method (``fail("values:batchUpdate",
503, 503)``). Test code only: the product talks to it through real gspread.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import requests

SERIAL_EPOCH = date(1899, 12, 30)
_CELL = re.compile(r"^([A-Z]+)(\d+)$")


class Formula(str):
    """A cell the sheet would evaluate."""


class Sheet:
    def __init__(self, sheet_id: int, title: str, rows: int = 1000, cols: int = 26) -> None:
        self.id, self.title, self.rows, self.cols = sheet_id, title, rows, cols
        self.cells: dict[tuple[int, int], Any] = {}
        self.properties: dict[str, Any] = {}
        self.formats: dict[int, dict[str, str]] = {}  # column -> numberFormat
        self.rules: list[dict[str, Any]] = []  # conditional formatting
        self.metadata: list[dict[str, Any]] = []  # developer metadata on the whole tab
        self.column_metadata: dict[int, list[dict[str, Any]]] = {}  # ... on one column
        self.notes: dict[tuple[int, int], str] = {}  # a cell's note, as a person hovers it

    def shown(self, col: int, value: Any, *, unformatted: bool = False,
              formulas: bool = False) -> Any:  # fmt: skip
        """A cell as a reader sees it, through its column's number format; a formula as
        its result, or as itself when ``formulas`` (the FORMULA render option) is asked."""
        if value.__class__ is str:  # plain text, most cells: shown as it is, in any format
            return value
        if isinstance(value, Formula):
            if formulas:
                return str(value)
            value = _evaluated(value)
        number_format = self.formats.get(col, {})
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and number_format.get("type") == "DATE":
            return (SERIAL_EPOCH + timedelta(days=int(value))).isoformat()  # FORMATTED_STRING
        if is_number and unformatted:
            return value
        if is_number and number_format.get("type") == "NUMBER":
            return f"{value:,.2f}"
        return _shown(value)

    def grid(self, *, unformatted: bool = False, formulas: bool = False) -> list[list[Any]]:
        """The used area, trailing empty cells and rows trimmed, as Google returns it."""
        by_row: dict[int, dict[int, Any]] = {}
        for (r, c), value in self.cells.items():
            if value != "" and value is not None:
                by_row.setdefault(r, {})[c] = value
        if not by_row:
            return []
        return [
            [self.shown(c, by_row.get(r, {}).get(c, ""), unformatted=unformatted or formulas,
                        formulas=formulas)
             for c in range(max(by_row.get(r, {-1: 0})) + 1)]
            if r in by_row else []
            for r in range(max(by_row) + 1)
        ]  # fmt: skip


class Standin:
    def __init__(self) -> None:
        self.spreadsheets: dict[str, dict[str, Sheet]] = {}
        self.requests: list[tuple[str, str]] = []
        self.failures: list[int | str] = []
        self.failures_of: dict[str, list[int | str]] = {}  # a method's path suffix -> failures
        self.locales: dict[str, str] = {}  # spreadsheet -> its locale (Google's default: en_US)
        self.next_metadata_id = 0
        self.modified: dict[str, tuple[int | None, int]] = {}  # spreadsheet -> state, changes
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, spreadsheet_id: str) -> None:
        self.spreadsheets[spreadsheet_id] = {}

    def sheet(self, spreadsheet_id: str, title: str) -> Sheet:
        return self.spreadsheets[spreadsheet_id][title]

    def modified_time(self, spreadsheet_id: str) -> str:
        """Drive's ``modifiedTime``: a second later each time anything in the spreadsheet
        changed since it was last asked (a person's edits go straight into the cells)."""
        book = self.spreadsheets[spreadsheet_id]
        state = hash(tuple((s.id, s.title, frozenset(s.cells.items()), repr(s.metadata),
                            repr(s.column_metadata), repr(s.notes)) for s in book.values()))  # fmt: skip
        seen, changes = self.modified.get(spreadsheet_id, (None, 0))
        if state != seen:
            self.modified[spreadsheet_id] = (state, changes + 1)
        stamp = datetime(2027, 3, 1, tzinfo=UTC) + timedelta(
            seconds=self.modified[spreadsheet_id][1]
        )
        return stamp.isoformat().replace("+00:00", ".000Z")

    def drive_reads(self, spreadsheet_id: str) -> int:
        return self.requests.count(("GET", f"/drive/v3/files/{spreadsheet_id}"))

    def metadata_reads(self, spreadsheet_id: str) -> int:
        """How many times the spreadsheet's metadata (spreadsheets.get) was fetched."""
        return self.requests.count(("GET", f"/v4/spreadsheets/{spreadsheet_id}"))

    def fail(self, method: str, *failures: int | str) -> None:
        """The next requests to ``method`` (a path suffix) fail this way, one each."""
        self.failures_of.setdefault(method, []).extend(failures)

    def session(self) -> requests.Session:
        return session_to(self.url)

    def address(self) -> str:
        return self.url

    def taken(self) -> list[tuple[str, str]]:
        """The requests served since last asked (method, path), forgotten once told."""
        with self.lock:
            served, self.requests[:] = list(self.requests), []
        return served

    # --- what a person does in the browser ---------------------------------------------

    def column(self, sheet: Sheet, header: str) -> int:
        return next(c for (r, c), v in sheet.cells.items() if r == 0 and v == header)

    def row_of(self, sheet: Sheet, record_id: int) -> int:
        id_col = self.column(sheet, "ID")
        return next(
            r for (r, c), v in sheet.cells.items() if c == id_col and str(v) == str(record_id)
        )

    def edit(
        self, spreadsheet_id: str, title: str, record_id: int, header: str, value: Any
    ) -> None:
        """Type into a cell: as in the browser, numbers become numbers and, in a date
        column, an ISO date becomes a date."""
        sheet = self.sheet(spreadsheet_id, title)
        column = self.column(sheet, header)
        if sheet.formats.get(column, {}).get("type") == "DATE" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = (date.fromisoformat(value) - SERIAL_EPOCH).days
        sheet.cells[(self.row_of(sheet, record_id), column)] = _entered(value)

    def rename(self, spreadsheet_id: str, title: str, new: str) -> None:
        """Rename a tab (double-click its name): its sheetId and metadata stay."""
        book = self.spreadsheets[spreadsheet_id]
        book[title].title = new
        renamed = {sheet.title: sheet for sheet in book.values()}  # the tabs keep their order
        book.clear()
        book.update(renamed)

    def read(self, spreadsheet_id: str, title: str, record_id: int, header: str) -> Any:
        """What the person sees in the cell."""
        sheet = self.sheet(spreadsheet_id, title)
        column = self.column(sheet, header)
        value = sheet.cells.get((self.row_of(sheet, record_id), column))
        return value if isinstance(value, Formula) else sheet.shown(column, value)

    # --- the API ------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                standin._serve(self, "GET")

            def do_POST(self) -> None:
                standin._serve(self, "POST")

            def do_PUT(self) -> None:
                standin._serve(self, "PUT")

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(handler.path)
        with self.lock:
            self.requests.append((method, url.path))
            failure = self.failures.pop(0) if self.failures else None
            for method_suffix, queued in self.failures_of.items():
                if failure is None and queued and url.path.endswith(method_suffix):
                    failure = queued.pop(0)
        if failure == "drop":
            handler.close_connection = True
            handler.wfile.flush()
            handler.connection.close()
            return
        if isinstance(failure, int):
            _reply(
                handler,
                failure,
                {"error": {"code": failure, "message": "injected", "status": "UNAVAILABLE"}},
            )
            return
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        drive = re.match(r"^/drive/v3/files/([^/]+)$", url.path)
        if drive and drive[1] in self.spreadsheets:  # Drive's files.get: when it last changed
            with self.lock:
                _reply(handler, 200, {"id": drive[1], "name": drive[1],
                                      "modifiedTime": self.modified_time(drive[1])})  # fmt: skip
            return
        match = re.match(r"^/v4/spreadsheets/([^/:]+)(.*)$", url.path)
        if not match or match[1] not in self.spreadsheets:
            _reply(
                handler,
                404,
                {
                    "error": {
                        "code": 404,
                        "message": "Requested entity was not found.",
                        "status": "NOT_FOUND",
                    }
                },
            )
            return
        book, rest = self.spreadsheets[match[1]], unquote(match[2])
        with self.lock:
            status, answer = self._route(method, match[1], book, rest, parse_qs(url.query), body)
        if failure == "lost":  # applied, but the answer never arrives
            handler.close_connection = True
            handler.connection.close()
            return
        _reply(handler, status, answer)

    def _route(self, method: str, key: str, book: dict[str, Sheet], rest: str,
               query: dict[str, list[str]], body: dict[str, Any]) -> tuple[int, Any]:  # fmt: skip
        if method == "GET" and rest == "":
            # As Google: a field mask naming columnMetadata returns it (every column's, the
            # unmarked ones as empty objects) without a cell.
            columns = "columnMetadata" in query.get("fields", [""])[0]
            return 200, {
                "spreadsheetId": key,
                "properties": {"title": key, "locale": self.locales.get(key, "en_US")},
                "sheets": [
                    {"properties": _properties(s, i), "developerMetadata": s.metadata}
                    | ({"data": [{"columnMetadata": _column_metadata(s)}]} if columns else {})
                    for i, s in enumerate(book.values())
                ],
            }
        if method == "GET" and rest == "/values:batchGet":
            ranges = []
            for name in query.get("ranges", []):
                sheet = book.get(name.split("!")[0].strip("'"))
                if sheet is None:
                    return 400, {
                        "error": {
                            "code": 400,
                            "message": f"Unable to parse range: {name}",
                            "status": "INVALID_ARGUMENT",
                        }
                    }
                entry = {"range": f"'{sheet.title}'!A1:Z{sheet.rows}", "majorDimension": "ROWS"}
                render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
                grid = sheet.grid(
                    unformatted=render == "UNFORMATTED_VALUE", formulas=render == "FORMULA"
                )
                if grid:
                    entry["values"] = grid
                ranges.append(entry)
            return 200, {"spreadsheetId": key, "valueRanges": ranges}
        if method == "PUT" and rest.startswith("/values/"):  # values.update: one range
            option = query.get("valueInputOption", ["RAW"])[0]
            one = {"range": rest.removeprefix("/values/"), "values": body.get("values", [])}
            body = {"valueInputOption": option, "data": [one]}
            method, rest = "POST", "/values:batchUpdate"
        if method == "POST" and rest == "/values:batchUpdate":
            user_entered = body.get("valueInputOption") == "USER_ENTERED"
            updated = 0
            for data in body.get("data", []):
                name, _, cell = data["range"].rpartition("!")
                sheet = book[name.strip("'")] if name else next(iter(book.values()))
                col, row = _a1(cell)
                for dr, values in enumerate(data["values"]):
                    for dc, value in enumerate(values):
                        if row + dr >= sheet.rows or col + dc >= sheet.cols:
                            return 400, {
                                "error": {
                                    "code": 400,
                                    "message": f"Range ({data['range']}) exceeds grid limits.",
                                    "status": "INVALID_ARGUMENT",
                                }
                            }
                        sheet.cells[(row + dr, col + dc)] = (
                            _entered(value) if user_entered else value
                        )
                        updated += 1
            return 200, {"spreadsheetId": key, "totalUpdatedCells": updated}
        if method == "POST" and rest == ":batchUpdate":
            replies = []
            for request in body.get("requests", []):
                if "addSheet" in request:
                    props = request["addSheet"]["properties"]
                    if props["title"] in book:
                        return 400, {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                               "message": f"Invalid requests[0].addSheet: A sheet "
                                               f"with the name \"{props['title']}\" already "
                                               "exists. Please enter another name."}}  # fmt: skip
                    grid = props.get("gridProperties", {})
                    sheet = Sheet(
                        len(book) + 1,
                        props["title"],
                        grid.get("rowCount", 1000),
                        grid.get("columnCount", 26),
                    )
                    book[sheet.title] = sheet
                    replies.append({"addSheet": {"properties": _properties(sheet, len(book) - 1)}})
                    continue
                if "updateSheetProperties" in request:
                    props = request["updateSheetProperties"]["properties"]
                    sheet = next(s for s in book.values() if s.id == props["sheetId"])
                    grid = props.get("gridProperties", {})
                    sheet.rows = grid.get("rowCount", sheet.rows)
                    sheet.cols = grid.get("columnCount", sheet.cols)
                    sheet.properties.update(grid)
                if "createDeveloperMetadata" in request:
                    metadata = request["createDeveloperMetadata"]["developerMetadata"]
                    location = metadata["location"]
                    self.next_metadata_id += 1
                    made = {**metadata, "metadataId": self.next_metadata_id}
                    if "dimensionRange" in location:
                        span = location["dimensionRange"]
                        sheet = next(s for s in book.values() if s.id == span["sheetId"])
                        sheet.column_metadata.setdefault(span["startIndex"], []).append(made)
                    else:
                        sheet = next(s for s in book.values() if s.id == location["sheetId"])
                        sheet.metadata.append(made)
                if "deleteDeveloperMetadata" in request:
                    lookup = request["deleteDeveloperMetadata"]["dataFilter"]
                    wanted = lookup["developerMetadataLookup"]["metadataId"]
                    for sheet in book.values():
                        sheet.metadata = [m for m in sheet.metadata if m["metadataId"] != wanted]
                        for marks in sheet.column_metadata.values():
                            marks[:] = [m for m in marks if m["metadataId"] != wanted]
                if "updateCells" in request and request["updateCells"]["fields"] == "note":
                    start = request["updateCells"]["start"]
                    sheet = next(s for s in book.values() if s.id == start["sheetId"])
                    cell = (start["rowIndex"], start["columnIndex"])
                    note = request["updateCells"]["rows"][0]["values"][0].get("note", "")
                    sheet.notes[cell] = note
                    if not note:
                        del sheet.notes[cell]
                if "addConditionalFormatRule" in request:
                    rule = request["addConditionalFormatRule"]["rule"]
                    for cells in rule["ranges"]:
                        sheet = next(s for s in book.values() if s.id == cells["sheetId"])
                        sheet.rules.append(rule)
                if "repeatCell" in request:
                    repeat = request["repeatCell"]
                    sheet = next(s for s in book.values() if s.id == repeat["range"]["sheetId"])
                    number_format = repeat["cell"]["userEnteredFormat"].get("numberFormat")
                    for col in range(repeat["range"]["startColumnIndex"],
                                     repeat["range"]["endColumnIndex"]):  # fmt: skip
                        sheet.formats[col] = number_format
                replies.append({})
            return 200, {"spreadsheetId": key, "replies": replies}
        return 404, {"error": {"code": 404, "message": "no such method", "status": "NOT_FOUND"}}


def _column_metadata(sheet: Sheet) -> list[dict[str, Any]]:
    used = max([c for _, c in sheet.cells] + list(sheet.column_metadata), default=-1) + 1
    return [{"developerMetadata": list(sheet.column_metadata[c])}
            if sheet.column_metadata.get(c) else {} for c in range(used)]  # fmt: skip


def session_to(url: str) -> requests.Session:
    """A session whose Google requests go to the stand-in at ``url`` (which may run in
    another process)."""
    return _Session(url)


class _Session(requests.Session):
    """Sends Google's Sheets API (and Drive's files.get) to the stand-in and refuses every
    other https address."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith("https://sheets.googleapis.com"):
            url = self.base + url.removeprefix("https://sheets.googleapis.com")
        elif url.startswith("https://www.googleapis.com/drive/v3/files/"):
            url = self.base + url.removeprefix("https://www.googleapis.com")
        elif url.startswith("https://"):
            raise requests.ConnectionError(f"the tests reach no internet: {url}")
        return super().request(method, url, *args, **kwargs)


def _reply(handler: BaseHTTPRequestHandler, status: int, answer: Any) -> None:
    data = json.dumps(answer).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def _properties(sheet: Sheet, index: int) -> dict[str, Any]:
    return {
        "sheetId": sheet.id,
        "title": sheet.title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": sheet.rows, "columnCount": sheet.cols, **sheet.properties},
    }


def _a1(cell: str) -> tuple[int, int]:
    match = _CELL.match(cell.split(":")[0])
    assert match, cell
    col = 0
    for char in match[1]:
        col = col * 26 + ord(char) - 64
    return col - 1, int(match[2]) - 1


def _entered(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("="):
        return Formula(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?[\d ]+(\.\d+)?", value.strip()):
        return float(value.replace(" ", ""))  # as Google does: "+7 999..." becomes a number
    return value


def _evaluated(formula: Formula) -> Any:
    """What Google shows for the few formulas the tests type: a link's label, arithmetic."""
    body = formula.removeprefix("=")
    link = re.fullmatch(r'HYPERLINK\("[^"]*"\s*[;,]\s*"([^"]*)"\)', body, re.I)
    if link:
        return link[1]
    tree = ast.parse(body, mode="eval")
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.operator, ast.unaryop)
    if not all(isinstance(node, allowed) for node in ast.walk(tree)):
        return "#NAME?"
    return float(eval(compile(tree, "formula", "eval"), {"__builtins__": {}}))


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
