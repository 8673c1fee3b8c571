"""Two-way sync between Rapport and a spreadsheet, one read and one write per sheet.

For every cell the engine knows three values: what the sheet held after the last sync
(the base, in ``sheets_base``), what the sheet holds now, and what the database holds
now. A manager's edit (sheet differs from base) goes through the service layer on the
``sheet`` channel, so validation, plugins' rules and the audit log apply. A change made
elsewhere (database differs from base) is written to the sheet. When both changed, the
database wins by default and the manager's value is kept in the audit log and shown in
the row's "Rapport says" column. A refused edit is never applied: the database keeps its
value and the row says why, until the cell is fixed. A deleted row is restored; a row
without an ID creates a record.

A cycle changes the database and the sheet together: the base is saved only once the
sheet's write has landed (:mod:`.state`), and a record created from a row is remembered
before the write that gives the row its ID. A row that no longer belongs to its ID is
refused (:mod:`.identity`), a column whose header is gone is read as no information, and
an emptied or lost tab is rebuilt with nothing read from it. A tab is found by the mark
it carries (:func:`find_tab`), so a renamed tab is followed, never taken for deleted rows.

A row applied from the sheet is shown as stored (a stage in its own letters, a phone as
normalised), so the next cycle reads no edit in it; a formula typed into a data cell is
refused and the stored value shown again; a conflict's note stays until it is cleared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import select

from rapport.adapters.sheets import state
from rapport.adapters.sheets.identity import Doubt, Fingerprints, row_key
from rapport.adapters.sheets.layout import (
    STATUS,
    Column,
    Formula,
    SheetLayout,
    canonical,
    layouts,
    signature,
    typed,
)
from rapport.adapters.sheets.memory import Signature
from rapport.adapters.sheets.reading import Read, Reader
from rapport.adapters.sheets.records import KeptCells, Stamp
from rapport.core.db.tables import CustomerRow, DealRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import InvalidInput, NotFound, PluginFailed, RapportError
from rapport.core.domain.values import MAX_ID, printable
from rapport.core.explain import explain
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.archive import Archivable, set_archived
from rapport.core.services.customers import (
    create_customer,
    customer_names,
    get_customer,
    list_customers,
    update_customer,
)
from rapport.core.services.deals import (
    create_deal,
    deal_values,
    move_deal,
    update_deal,
)
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import person_acting

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)
_l = texts.lazy
T = TypeVar("T")
ALL = 1_000_000
SCRAMBLED = 3
"""More rows than this not fitting their IDs is one scramble (a sort), reported as one."""
MAX_ARCHIVED_AT_ONCE = 20


class Backend(Protocol):
    locale: str | None
    """How the sheet's people write numbers (Google's spreadsheet locale), if it says."""
    copies: bool
    """Whether an older copy of the sheet can be saved over a later write: a file can, a
    live spreadsheet cannot."""
    generation: int | None
    """Which of Rapport's writes the sheet as read says it is (None: it does not say)."""

    def stamp(self, generation: int) -> None:
        """Number the coming write, in the sheet itself."""
        ...

    def tabs(self) -> dict[str, str | None]:
        """Every tab's title and which of Rapport's sheets it is marked as, if any."""
        ...

    def mark(self, title: str, key: str) -> None: ...
    def columns(self, title: str) -> dict[str, int]:
        """The tab's columns by the field key each is marked with, wherever they moved."""
        ...

    def mark_columns(self, title: str, positions: Mapping[str, int]) -> None:
        """Mark each field's column (with the coming write), where it is not yet."""
        ...

    def read(self, title: str) -> list[list[Any]] | None: ...
    def create(self, layout: SheetLayout, language: str) -> None: ...
    def write(self, title: str, cells: list[tuple[int, int, Any]]) -> None: ...
    def note(self, title: str, row: int, col: int, text: str) -> None:
        """Put a note (a comment) on a cell, or take it off when ``text`` is empty."""
        ...

    def flush(self) -> None: ...


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    appended: int = 0
    restored: int = 0
    archived: int = 0
    conflicts: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What was applied but deserves a look: a new customer like a stored one."""
    failed: list[str] = field(default_factory=list)
    """What this cycle could not read and left as it was: a failed plugin's columns and
    tables, a tab that was emptied, lost or lost its ID column."""
    editor: str = ""
    """Whose name the sheet's edits were made in."""


def sheet_editor(app: App) -> Actor:
    """Who the workbook's edits are made as: ``[sheets] editor``, else the person the CLI
    acts as, with that person's rights (a manager's discount limit, their team)."""
    wanted = app.settings.sheets.editor or app.settings.cli.user
    return person_acting(app, wanted, Channel.SHEET)


def sync(app: App, backend: Backend) -> SyncReport:
    """One full cycle over every sheet."""
    language = app.settings.language
    actor = sheet_editor(app)
    with UnitOfWork(app, read_only=True) as uow:
        users = dict(uow.session.execute(select(UserRow.id, UserRow.display_name)).all())
    stages = tuple(s.name for p in list_pipelines(app) if p.is_default for s in p.stages)
    report = SyncReport(editor=actor.display_name)
    copy = state.copy_read(app, backend.generation) if backend.copies else None
    sheets = [_Sheet(app, backend, layout, language, actor, users, report)
              for layout in layouts(app, users, stages, language)]  # fmt: skip
    for sheet in sheets:
        sheet.run(copy)
    _summary(app, backend, language, actor, report)
    generation = None
    if copy is not None and (copy.behind or any(sheet.rewrites() for sheet in sheets)):
        generation = copy.next
        backend.stamp(generation)
    backend.flush()
    if generation is not None:
        state.written(app, generation)
    for sheet in sheets:  # only now does the sheet hold what the bases will say it holds
        sheet.confirm(generation)
    return report


