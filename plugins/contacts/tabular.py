"""Reading the files people import: CSV from any Excel, and vCard.

Russian Excel saves "CSV" in Windows-1251 with ';' between columns; Google Sheets and
LibreOffice save UTF-8 with ','. Both are recognised without asking (see
:mod:`~rapport.plugins.contacts.decoding`); ``encoding`` overrides the guess.

A row the file itself spoils (a quote left open that would swallow the rows after it, a
cell no field could hold) is kept as a :class:`SourceRow` with a ``problem``, so the import
reports it by its line and goes on with the others.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field

from rapport.core.domain.errors import InvalidInput
from rapport.core.i18n import texts_for
from rapport.plugins.contacts.decoding import Decoded, decode, physical_lines
from rapport.plugins.contacts.vcard import COLUMNS, parse_vcards

_l = texts_for(__file__).lazy

DELIMITERS = ",;\t|"
_FORMULA = ("=", "+", "-", "@")
MAX_CELL = 100_000
"""Longer than any field stores (notes hold 10,000): such a cell is a broken file."""
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
"""How .xlsx (a zip) and .xls files begin: renamed to .csv, they would read as garbage."""
FALLBACK_NOTE = "not UTF-8: read as Windows-1251, check its letters"


@dataclass(frozen=True)
class SourceRow:
    line: int
    values: dict[str, str]
    problem: str | None = None
    """Why the file's own text makes this row unreadable; such a row is never imported."""


@dataclass(frozen=True)
class SourceTable:
    headers: list[str]
    rows: list[SourceRow]
    encoding: str
    delimiter: str | None
    kind: str
    notes: list[tuple[int, str]] = field(default_factory=list)
    """Rows read with a guess worth checking (line, what was guessed)."""


def read_source(data: bytes, filename: str, encoding: str | None = None) -> SourceTable:
    if not data.strip():
        raise InvalidInput.one("file", _l("is empty"))
    if data.startswith(_WORKBOOKS):
        raise InvalidInput.one(
            "file", _l('is an Excel workbook, not CSV: save it as "CSV UTF-8" and import that')
        )
    decoded = decode(data, encoding)
    text = decoded.text
    if filename.lower().endswith((".vcf", ".vcard")) or text.lstrip().upper().startswith(
        "BEGIN:VCARD"
    ):
        return _read_vcards(decoded)
    return _read_csv(decoded)


def _read_vcards(decoded: Decoded) -> SourceTable:
    cards = parse_vcards(decoded.text)
    notes = [(card.line, note) for card in cards for note in card.notes]
    notes += [
        (card.line, FALLBACK_NOTE)
        for card in cards
        if any(card.line <= n <= card.end for n in decoded.fallback_lines)
    ]
    rows = [SourceRow(card.line, card.values, card.problem) for card in cards]
    return SourceTable(list(COLUMNS), rows, decoded.encoding, None, "vcard", sorted(notes))


def _read_csv(decoded: Decoded) -> SourceTable:
    text = decoded.text
    delimiter = _delimiter(text)
    # The reader refuses a cell over 131,072 characters for the whole file; let it read
    # any, and refuse the row that holds one (MAX_CELL).
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    physical = physical_lines(text)
    reader = csv.reader(physical, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput.one("file", _l("is empty")) from None
    headers = _unique([h.strip().lstrip("\ufeff") for h in header])
    if not any(headers):
        raise InvalidInput.one("file", _l("the first line must name the columns"))
    rows: list[SourceRow] = []
    notes: list[tuple[int, str]] = []
    fallback = set(decoded.fallback_lines)
    for start, end, cells, problem in _records(physical, reader.line_num, delimiter, headers):
        if problem is None and not any(cell.strip() for cell in cells):
            continue
        problem = problem or _too_long(headers, cells)
        values = {} if problem else _cells(headers, cells)
        rows.append(SourceRow(start, values, problem))
        if fallback.intersection(range(start, end + 1)):
            notes.append((start, FALLBACK_NOTE))
    if 1 in fallback:
        notes.insert(0, (1, FALLBACK_NOTE))
    return SourceTable(headers, rows, decoded.encoding, delimiter, "csv", notes)


def _records(
    physical: list[str], skip: int, delimiter: str, headers: list[str]
) -> Iterator[tuple[int, int, list[str], str | None]]:
    """(first line, last line, cells, problem) of every record after the first ``skip``
    lines. A quote never closed would swallow the rest of the file: that line is refused
    alone and reading starts again on the next one."""
    while True:
        reader = csv.reader(physical[skip:], delimiter=delimiter)
        line = skip
        for cells in reader:
            start, line = line + 1, skip + reader.line_num
            problem, merged, at_end = None, line > start, line == len(physical)
            if merged or at_end:
                problem = _quoting(physical[start - 1 : line], cells, delimiter, len(headers))
            if problem and at_end and _unclosed(physical[start - 1 : line]):
                yield start, start, [], f"a quote opened on line {start} is never closed"
                skip = start
                break
            if problem and merged:
                problem = f"a quote opened on line {start} runs to line {line}: {problem}"
            yield start, line, cells, problem if merged else None
        else:
            return


def _quoting(lines: list[str], cells: list[str], delimiter: str, columns: int) -> str | None:
    """Why a record spanning ``lines`` looks like rows merged by a stray quote, if it does:
    its quotes do not pair up, or a line inside a cell reads like a row of its own."""
    try:
        list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error:
        return "its quotes do not pair up; the lines are not imported, fix the quote"
    # Two separators at least: a note's line with one comma is no row of a 2-column file.
    enough = max(columns - 1, 2)
    for cell in cells:
        for inner in cell.splitlines()[1:]:
            if inner.count(delimiter) >= enough:
                return "a line inside it reads as a row; the lines are not imported, fix the quote"
    return None


def _unclosed(lines: list[str]) -> bool:
    """The reader hit the end of the file inside quotes: their count is odd."""
    return "".join(lines).count('"') % 2 == 1


def _too_long(headers: list[str], cells: list[str]) -> str | None:
    if max(map(len, cells), default=0) <= MAX_CELL:  # every row but a broken file's
        return None
    for header, cell in zip(headers, cells, strict=False):
        if len(cell) > MAX_CELL:
            return f"{header or 'a column'}: longer than {MAX_CELL:,} characters"
    return None


def _cells(headers: list[str], cells: list[str]) -> dict[str, str]:
    return {h: unescape_cell(c.strip()) for h, c in zip(headers, cells, strict=False) if h}


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        return max(DELIMITERS, key=first.count)


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for header in headers:
        count = seen.get(header, 0) + 1
        seen[header] = count
        unique.append(header if count == 1 or not header else f"{header} ({count})")
    return unique


def escape_cell(value: str) -> str:
    """Make a value safe to open in a spreadsheet: it can never run as a formula."""
    if value.startswith(_FORMULA) or value[:1] in ("\t", "\r", "\n"):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo :func:`escape_cell`, so an exported file imports back unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r\n":
        return value[1:]
    return value
