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
an emptied or lost tab is rebuilt with nothing read from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from rapport.adapters.sheets import state
from rapport.adapters.sheets.identity import Doubt, Fingerprints, row_key
from rapport.adapters.sheets.layout import STATUS, Column, SheetLayout, canonical, layouts, typed
from rapport.core.db.tables import UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import InvalidInput, PluginFailed, RapportError
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
from rapport.core.services.deals import create_deal, get_deal, list_deals, move_deal, update_deal
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import person_acting

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

_l = texts_for(__file__).lazy
ALL = 1_000_000
SCRAMBLED = 3
"""More rows than this not fitting their IDs is one scramble (a sort), reported as one."""
MAX_ARCHIVED_AT_ONCE = 20


class Backend(Protocol):
    def read(self, title: str) -> list[list[Any]] | None: ...
    def create(self, layout: SheetLayout, language: str) -> None: ...
    def write(self, title: str, cells: list[tuple[int, int, Any]]) -> None: ...
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
    sheets = [_Sheet(app, backend, layout, language, actor, users, report)
              for layout in layouts(app, users, stages)]  # fmt: skip
    for sheet in sheets:
        sheet.run()
    _summary(app, backend, language, report)
    backend.flush()
    for sheet in sheets:  # only now does the sheet hold what the bases will say it holds
        sheet.confirm()
    return report


SUMMARY = {"en": "Summary", "ru": "Сводка", "uk": "Зведення"}
SUMMARY_REPORTS = ("sales.plan", "sales.funnel")