STAMP_KEYS = ("id", "version", "customer_id", "owner_id", "stage_id")
"""What tells whether a deal's cells are still those last made (:func:`_stamp`)."""
ROW_KEYS = (*STAMP_KEYS, "fields")
"""What a deal's row is made from besides its own columns: its customer's name, its
owner's, its stage's, its fields."""

SUMMARY = {"en": "Summary", "ru": "Сводка", "uk": "Зведення"}
SUMMARY_REPORTS = ("sales.plan", "sales.funnel")


def find_tab(backend: Backend, key: str, title: str) -> str | None:
    """The tab marked as sheet ``key``, whatever a manager renamed it to; else an unmarked
    tab titled ``title`` (laid out before tabs were marked), marked from now on."""
    tabs = backend.tabs()
    marked = [found for found, mark in tabs.items() if mark == key]
    if marked:
        return marked[0]
    if title in tabs and tabs[title] is None:
        backend.mark(title, key)
        return title
    return None


def _summary(app: App, backend: Backend, language: str, actor: Actor, report: SyncReport) -> None:
    """A read-only sheet with the plan-vs-fact and funnel tables, rewritten where it differs;
    the editor's figures (their team's), as the reports show them anywhere else."""
    tables = []
    for report_id in SUMMARY_REPORTS:
        spec = app.registry.reports.get(report_id)
        if spec is None:
            continue
        try:
            tables.append(app.hooks.call(spec.owner, f"report {spec.id}", spec.build, app,
                                         actor, {}))  # fmt: skip
        except PluginFailed as exc:
            report.failed.append(
                f"{SUMMARY.get(language, SUMMARY['en'])}: {explain(app, exc, language)}"
            )
            return  # the summary keeps its last good figures rather than losing a table
    if not tables:
        return
    wanted: list[list[Any]] = []
    for table in tables:
        wanted += [[table.title], list(table.columns)]
        wanted += [[_summary_cell(cell) for cell in row] for row in table.rows]
        wanted.append([])
    title = SUMMARY.get(language, SUMMARY["en"])
    found = find_tab(backend, "summary", title)
    grid = backend.read(found) if found else None
    if found:
        title = found
    if grid is None:
        backend.create(SheetLayout("summary", "summary", SUMMARY), language)
        backend.mark(title, "summary")
        grid = []
    width = max(len(row) for row in wanted + grid) if wanted or grid else 0
    cells = []
    for r in range(max(len(wanted), len(grid))):
        for c in range(width):
            want = wanted[r][c] if r < len(wanted) and c < len(wanted[r]) else ""
            have = grid[r][c] if r < len(grid) and c < len(grid[r]) else ""
            if _shown(want) != _shown(have):
                cells.append((r, c, want))
    backend.write(title, cells)


def _loaded(app: App, plugin: str) -> bool:
    return any(i.name == plugin and i.status == "loaded" for i in app.plugins.infos)


def _joined(*notes: str) -> str:
    return " | ".join(note for note in notes if note)


