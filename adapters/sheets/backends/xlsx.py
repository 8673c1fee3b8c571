"""A local .xlsx workbook (the embedded default), opened by managers in Excel or LibreOffice.

The workbook is read once and written once per cycle, through a temporary file renamed
over the old one, so a crash mid-write never leaves a half-written workbook. While the
workbook is open in Excel or LibreOffice (their lock file sits next to it) it is not
written, as their next save would write over it: the cycle fails, to be completed later. Text is
always stored as text: a value typed as "=HYPERLINK(...)" stays a string, never a formula;
a formula a person typed is read as its text (:class:`~..layout.Formula`), never as its
result. Each tab Rapport lays out carries a hidden sheet-level name saying which sheet it
is, which Excel and LibreOffice keep through a rename, so a renamed tab is still found;
the workbook carries a hidden name numbering Rapport's last write of it, so an older copy
saved over a later write is known for one; each of Rapport's columns carries a hidden
name referring to it, which Excel and LibreOffice move with the column.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter, quote_sheetname
from openpyxl.workbook import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from rapport.adapters.sheets.layout import STATUS, Formula, SheetLayout
from rapport.core.domain.errors import RapportError
from rapport.core.domain.values import printable
from rapport.core.i18n import Catalogue

_l = Catalogue(Path(__file__).parents[1] / "locales").lazy

HEADER = PatternFill("solid", fgColor="DDE6F0")
NOTE = PatternFill("solid", fgColor="FCE4D6")
ROWS_VALIDATED = 5000
MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"
MARK = "Rapport.sheet"
"""The sheet-level defined name holding which of Rapport's sheets a tab is."""
COLUMN = "Rapport.column."
"""Sheet-level defined names ``Rapport.column.<key>`` refer to the column holding a field;
Excel and LibreOffice move the reference with the column when columns are moved, added
or deleted, so a column renamed and moved at once is still known."""
NAMEABLE = re.compile(r"^[A-Za-z0-9_.]{1,200}$")
GENERATION = "Rapport.generation"
"""The workbook-level defined name numbering Rapport's last write of the file, which a
copy saved over a later write still carries."""


class WorkbookUnwritable(RapportError):
    """The workbook could not be written this cycle; the next one writes it."""


def lock_files(path: Path) -> list[Path]:
    """The lock files of the programs that have ``path`` open: LibreOffice, then Excel."""
    names = (f".~lock.{path.name}#", f"~${path.name}")
    return [path.with_name(name) for name in names if path.with_name(name).exists()]


