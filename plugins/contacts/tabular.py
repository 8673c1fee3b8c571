"""Reading the files people import: CSV from any Excel, and vCard.

Russian Excel saves "CSV" in Windows-1251 with ';' between columns; Google Sheets and
LibreOffice save UTF-8 with ','. Both are recognised without asking: a UTF-8 or UTF-16
byte order mark decides, then strict UTF-8, then Windows-1251 (every byte decodes in
it, so it is the last resort); ``encoding`` overrides the guess.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from rapport.core.domain.errors import InvalidInput
from rapport.plugins.contacts.vcard import parse_vcards

DELIMITERS = ",;\t|"
_FORMULA = ("=", "+", "-", "@")


@dataclass(frozen=True)
class SourceRow:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class SourceTable:
    headers: list[str]
    rows: list[SourceRow]
    encoding: str
    delimiter: str | None
    kind: str


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InvalidInput.one("file", f"cannot be read as {encoding}: {exc}") from None
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251"), "cp1251"


def read_source(data: bytes, filename: str, encoding: str | None = None) -> SourceTable:
    if not data.strip():
        raise InvalidInput.one("file", "is empty")
    text, used = decode(data, encoding)
    if filename.lower().endswith((".vcf", ".vcard")) or text.lstrip().upper().startswith(
        "BEGIN:VCARD"
    ):
        cards = parse_vcards(text)
        headers = list(cards[0].values)
        return SourceTable(
            headers, [SourceRow(c.line, c.values) for c in cards], used, None, "vcard"
        )
    return _read_csv(text, used)


def _read_csv(text: str, encoding: str) -> SourceTable:
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput.one("file", "is empty") from None
    headers = _unique([h.strip().lstrip("\ufeff") for h in header])
    if not any(headers):
        raise InvalidInput.one("file", "the first line must name the columns")
    rows = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        values = {h: unescape_cell(c.strip()) for h, c in zip(headers, cells, strict=False) if h}
        rows.append(SourceRow(start, values))
    return SourceTable(headers, rows, encoding, delimiter, "csv")


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