def _summary_cell(cell: Any) -> Any:
    """Figures stay numbers, so a manager can chart them; anything else is text."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, float | Decimal):
        return Decimal(str(cell))
    return "" if cell is None else str(cell)


def _shown(cell: Any) -> str:
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        return f"{Decimal(str(cell)).normalize():f}"
    return "" if cell is None else str(cell)


class _Sheet:
    def __init__(self, app: App, backend: Backend, layout: SheetLayout, language: str,
                 actor: Actor, users: Mapping[int, str], report: SyncReport) -> None:  # fmt: skip
        if layout.entity == "summary":
            raise ValueError("the summary sheet shows reports, it has no records to sync")
        self.app, self.backend, self.layout, self.actor = app, backend, layout, actor
        self.entity: Archivable = layout.entity
        self.language, self.users, self.report = language, users, report
        self.numbers = backend.locale or language  # how the sheet's people write numbers
        self._ = texts(app, language)
        self.title = layout.title(language)
        self.writes: list[tuple[int, int, Any]] = []
        self.touched: set[int] = set()  # records this cycle changed from the sheet
        self.positions: dict[str, int] = {}
        self.headers: dict[int, str] = {}  # position -> header text, as the sheet will hold it
        self.gone: set[str] = set()  # columns whose header was not found: no information
        self.doubtful = False  # rows that do not fit their IDs: which went missing is unclear
        self.rebuilt = False
        self.skipped = False
        self.seen: set[int] = set()  # records whose row was read
        self.held: set[int] = set()  # records on refused rows: their base stays as it was
        self.misfits: list[str] = []  # why each refused row does not fit its ID
        self.tab_notes: list[str] = []  # what is wrong with the whole tab this cycle
        self.tab_note = ""  # ... as the note at the top of the tab says it
        self.shown: dict[int, dict[str, str]] = {}  # what the sheet holds once written
        self.named: Counter[tuple[str, ...]] = Counter()  # new rows per identity, for row keys
        self.made: set[int] = set()  # records made from a row
        self.applied: dict[int, tuple[int, Mapping[str, Any]]] = {}  # record -> its row, its cells
        self.kept_notes: dict[int, str] = {}  # conflict notes the sheet shows until dismissed
        self.archived: set[int] = set()  # IDs on the sheet of records archived elsewhere
        self.restored_note = self._("Restored: rows are not deleted from the sheet")
        self.sheet_wins = app.settings.sheets.conflicts == "sheet"
        self.unavailable: set[str] = set()  # plugins' columns whose plugin failed this cycle
        self.state = state.SheetState()
        self.records: dict[int, dict[str, str]] = {}
        self.versions: dict[int, int] = {}
        self.fingerprints = Fingerprints({}, ())
        self.columns = {column.key: column for column in layout.columns}
        self._read_from_key = (-1, -1)
        self._read_from_cache: tuple[list[Column], list[Column], list[Column]] = ([], [], [])

    def run(self, copy: state.Copy | None = None) -> None:
        """Read the tab and work out its write; ``copy``: which of Rapport's writes the
        workbook file read says it is."""
        self.state = state.load(self.app, self.layout.name, copy)
        base = self.state.base
        found = find_tab(self.backend, self.layout.name, self.title)
        self.title = found or self.title
        if self.state.outdated:
            self.doubtful = True
            self._tab_says(self.report.failed, self._(
                "{tab}: this workbook was saved from a copy older than Rapport remembers, so "
                "nothing in it could be told new; nothing was read from it, and it shows what "
                "Rapport holds again", tab=self.title))  # fmt: skip
        grid = self.backend.read(found) if found else None
        if grid is None or not any(v not in (None, "") for row in grid for v in row):
            grid = self._rebuild(missing=grid is None)
        positions = self.positions = self._positions(grid)
        if "id" in self.gone and not self.rebuilt and len(grid) > 1:
            self.skipped = True
            self.report.failed.append(self._(
                "{tab}: the ID column is missing, so no row can be matched to its record; "
                "nothing was read from this tab or written to it (undo the change)",
                tab=self.title))  # fmt: skip
            return
        self.backend.mark_columns(self.title, positions)
        records, self.versions = self._records()
        reader = Reader(self.app, self.layout.name, positions, self.columns, self._compared(),
                        self.numbers)  # fmt: skip
        rows = [reader.read(row) for row in grid[1:]]
        reader.keep()
        self.archived = self._archived_on(rows, records)
        self._keep_unavailable(records, base)
        self.fingerprints = Fingerprints(base, [c.key for c in self._compared()])
        for index, read in enumerate(rows, start=1):
            note = self._row(index, read, records, base)
            if read.status != note:
                self._put(index, STATUS, note)
        self._report_misfits()
        present = self.seen | self.held
        missing = [rid for rid in records if rid not in present and rid in base]
        if missing and self._archives(len(missing), len(records)):
            for record_id in missing:
                set_archived(self.app, self.actor, self.entity, record_id)
                del records[record_id]
            self.report.archived += len(missing)
        next_row = len(grid)
        for record_id, values in records.items():
            if record_id in present:
                continue
            if record_id in base:
                self.report.restored += 1
                if not self.rebuilt:
                    values = {**values, STATUS: self.restored_note}
            else:
                self.report.appended += 1
            for key in positions:
                if key not in self.unavailable and values.get(key, ""):
                    self._put(next_row, key, values[key])
            next_row += 1
        if self.touched:  # re-read only what this cycle changed, not every record
            fresh, fresh_versions = self._records(self.touched)
            self._keep_unavailable(fresh, base)
            records.update(fresh)
            self.versions.update(fresh_versions)
        for record_id, (index, cells) in self.applied.items():
            self._show_as_stored(index, cells, records[record_id])
        for record_id, note in self.kept_notes.items():
            records[record_id] = {**records[record_id], STATUS: note}
        self.tab_note = "\n".join(self.tab_notes)
        if self.tab_note != self.state.tab_note:
            self.backend.note(self.title, 0, positions[STATUS], self.tab_note)
        self.backend.write(self.title, self.writes)
        self.records = records
        self.shown = self._shown()

    def _show_as_stored(self, index: int, cells: Mapping[str, Any],
                        stored: Mapping[str, str]) -> None:  # fmt: skip
        """A row applied this cycle shows what was stored (a new row's default stage, a
        phone as normalised, a stage in its own letters), so the next cycle reads no edit
        in it and no stale spelling is ever taken for one."""
        for key in set(self.positions) - self.unavailable - {STATUS, "id"}:
            column, value = self._column(key), stored.get(key, "")
            if self._differs(column, cells.get(key), value):
                self._put(index, key, value)

    def _differs(self, column: Column, cell: Any, stored: str) -> bool:
        """Whether a cell shows another value than ``stored``: a number or a date by its
        value (1 500,00 typed as text stays), anything else by the text a person sees."""
        if canonical(column, cell, self.numbers) != stored:
            return True
        if column.kind in ("number", "date") or cell is None:
            return False
        return printable(str(cell)).strip() != str(typed(column, stored))

    def _archived_on(self, rows: list[Read], records: Mapping[int, Any]) -> set[int]:
        """The IDs on the sheet of this sheet's records archived elsewhere (the bot, the
        CLI): their rows are cleared, not taken for rows whose record is unknown."""
        ids = {read.raw_id for read in rows}
        unknown = {int(i) for i in ids if i.isdigit() and 0 < int(i) <= MAX_ID} - set(records)
        if not unknown:
            return set()
        table = CustomerRow if self.entity == "customer" else DealRow
        with UnitOfWork(self.app, read_only=True) as uow:
            found = uow.session.scalars(
                select(table.id).where(table.archived.is_(True), table.id.in_(unknown))
            )
            return set(found)

    def rewrites(self) -> bool:
        """Whether the coming write changes what is remembered of the sheet."""
        return not self.skipped and state.rewrites(self.state, self.shown, self._layout_now())

    def confirm(self, generation: int | None) -> None:
        """The write landed (as ``generation``, for a file): remember what the sheet holds
        now."""
        if self.skipped:
            return
        state.confirm(self.app, self.layout.name, self.state, self.shown, self.versions,
                      self._layout_now(), generation, self.tab_note)  # fmt: skip

    def _shown(self) -> dict[int, dict[str, str]]:
        """What the sheet holds once the write lands. A refused row still holds what it
        held, so its record keeps its old base."""
        base, held = self.state.base, self.held - self.seen
        return {rid: base[rid] if rid in held else values
                for rid, values in self.records.items()
                if rid not in held or rid in base}  # fmt: skip

    def _rebuild(self, *, missing: bool) -> list[list[Any]]:
        """A tab that is not there, or holds nothing: laid out afresh, every record listed
        again and nothing read from it (a cleared tab is no one's edit)."""
        if missing:
            self.backend.create(self.layout, self.language)
            self.backend.mark(self.title, self.layout.name)
        header = [c.header(self.language) for c in self.layout.columns]
        self.writes += [(0, col, text) for col, text in enumerate(header)]
        if self.state.base:
            self.rebuilt = self.doubtful = True
            if missing:
                said = self._("{tab}: the tab was missing (deleted?); it was rebuilt from "
                              "Rapport and nothing was read from it", tab=self.title)  # fmt: skip
            else:
                said = self._("{tab}: the tab was empty; it was rebuilt from Rapport and "
                              "nothing was read from it", tab=self.title)  # fmt: skip
            self._tab_says(self.report.failed, said)
        return [header]

    # --- one row ---------------------------------------------------------------------

    def _row(self, index: int, read: Read, records: dict[int, dict[str, str]],
             base: dict[int, dict[str, str]]) -> str:  # fmt: skip
        cells, raw_id, values = read.cells, read.raw_id, read.values
        edited = {c.key: values[c.key] for c in self._editable()}
        if raw_id.isdigit() and int(raw_id) in self.archived:
            return self._clear(index)
        if not raw_id:
            formulas = self._formulas(index, cells, edited, values, ())
            if not any(edited.values()):
                return formulas
            if (copied := self.fingerprints.repeated(values)) is not None:
                return self._refuse(index, None, Doubt("repeats", copied), values, {})
            if self.entity == "deal":  # a new deal names its customer, read-only later
                edited["customer"] = values.get("customer", "")
            key = self._row_key(values)
            made = self.state.created.get(key)
            if made is None or made not in records:
                return _joined(formulas, self._create(index, edited, key, cells))
            # Made from this row by a cycle whose write did not land: give the row its ID,
            # take what was typed in it since, and show the rest as stored.
            self._put(index, "id", str(made))
            self.made.add(made)
            self.applied[made] = (index, cells)
            raw_id = str(made)
        if not raw_id.isdigit() or int(raw_id) not in records:
            self.doubtful = True
            return self._("Unknown ID {id}: put the original ID back, or clear it to add a new "
                          "record", id=raw_id)  # fmt: skip
        record_id = int(raw_id)
        current = records[record_id]
        # A copy too old to tell its edits from what Rapport wrote since says nothing new.
        synced = values if self.state.outdated else base.get(record_id, current)
        if self._unchanged(read, record_id, synced, current):
            self.seen.add(record_id)
            return self._still_shown(record_id, cells, synced)
        formulas = self._formulas(index, cells, edited, values, (synced, current))
        fixed = [k for k in self.layout.identity if k in values and self._column(k).read_only]
        # A row found by its key as the one a record was made from is that record's, blank
        # cells and all (the record has the defaults the row left out).
        doubt = None
        if record_id not in self.made:
            doubt = self.fingerprints.doubt(record_id, values, (synced, current), fixed)
        if doubt is not None:
            return self._refuse(index, record_id, doubt, values, current)
        if record_id in self.seen:
            self.doubtful = True
            return self._("ID {id} appears twice: this row was not read", id=record_id)
        self.seen.add(record_id)
        for column in self._shown_only():  # read-only: whatever the sheet says, put it back
            if values[column.key] != current.get(column.key, ""):
                self._put(index, column.key, current.get(column.key, ""))
        for key in self.gone - self.unavailable:  # a column put back: filled, never read
            if current.get(key, ""):
                self._put(index, key, current[key])
        patch, conflicts = {}, []
        for key, sheet_value in edited.items():
            was, now = synced.get(key, ""), current.get(key, "")
            if record_id in self.made and not sheet_value:
                continue  # left blank when the row was added: no information
            if sheet_value == now:
                continue  # both sides agree (also after a cycle cut short before writing)
            if sheet_value == was:
                self._put(index, key, now)  # changed elsewhere only
            elif now == was:
                patch[key] = sheet_value  # changed in the sheet only
            else:  # both changed: one side wins (the settings say which), the other is kept
                conflicts.append((key, sheet_value, now))
                if self.sheet_wins:
                    patch[key] = sheet_value
                else:
                    self._put(index, key, now)
        notes = [formulas] if formulas else []
        if conflicts:
            notes.append(self._conflict(record_id, conflicts))
            self.kept_notes[record_id] = notes[-1]
        if patch:
            try:
                # The fields were merged one by one above; the version read in this cycle
                # only guards against a change racing this very sync.
                self._apply(record_id, patch, self.versions[record_id])
                self.touched.add(record_id)
                self.applied[record_id] = (index, cells)
                self.report.updated += 1
            except RapportError as exc:
                reason = explain(self.app, exc, self.language)
                self.report.refused.append(f"{self.title} #{record_id}: {reason}")
                notes.append(self._("Not saved: {reason}", reason=reason))
        elif not notes:
            return self._still_shown(record_id, cells, synced)
        return " | ".join(notes)

    def _unchanged(self, read: Read, record_id: int, synced: Mapping[str, str],
                   current: Mapping[str, str]) -> bool:  # fmt: skip
        """Whether a row shows just what was synced, of a record unchanged since: nothing
        in it to take, check or put back, as the rest of :meth:`_row` would find at more
        cost. Most rows of a cycle are such rows."""
        if read.formula or self.gone or record_id in self.seen or record_id in self.made:
            return False
        return all(
            synced.get(key, "") == value and current.get(key, "") == value
            for key, value in read.values.items()
        )

    def _still_shown(self, record_id: int, cells: Mapping[str, Any],
                     synced: Mapping[str, str]) -> str:  # fmt: skip
        """A conflict's note stays on a row nothing new came from until the manager
        clears it: they may not have read it yet, and nothing resolved it."""
        shown = canonical(self._column(STATUS), cells.get(STATUS))
        if shown and shown == synced.get(STATUS):
            self.kept_notes[record_id] = shown
            return shown
        return ""

    def _formulas(self, index: int, cells: Mapping[str, Any], edited: dict[str, str],
                  values: dict[str, str], own: tuple[Mapping[str, str], ...]) -> str:  # fmt: skip
        """A formula typed into a data cell is refused: its result would be stored as if
        typed (a link's label as a name) and recomputed behind Rapport's back. The cell
        is read as holding what it held, and shows it again; the note says why. Text that
        only looks like a formula, stored as such, is no edit."""
        refused = [key for key in edited if isinstance(cells.get(key), Formula)
                   and edited[key] not in {values.get(key, "") for values in own}]  # fmt: skip
        for key in refused:
            edited[key] = values[key] = own[0].get(key, "") if own else ""
            if own:
                self._put(index, key, own[-1].get(key, ""))
        if not refused:
            return ""
        headers = ", ".join(f"«{self._column(key).header(self.language)}»" for key in refused)
        note = self._("{columns}: a formula is not taken as a value; type the value itself "
                      "(the cell shows what Rapport holds again)", columns=headers)  # fmt: skip
        self.report.refused.append(self._at(index, note))
        return note

    def _clear(self, index: int) -> str:
        """The row of a record archived elsewhere leaves the sheet, as the record left
        every list; it is not a row whose record is unknown."""
        for key in self.positions:
            if key != STATUS:
                self._put(index, key, "")
        return ""

    def _refuse(self, index: int, record_id: int | None, doubt: Doubt,
                values: Mapping[str, str], current: Mapping[str, str]) -> str:  # fmt: skip
        """A row that is not its ID's: nothing is read from it or written to it but this
        note, and neither its ID's record nor the one whose values it holds goes missing."""
        self.doubtful = True
        self.held.update(rid for rid in (record_id, doubt.holder) if rid is not None)
        _, label = self._, self._label(values)
        if doubt.kind == "holds":
            note = _("This row holds the values of #{holder} «{label}» under ID {id}: were the "
                     "rows sorted without the hidden ID column? Undo the sort, or put {holder} "
                     "back in its ID cell; nothing was read from this row",
                     holder=doubt.holder, label=label, id=record_id)  # fmt: skip
        elif doubt.kind == "repeats":
            note = _("This row repeats #{holder} «{label}»: were the rows sorted without the "
                     "hidden ID column? Undo the sort; nothing was read from this row",
                     holder=doubt.holder, label=label)  # fmt: skip
        elif doubt.kind == "disagrees":
            note = _("{header} «{shown}» is not #{id}'s ({header} «{own}»): nothing was read "
                     "from this row. If the rows were sorted without the hidden ID column, "
                     "undo the sort; otherwise put «{own}» back",
                     header=self._column(doubt.key).header(self.language),
                     shown=values.get(doubt.key, ""), id=record_id,
                     own=current.get(doubt.key, ""))  # fmt: skip
        else:
            note = _("This row no longer looks like #{id} ({count} cells differ): were the rows "
                     "sorted without the hidden ID column? Undo the sort, or change fewer cells "
                     "at once; nothing was read from this row",
                     id=record_id, count=doubt.differing)  # fmt: skip
        self.misfits.append(self._at(index, note))
        return note

    def _report_misfits(self) -> None:
        if len(self.misfits) <= SCRAMBLED:
            self.report.refused += self.misfits
            return
        notes = self._column(STATUS).header(self.language)
        self._tab_says(self.report.refused, self._(
            "{tab}: {count} rows do not fit their IDs; were the rows sorted without the hidden "
            "ID column? Undo the sort. Nothing was read from those rows; each says why in "
            "«{notes}»", tab=self.title, count=len(self.misfits), notes=notes))  # fmt: skip

    def _tab_says(self, into: list[str], said: str) -> None:
        """Something about the whole tab: said in the cycle's report and in the note at the
        top of the tab (on the «Rapport says» header), where its manager will see it."""
        into.append(said)
        self.tab_notes.append(said)

    def _at(self, index: int, note: str) -> str:
        """A note as the cycle's report says it: on which row of which tab."""
        return self._("{tab}, row {row}: {note}", tab=self.title, row=index + 1, note=note)

    def _label(self, values: Mapping[str, str]) -> str:
        return " / ".join(values[k] for k in self.layout.identity if values.get(k))

    def _row_key(self, values: Mapping[str, str]) -> str:
        """The new row's key: its identity and how many new rows before it share it."""
        named = tuple(values.get(k, "") for k in self.layout.identity)
        self.named[named] += 1
        return row_key(self.layout.name, named, self.named[named])

    def _create(self, index: int, values: dict[str, str], key: str,
                cells: Mapping[str, Any]) -> str:  # fmt: skip
        alike = self._alike(values)
        try:
            record_id = self._insert(dict(values))
        except RapportError as exc:
            reason = explain(self.app, exc, self.language)
            self.report.refused.append(self._at(index, reason))
            return self._("Not added: {reason}", reason=reason)
        state.remember_created(self.app, self.layout.name, key, record_id)
        if alike:
            self.kept_notes[record_id] = alike
            self.report.warnings.append(f"{self.title} #{record_id}: {alike}")
        self.report.created += 1
        self.touched.add(record_id)
        self.seen.add(record_id)
        self.made.add(record_id)
        self.applied[record_id] = (index, cells)
        self._put(index, "id", str(record_id))
        return alike

    def _alike(self, values: Mapping[str, str]) -> str:
        """What a new customer row has in common with stored customers (a phone, an
        e-mail, a similar name), by the contacts plugin's duplicate check when it is
        loaded. The row is still added (the sheet has no "add anyway" button); the note
        says whom it looks like, and stays until the manager clears it."""
        if self.entity != "customer" or not _loaded(self.app, "contacts"):
            return ""
        from rapport.plugins.contacts.api import find_duplicates

        wanted = {k: v for k, v in values.items() if k in ("name", "phones", "emails") and v}
        try:
            found = find_duplicates(self.app, self.actor, self._data(wanted))
        except RapportError:  # a value the service will refuse, with its reason
            return ""
        if not found:
            return ""
        listed = "; ".join(duplicate.describe(self.language) for duplicate in found)
        return self._("Added, but it looks like a customer you already have: {listed}. If it "
                      "is the same one, merge the two in the bot; clear this note once read",
                      listed=listed)  # fmt: skip

    def _conflict(self, record_id: int, conflicts: list[tuple[str, str, str]]) -> str:
        """Record the losing values of fields both sides changed; say so in the row."""
        losing, winning = ("database", "sheet") if self.sheet_wins else ("sheet", "database")
        with UnitOfWork(self.app) as uow:
            lost_values = {key: {losing: lost, "kept": kept}
                           for key, lost, kept in self._sides(conflicts)}  # fmt: skip
            changes.keep_unapplied(uow, self.actor, entity=self.entity, entity_id=record_id,
                                   action="sheet_conflict", values=lost_values)  # fmt: skip
            uow.commit()
        for key, lost, kept in self._sides(conflicts):
            self.report.conflicts.append(self._(
                "{tab} #{id}, «{column}»: «{lost}» gave way to «{kept}» (kept in the history)",
                tab=self.title, id=record_id, column=self._column(key).header(self.language),
                lost=lost, kept=kept))  # fmt: skip
        named = ", ".join(
            f"{self._column(key).header(self.language)} «{lost}»"
            for key, lost, _ in self._sides(conflicts)
        )
        if winning == "sheet":
            return self._("Changed elsewhere meanwhile; your edit replaced {named} (kept in the "
                          "history)", named=named)  # fmt: skip
        return self._("Changed elsewhere meanwhile; your {named} was not applied (kept in the "
                      "history)", named=named)  # fmt: skip

    def _sides(self, conflicts: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """(field, losing value, kept value) for each conflict, by the configured rule."""
        if self.sheet_wins:
            return [(key, database, sheet) for key, sheet, database in conflicts]
        return list(conflicts)

    # --- mapping to the service layer ------------------------------------------------

    def _apply(self, record_id: int, patch: dict[str, str], version: int | None) -> None:
        self._save_plugin_columns(record_id, patch)
        data = self._data(patch)
        if self.entity == "customer":
            update_customer(self.app, self.actor, record_id, data, expected_version=version)
            return
        stage = data.pop("stage", None)
        reason = data.pop("lost_reason", None)
        if data:
            update_deal(self.app, self.actor, record_id, data, expected_version=version)
        if stage is not None:
            move_deal(self.app, self.actor, record_id, stage, lost_reason=reason)

    def _insert(self, values: dict[str, str]) -> int:
        customer = values.pop("customer", "")
        plugin_values = {k: v for k, v in values.items() if k.startswith("computed.") and v}
        data = self._data({k: v for k, v in values.items() if v and k not in plugin_values})
        if self.entity == "customer":
            record_id = create_customer(self.app, self.actor, data).id
        else:
            data.pop("lost_reason", None)
            data["customer_id"] = self._customer_named(customer)
            record_id = create_deal(self.app, self.actor, data).id
        self._save_plugin_columns(record_id, plugin_values)
        return record_id

    def _save_plugin_columns(self, record_id: int, patch: dict[str, str]) -> None:
        """Hand edits of plugins' columns to their plugins; ``patch`` keeps the rest."""
        for key in [k for k in patch if k.startswith("computed.")]:
            column = self._column(key)
            assert column.save is not None  # read-only columns are never in a patch
            column.save(self.actor, record_id, patch.pop(key) or None)

    def _archives(self, missing: int, total: int) -> bool:
        """Archive deleted rows only when the setting says so and the deletion looks meant.

        A row whose ID was edited, or that does not fit its ID, hides which record went
        missing (so does a tab rebuilt from nothing), and a sheet that lost
        most of its rows at once, or every one (a small team's whole tab), was more likely
        cleared by accident: both are restored.
        """
        if self.app.settings.sheets.deleted_rows != "archive" or self.doubtful:
            return False
        if missing > max(MAX_ARCHIVED_AT_ONCE, total // 10) or 1 < missing == total:
            self.restored_note = self._(
                "Restored: {count} rows vanished at once, too many to archive; delete fewer "
                "rows per sync, or archive them from the bot or the CLI",
                count=missing,
            )
            return False
        return True

    def _customer_named(self, name: str) -> int:
        header = self._column("customer").header(self.language)
        if not name:
            raise InvalidInput.one(header, _l("say which customer the deal is for"))
        found = [c.id for c in list_customers(self.app, self.actor, limit=ALL)
                 if c.name.casefold() == name.casefold()]  # fmt: skip
        if len(found) != 1:
            named = repr(name)
            problem = (_l("{name} is not a customer: use the name on the Customers sheet",
                          name=named) if not found else
                       _l("{name} names several customers: use the name on the Customers sheet",
                          name=named))  # fmt: skip
            raise InvalidInput.one(header, problem)
        return found[0]

    def _data(self, patch: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        owners = {name.casefold(): uid for uid, name in self.users.items()}
        for key, value in patch.items():
            column = self._column(key)
            if key.startswith("fields."):
                data.setdefault("fields", {})[key.removeprefix("fields.")] = value or None
            elif key == "owner":
                if value and value.casefold() not in owners:
                    unknown = _l("{value} is not a user", value=repr(value))
                    raise InvalidInput.one(column.header(self.language), unknown)
                data["owner_id"] = owners.get(value.casefold()) if value else None
            elif column.kind == "list":
                data[key] = [p.strip() for p in value.split(";") if p.strip()]
            else:
                data[key] = value or None
        return data

    # --- reading -----------------------------------------------------------------------

    def _records(
        self, only: set[int] | None = None
    ) -> tuple[dict[int, dict[str, str]], dict[int, int]]:
        """Cell values and versions as the database holds them now (of ``only`` these).

        Read in full, a record keeps the cells the last full read of this process made
        if its stamp is the same (:mod:`records`): only the other deals are read whole."""
        if self.entity == "customer":
            customers = (
                self._visible(get_customer, only)
                if only is not None
                else list_customers(self.app, self.actor, limit=ALL)
            )
            rows = [c.model_dump() for c in customers]
        else:
            rows = (
                self._deal_rows(STAMP_KEYS) if only is None else self._deal_rows(ids=sorted(only))
            )
        ids = [row["id"] for row in rows]
        looked_up = {}
        for column in self.layout.columns:
            if column.lookup is None or column.key in self.unavailable:
                continue
            try:
                looked_up[column.key] = self.app.hooks.call(
                    column.owner, f"sheet column {column.header('en')!r}", column.lookup, ids
                )
            except PluginFailed as exc:
                self.unavailable.add(column.key)
                reason = explain(self.app, exc, self.language)
                self._tab_says(self.report.failed, f"{self.title}: {reason}")
        kept = KeptCells(self.app, self.layout.name, self._cells_signature())
        stamps = {row["id"]: self._stamp(row, looked_up) for row in rows}
        records: dict[int, dict[str, str] | None] = {
            rid: kept.find(rid, stamps[rid]) for rid in ids
        }
        versions = {row["id"]: row["version"] for row in rows}
        made = [row for row in rows if records[row["id"]] is None]
        if only is None and self.entity == "deal" and made:  # stamps only so far
            made = self._deal_rows(ids=[row["id"] for row in made])
        for row in made:
            records[row["id"]] = cells = self._cells(row, looked_up)
            versions[row["id"]] = row["version"]  # the cells' own, if it changed meanwhile
            kept.add(row["id"], stamps[row["id"]], cells)
        if only is None:
            kept.keep()
        return {rid: cells for rid, cells in records.items() if cells is not None}, versions

    def _stamp(self, row: Mapping[str, Any], looked_up: Mapping[str, Mapping[int, Any]]) -> Stamp:
        """What a record's cells are made from besides its own row, whose every change
        bumps its version."""
        owner = self.users.get(row["owner_id"]) if row.get("owner_id") is not None else None
        return (row["version"], row.get("stage"), row.get("customer"), owner,
                *(values.get(row["id"]) for values in looked_up.values()))  # fmt: skip

    def _cells_signature(self) -> Signature:
        """What every record's cells depend on: the columns, as laid out this cycle."""
        return signature(self.layout.columns), tuple(sorted(self.unavailable))

    def _visible(self, get: Callable[[App, Actor, int], T], ids: set[int]) -> list[T]:
        """The records among ``ids`` the workbook's editor may see: the workbook is theirs,
        and shows (and takes) only what their role lets them see, like any other channel."""
        found = []
        for record_id in ids:
            try:
                found.append(get(self.app, self.actor, record_id))
            except NotFound:
                continue
        return found

    def _deal_rows(self, keys: Sequence[str] | None = None,
                   ids: Sequence[int] | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """The deals the editor sees (of ``ids``, if given), with their stage's and
        customer's names; with ``keys``, just those columns, else every one the row is made
        from."""
        stages = {s.id: s.name for p in list_pipelines(self.app) for s in p.stages}
        deals = deal_values(self.app, self.actor, keys or [*ROW_KEYS, *self.columns], ids)
        with UnitOfWork(self.app, read_only=True) as uow:
            names = customer_names(uow.session, (d["customer_id"] for d in deals))
        for deal in deals:
            deal["stage"] = stages[deal["stage_id"]]
            deal["customer"] = names.get(deal["customer_id"], "")
        return deals

    def _cells(
        self, row: Mapping[str, Any], looked_up: Mapping[str, Mapping[int, Any]]
    ) -> dict[str, str]:
        values: dict[str, str] = {}
        for column in self.layout.columns:
            if column.key == STATUS or column.key in self.unavailable:
                continue
            raw: Any
            if column.key in looked_up:
                raw = looked_up[column.key].get(row["id"])
            elif column.key.startswith("fields."):
                raw = row["fields"].get(column.key.removeprefix("fields."))
            elif column.key == "owner":
                owner_id = row.get("owner_id")
                raw = "" if owner_id is None else self.users.get(owner_id, "")
            else:
                raw = row.get(column.key)
            if isinstance(raw, list):
                raw = "; ".join(map(str, raw))
            if hasattr(raw, "value"):
                raw = raw.value
            values[column.key] = canonical(column, raw)
        return values

    def _keep_unavailable(
        self, records: dict[int, dict[str, str]], base: dict[int, dict[str, str]]
    ) -> None:
        """A failed plugin's column reads as it was last synced: nothing in it is put back,
        cleared or taken for an edit until the plugin answers again."""
        for record_id, values in records.items():
            for key in self.unavailable:
                if key in base.get(record_id, {}):
                    values[key] = base[record_id][key]

    def _positions(self, grid: list[list[Any]]) -> dict[str, int]:
        """Each column's position: found by its header in any language, by the header it
        had last time (a manager's name for it), by the mark it carries (which moves with
        it), else where it stood, if the header there is one no column has and no column
        was added or removed (renamed in place). A column found none of these ways is put
        back at the end, read as no information."""
        shown = ["" if h is None else str(h).strip() for h in grid[0]]
        header = [h.casefold() for h in shown]
        width = max(len(row) for row in grid)
        known = set().union(*(c.names() for c in self.layout.columns))
        remembered = self.state.columns
        same_width = bool(remembered) and width == 1 + max(at for at, _ in remembered.values())
        positions: dict[str, int] = {}
        ours = {c.key for c in self.layout.columns}

        def place(column: Column, names: set[str]) -> None:
            for index, name in enumerate(header):
                if name and name in names and index not in positions.values():
                    positions[column.key] = index
                    return

        for column in self.layout.columns:
            place(column, column.names())
        for column in self.layout.columns:
            if column.key not in positions and column.key in remembered:
                place(column, {remembered[column.key][1].casefold()} - known)
        # Then the mark a column carries, which Excel, LibreOffice and Google move with it
        # (a header renamed and moved at once); not over a header naming another column, as
        # a tool that moves columns without their names would leave it.
        named = dict(enumerate(header))
        for key, at in self.backend.columns(self.title).items():
            unclaimed = at < width and at not in positions.values()
            if key in ours and key not in positions and unclaimed and named.get(at) not in known:
                positions[key] = at
                if not named.get(at):  # a header cleared by mistake is put back
                    self.writes.append((0, at, self._column(key).header(self.language)))
        for column in self.layout.columns:
            was = remembered.get(column.key, (width, ""))[0]
            if column.key in positions or not same_width or was >= width:
                continue
            name = header[was] if was < len(header) else ""
            if name not in known and was not in positions.values():
                positions[column.key] = was
                if not name:  # a header cleared by mistake is put back
                    self.writes.append((0, was, column.header(self.language)))
        for column in self.layout.columns:
            if column.key not in positions:
                positions[column.key] = width
                width += 1
                self.gone.add(column.key)
                self.writes.append((0, positions[column.key], column.header(self.language)))
        self.headers = {at: shown[at] for at in range(len(shown)) if shown[at]}
        if len(grid) > 1:
            taken = {h.casefold() for _, h in remembered.values()} | known
            self._say_gone(sorted(self.gone & set(remembered)),
                           [h for h in shown if h and h.casefold() not in taken])  # fmt: skip
        return positions

    def _say_gone(self, keys: list[str], unknown: list[str]) -> None:
        """A column that was there at the last write and is not found now is put back, and
        said: typing in a column renamed past recognition must not be silently dropped."""
        for key in keys:
            column = self._column(key).header(self.language)
            if unknown:
                said = self._("{tab}: the column «{column}» was not found (deleted, or renamed "
                              "while another column was added or removed?); it was put back at "
                              "the end, filled from Rapport, and nothing in it was read. "
                              "Columns Rapport does not know are left alone: {unknown}; if one "
                              "is «{column}», delete it and type in the column put back",
                              tab=self.title, column=column,
                              unknown=", ".join(f"«{h}»" for h in unknown))  # fmt: skip
            else:
                said = self._("{tab}: the column «{column}» was not found (deleted?); it was put "
                              "back at the end, filled from Rapport, and nothing in it was read",
                              tab=self.title, column=column)  # fmt: skip
            self._tab_says(self.report.failed, said)

    def _layout_now(self) -> dict[str, tuple[int, str]]:
        """Where each column stands once the write lands, under which header."""
        return {key: (at, self.headers.get(at) or self._column(key).header(self.language))
                for key, at in self.positions.items()}  # fmt: skip

    def _put(self, row: int, key: str, value: Any) -> None:
        self.writes.append((row, self.positions[key], typed(self._column(key), value)))

    def _column(self, key: str) -> Column:
        return self.columns[key]

    def _compared(self) -> list[Column]:
        """The columns a row is read from: not the ID or the notes, nor a column that is
        not there (put back this cycle) or whose plugin failed."""
        return self._read_from()[0]

    def _editable(self) -> list[Column]:
        return self._read_from()[1]

    def _shown_only(self) -> list[Column]:
        return self._read_from()[2]

    def _read_from(self) -> tuple[list[Column], list[Column], list[Column]]:
        """The compared, editable and shown-only columns, worked out again only when a
        column went missing or its plugin failed (both only ever grow within a cycle): a
        row asks for them several times, and a sheet has thousands of rows."""
        key = (len(self.unavailable), len(self.gone))
        if self._read_from_key != key:
            compared = [c for c in self.layout.columns if c.key not in ("id", STATUS)
                        and c.key not in self.unavailable and c.key not in self.gone]  # fmt: skip
            self._read_from_cache = (
                compared,
                [c for c in compared if not c.read_only],
                [c for c in compared if c.read_only],
            )
            self._read_from_key = key
        return self._read_from_cache