def _summary(app: App, backend: Backend, language: str, report: SyncReport) -> None:
    """A read-only sheet with the plan-vs-fact and funnel tables, rewritten where it differs."""
    tables = []
    for report_id in SUMMARY_REPORTS:
        spec = app.registry.reports.get(report_id)
        if spec is None:
            continue
        try:
            tables.append(app.hooks.call(spec.owner, f"report {spec.id}", spec.build, app,
                                         Actor.system(), {}))  # fmt: skip
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
    grid = backend.read(title)
    if grid is None:
        backend.create(SheetLayout("summary", "summary", SUMMARY), language)
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
        self.named: Counter[tuple[str, ...]] = Counter()  # new rows per identity, for row keys
        self.made: dict[int, tuple[int, dict[str, str]]] = {}  # record -> the new row it came from
        self.restored_note = "Restored: rows are not deleted from the sheet"
        self.sheet_wins = app.settings.sheets.conflicts == "sheet"
        self.unavailable: set[str] = set()  # plugins' columns whose plugin failed this cycle
        self.state = state.SheetState()
        self.records: dict[int, dict[str, str]] = {}
        self.versions: dict[int, int] = {}
        self.fingerprints = Fingerprints({}, ())

    def run(self) -> None:
        self.state = state.load(self.app, self.layout.name)
        base = self.state.base
        grid = self.backend.read(self.title)
        if grid is None or not any(v not in (None, "") for row in grid for v in row):
            grid = self._rebuild(missing=grid is None)
        positions = self.positions = self._positions(grid)
        if "id" in self.gone and not self.rebuilt and len(grid) > 1:
            self.skipped = True
            self.report.failed.append(
                f"{self.title}: the ID column is missing, so no row can be matched to its "
                "record; nothing was read from this tab or written to it (undo the change)"
            )
            return
        records, self.versions = self._records()
        self._keep_unavailable(records, base)
        self.fingerprints = Fingerprints(base, [c.key for c in self._compared()])
        for index, row in enumerate(grid[1:], start=1):
            cells = {key: (row[col] if col < len(row) else None) for key, col in positions.items()}
            note = self._row(index, cells, records, base)
            if canonical(self._column(STATUS), cells.get(STATUS)) != note:
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
        for record_id, (index, shown) in self.made.items():
            self._show_as_stored(index, shown, records[record_id])
        self.backend.write(self.title, self.writes)
        self.records = records

    def _show_as_stored(self, index: int, shown: Mapping[str, str],
                        stored: Mapping[str, str]) -> None:  # fmt: skip
        """A row that made a record shows what was stored (its default stage, the phone as
        normalised), so the next cycle reads no edit in it."""
        for key in set(self.positions) - self.unavailable - {STATUS, "id"}:
            if shown.get(key, "") != stored.get(key, ""):
                self._put(index, key, stored.get(key, ""))

    def confirm(self) -> None:
        """The write landed: remember what the sheet holds now. A refused row still holds
        what it held, so its record keeps its old base."""
        if self.skipped:
            return
        base, held = self.state.base, self.held - self.seen
        shown = {rid: base[rid] if rid in held else values
                 for rid, values in self.records.items()
                 if rid not in held or rid in base}  # fmt: skip
        state.confirm(self.app, self.layout.name, self.state, shown, self.versions,
                      self._layout_now())  # fmt: skip

    def _rebuild(self, *, missing: bool) -> list[list[Any]]:
        """A tab that is not there, or holds nothing: laid out afresh, every record listed
        again and nothing read from it (a cleared tab is no one's edit)."""
        if missing:
            self.backend.create(self.layout, self.language)
        header = [c.header(self.language) for c in self.layout.columns]
        self.writes += [(0, col, text) for col, text in enumerate(header)]
        if self.state.base:
            self.rebuilt = self.doubtful = True
            what = "missing (renamed or deleted?)" if missing else "empty"
            self.report.failed.append(f"{self.title}: the tab was {what}; it was rebuilt from "
                                      "Rapport and nothing was read from it")  # fmt: skip
        return [header]

    # --- one row ---------------------------------------------------------------------

    def _row(self, index: int, cells: dict[str, Any], records: dict[int, dict[str, str]],
             base: dict[int, dict[str, str]]) -> str:  # fmt: skip
        raw_id = canonical(self._column("id"), cells.get("id"))
        values = {c.key: canonical(c, cells.get(c.key), self.language) for c in self._compared()}
        edited = {c.key: values[c.key] for c in self._editable()}
        if not raw_id:
            if not any(edited.values()):
                return ""
            if (copied := self.fingerprints.repeated(values)) is not None:
                return self._refuse(index, None, Doubt("repeats", copied), values, {})
            if self.entity == "deal":  # a new deal names its customer, read-only later
                edited["customer"] = values.get("customer", "")
            key = self._row_key(values)
            made = self.state.created.get(key)
            if made is None or made not in records:
                return self._create(index, edited, key, values)
            # Made from this row by a cycle whose write did not land: give the row its ID,
            # take what was typed in it since, and show the rest as stored.
            self._put(index, "id", str(made))
            self.made[made] = (index, values)
            raw_id = str(made)
        if not raw_id.isdigit() or int(raw_id) not in records:
            self.doubtful = True
            return f"Unknown ID {raw_id}: put the original ID back, or clear it to add a new record"
        record_id = int(raw_id)
        current = records[record_id]
        synced = base.get(record_id, current)
        fixed = [k for k in self.layout.identity if k in values and self._column(k).read_only]
        doubt = self.fingerprints.doubt(record_id, values, (synced, current), fixed)
        if doubt is not None:
            return self._refuse(index, record_id, doubt, values, current)
        if record_id in self.seen:
            self.doubtful = True
            return f"ID {record_id} appears twice: this row was not read"
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
        notes = [self._conflict(record_id, conflicts)] if conflicts else []
        if patch:
            try:
                # The fields were merged one by one above; the version read in this cycle
                # only guards against a change racing this very sync.
                self._apply(record_id, patch, self.versions[record_id])
                self.touched.add(record_id)
                self.report.updated += 1
            except RapportError as exc:
                reason = explain(self.app, exc, self.language)
                self.report.refused.append(f"{self.layout.name} #{record_id}: {reason}")
                notes.append(f"Not saved: {reason}")
        return " | ".join(notes)

    def _refuse(self, index: int, record_id: int | None, doubt: Doubt,
                values: Mapping[str, str], current: Mapping[str, str]) -> str:  # fmt: skip
        """A row that is not its ID's: nothing is read from it or written to it but this
        note, and neither its ID's record nor the one whose values it holds goes missing."""
        self.doubtful = True
        self.held.update(rid for rid in (record_id, doubt.holder) if rid is not None)
        undo = "were the rows sorted without the hidden ID column? Undo the sort"
        if doubt.kind == "holds":
            note = (f"This row holds the values of #{doubt.holder} «{self._label(values)}» "
                    f"under ID {record_id}: {undo}, or put {doubt.holder} back in its ID "
                    "cell; nothing was read from this row")  # fmt: skip
        elif doubt.kind == "repeats":
            note = (f"This row repeats #{doubt.holder} «{self._label(values)}»: {undo}; "
                    "nothing was read from this row")  # fmt: skip
        elif doubt.kind == "disagrees":
            header = self._column(doubt.key).header(self.language)
            own = current.get(doubt.key, "")
            note = (
                f"{header} «{values.get(doubt.key, '')}» is not #{record_id}'s ({header} "
                f"«{own}»): nothing was read from this row. If the rows were sorted "
                f"without the hidden ID column, undo the sort; otherwise put «{own}» back"
            )
        else:
            note = (f"This row no longer looks like #{record_id} ({doubt.differing} cells "
                    f"differ): {undo}, or change fewer cells at once; nothing was read "
                    "from this row")  # fmt: skip
        self.misfits.append(f"{self.layout.name} row {index + 1}: {note}")
        return note

    def _report_misfits(self) -> None:
        if len(self.misfits) <= SCRAMBLED:
            self.report.refused += self.misfits
            return
        notes = self._column(STATUS).header(self.language)
        self.report.refused.append(
            f"{self.title}: {len(self.misfits)} rows do not fit their IDs; were the rows "
            "sorted without the hidden ID column? Undo the sort. Nothing was read from those "
            f"rows; each says why in «{notes}»"
        )

    def _label(self, values: Mapping[str, str]) -> str:
        return " / ".join(values[k] for k in self.layout.identity if values.get(k))

    def _row_key(self, values: Mapping[str, str]) -> str:
        """The new row's key: its identity and how many new rows before it share it."""
        named = tuple(values.get(k, "") for k in self.layout.identity)
        self.named[named] += 1
        return row_key(self.layout.name, named, self.named[named])

    def _create(self, index: int, values: dict[str, str], key: str,
                shown: dict[str, str]) -> str:  # fmt: skip
        try:
            record_id = self._insert(dict(values))
        except RapportError as exc:
            reason = explain(self.app, exc, self.language)
            self.report.refused.append(f"{self.layout.name} row {index + 1}: {reason}")
            return f"Not added: {reason}"
        state.remember_created(self.app, self.layout.name, key, record_id)
        self.report.created += 1
        self.touched.add(record_id)
        self.seen.add(record_id)
        self.made[record_id] = (index, shown)
        self._put(index, "id", str(record_id))
        return ""

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
            self.report.conflicts.append(
                f"{self.layout.name} #{record_id} {key}: {lost!r} -> {kept!r}"
            )
        named = ", ".join(
            f"{self._column(key).header(self.language)} «{lost}»"
            for key, lost, _ in self._sides(conflicts)
        )
        if winning == "sheet":
            return f"Changed elsewhere meanwhile; your edit replaced {named} (kept in the history)"
        return f"Changed elsewhere meanwhile; your {named} was not applied (kept in the history)"

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
        most of its rows at once was more likely cleared by accident: both are restored.
        """
        if self.app.settings.sheets.deleted_rows != "archive" or self.doubtful:
            return False
        if missing > max(MAX_ARCHIVED_AT_ONCE, total // 10):
            self.restored_note = (
                f"Restored: {missing} rows vanished at once, too many to archive; "
                "delete fewer rows per sync, or archive them from the bot or the CLI"
            )
            return False
        return True

    def _customer_named(self, name: str) -> int:
        header = self._column("customer").header(self.language)
        if not name:
            raise InvalidInput.one(header, _l("say which customer the deal is for"))
        found = [c.id for c in list_customers(self.app, Actor.system(), limit=ALL)
                 if c.name.casefold() == name.casefold()]  # fmt: skip
        if len(found) != 1:
            reason = (
                _l("{name} is not a customer: use the name on the Customers sheet", name=repr(name))
                if not found
                else _l(
                    "{name} names several customers: use the name on the Customers sheet",
                    name=repr(name),
                )
            )
            raise InvalidInput.one(header, reason)
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
                    raise InvalidInput.one(
                        column.header(self.language), _l("{value} is not a user", value=repr(value))
                    )
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
        """Cell values and versions as the database holds them now (of ``only`` these)."""
        if self.entity == "customer":
            customers = (
                [get_customer(self.app, Actor.system(), cid) for cid in only]
                if only is not None
                else list_customers(self.app, Actor.system(), limit=ALL)
            )
            rows = [c.model_dump() for c in customers]
        else:
            rows = self._deal_rows(only)
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
                self.report.failed.append(f"{self.title}: {explain(self.app, exc, self.language)}")
        return {row["id"]: self._cells(row, looked_up) for row in rows}, {
            row["id"]: row["version"] for row in rows
        }

    def _deal_rows(self, only: set[int] | None) -> list[dict[str, Any]]:
        stages = {s.id: s.name for p in list_pipelines(self.app) for s in p.stages}
        deals = (
            [get_deal(self.app, Actor.system(), deal_id) for deal_id in only]
            if only is not None
            else list_deals(self.app, Actor.system(), limit=ALL)
        )
        with UnitOfWork(self.app, read_only=True) as uow:
            names = customer_names(uow.session, (d.customer_id for d in deals))
        return [
            {
                **d.model_dump(),
                "stage": stages[d.stage_id],
                "customer": names.get(d.customer_id, ""),
            }
            for d in deals
        ]

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
        """Each column's position: found by its header in any language or by the header it
        had last time (a manager's name for it), else where it stood, if the header there
        is one no column has and no column was added or removed (renamed in place). A
        column found none of these ways is put back at the end, read as no information."""
        shown = ["" if h is None else str(h).strip() for h in grid[0]]
        header = [h.casefold() for h in shown]
        width = max(len(row) for row in grid)
        known = set().union(*(c.names() for c in self.layout.columns))
        remembered = self.state.columns
        same_width = bool(remembered) and width == 1 + max(at for at, _ in remembered.values())
        positions: dict[str, int] = {}

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
        return positions

    def _layout_now(self) -> dict[str, tuple[int, str]]:
        """Where each column stands once the write lands, under which header."""
        return {key: (at, self.headers.get(at) or self._column(key).header(self.language))
                for key, at in self.positions.items()}  # fmt: skip

    def _put(self, row: int, key: str, value: Any) -> None:
        self.writes.append((row, self.positions[key], typed(self._column(key), value)))

    def _column(self, key: str) -> Column:
        return next(c for c in self.layout.columns if c.key == key)

    def _compared(self) -> list[Column]:
        """The columns a row is read from: not the ID or the notes, nor a column that is
        not there (put back this cycle) or whose plugin failed."""
        return [c for c in self.layout.columns if c.key not in ("id", STATUS)
                and c.key not in self.unavailable and c.key not in self.gone]  # fmt: skip

    def _editable(self) -> list[Column]:
        return [c for c in self._compared() if not c.read_only]

    def _shown_only(self) -> list[Column]:
        return [c for c in self._compared() if c.read_only]