class XlsxBook:
    copies = True  # a file: a manager can save an older copy of it over a later write

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book: Workbook = openpyxl.load_workbook(path) if path.exists() else _empty()
        self.changed = False
        self.locale: str | None = None  # a workbook has none: the team's language applies
        self.generation = _generation(self.book)

    def stamp(self, generation: int) -> None:
        self.book.defined_names[GENERATION] = DefinedName(GENERATION, attr_text=str(generation),
                                                          hidden=True)  # fmt: skip
        self.changed = True

    def tabs(self) -> dict[str, str | None]:
        marks = {sheet.title: sheet.defined_names.get(MARK) for sheet in self.book.worksheets}
        return {title: name.attr_text.strip('"') if name else None
                for title, name in marks.items()}  # fmt: skip

    def mark(self, title: str, key: str) -> None:
        self.book[title].defined_names[MARK] = DefinedName(MARK, attr_text=f'"{key}"',
                                                          hidden=True)  # fmt: skip
        self.changed = True

    def columns(self, title: str) -> dict[str, int]:
        marks: dict[str, int] = {}
        for name, defined in self.book[title].defined_names.items():
            if name.startswith(COLUMN) and (at := _column_of(defined.attr_text)) is not None:
                marks[name.removeprefix(COLUMN)] = at
        return marks

    def mark_columns(self, title: str, positions: Mapping[str, int]) -> None:
        sheet = self.book[title]
        marked = self.columns(title)
        for key, at in positions.items():
            if marked.get(key) != at and NAMEABLE.match(key):
                letter = get_column_letter(at + 1)
                sheet.defined_names[COLUMN + key] = DefinedName(
                    COLUMN + key,
                    attr_text=f"{quote_sheetname(title)}!${letter}:${letter}",
                    hidden=True,
                )
                self.changed = True

    def read(self, title: str) -> list[list[Any]] | None:
        if title not in self.book.sheetnames:
            return None
        return [[Formula(cell.value) if cell.data_type == "f" else cell.value for cell in row]
                for row in self.book[title].iter_rows()]  # fmt: skip

    def create(self, layout: SheetLayout, language: str) -> None:
        sheet = self.book.create_sheet(layout.title(language))
        for index, column in enumerate(layout.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.header(language))
            cell.font, cell.fill = Font(bold=True), HEADER
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = 12 if column.kind == "id" else 22
            if column.key == "id":
                sheet.column_dimensions[letter].hidden = True
            choices = ",".join(column.shown_choices())
            if choices and len(choices) < 250:
                rule = DataValidation(type="list", formula1=f'"{choices}"',
                                      allow_blank=True, showErrorMessage=False)  # fmt: skip
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{ROWS_VALIDATED}")
            if column.key == STATUS:
                sheet.column_dimensions[letter].width = 60
        sheet.freeze_panes = "B2"
        self.changed = True

    def note(self, title: str, row: int, col: int, text: str) -> None:
        cell = self.book[title].cell(row=row + 1, column=col + 1)
        cell.comment = Comment(printable(text), "Rapport", width=480, height=160) if text else None
        self.changed = True

    def write(self, title: str, cells: list[tuple[int, int, Any]]) -> None:
        sheet = self.book[title]
        for row, col, value in cells:
            cell = sheet.cell(row=row + 1, column=col + 1)
            cell.value = _value(value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: never a formula
            elif isinstance(value, Decimal):
                cell.number_format = MONEY
            elif isinstance(value, date):
                cell.number_format = DATE
            if row and str(sheet.cell(row=1, column=col + 1).value).startswith("Rapport"):
                cell.fill = NOTE if value else PatternFill()
        self.changed = self.changed or bool(cells)

    def flush(self) -> None:
        if not self.changed:
            return
        if locks := lock_files(self.path):
            raise WorkbookUnwritable(
                _l(
                    "{name} is open in Excel or LibreOffice ({lock} is next to it), so it was "
                    "not written: close it there; the next sync will write it",
                    name=self.path.name,
                    lock=locks[0].name,
                )
            )
        try:
            handle, temporary = tempfile.mkstemp(
                dir=self.path.parent, prefix=f".~{self.path.stem}-", suffix=".xlsx"
            )
            os.close(handle)
            os.chmod(temporary, _mode(self.path))
            try:
                self.book.save(temporary)
                os.replace(temporary, self.path)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        except OSError as exc:
            raise WorkbookUnwritable(
                _l(
                    "{path} could not be written ({problem}); the next sync will try again",
                    path=str(self.path),
                    problem=str(exc.strerror or exc),
                )
            ) from None
        self.changed = False


def _mode(path: Path) -> int:
    """The workbook keeps its permissions; a new one gets what the user's umask gives a new
    file (mkstemp's 0600 would lock colleagues on a shared folder out)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _column_of(reference: str | None) -> int | None:
    """The column a name refers to (``'Deals'!$E:$E``), or None once it was deleted."""
    found = re.fullmatch(r".*!\$?([A-Z]{1,3}):\$?\1", reference or "")
    return column_index_from_string(found[1]) - 1 if found else None


def _generation(book: Workbook) -> int | None:
    name = book.defined_names.get(GENERATION)
    text = name.attr_text.strip() if name is not None and name.attr_text else ""
    return int(text) if text.isdigit() and len(text) < 10 else None


def _empty() -> Workbook:
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])  # the sheet a new workbook starts with
    return book


def _value(value: Any) -> Any:
    """Numbers and dates as the engine typed them (so Excel can sum them), the rest as text
    a workbook can hold (openpyxl refuses control characters, and one would stop every sync)."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | datetime | date):
        return value
    return printable(str(value))
