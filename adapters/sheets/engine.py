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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import delete, insert, select

from rapport.adapters.sheets.layout import STATUS, Column, SheetLayout, canonical, layouts, typed
from rapport.adapters.sheets.tables import BaseRow
from rapport.core.db.tables import UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.domain.errors import InvalidInput, PluginFailed, RapportError
from rapport.core.explain import explain
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

ALL = 1_000_000
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
    """Plugins' columns and tables left as they were this cycle because their plugin failed."""
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
    for layout in layouts(app, users, stages):
        _Sheet(app, backend, layout, language, actor, users, report).run()
    _summary(app, backend, language, report)
    backend.flush()
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
            report.failed.append(f"{SUMMARY['en']}: {exc}")
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
        self.unknown_ids = False
        self.restored_note = "Restored: rows are not deleted from the sheet"
        self.sheet_wins = app.settings.sheets.conflicts == "sheet"
        self.unavailable: set[str] = set()  # plugins' columns whose plugin failed this cycle

    def run(self) -> None:
        grid = self.backend.read(self.title)
        if grid is None:
            self.backend.create(self.layout, self.language)
            grid = [[c.header(self.language) for c in self.layout.columns]]
            self.writes += [(0, col, header) for col, header in enumerate(grid[0])]
        positions = self.positions = self._positions(grid)
        records, self.versions = self._records()
        base = self._base()
        self._keep_unavailable(records, base)
        seen: set[int] = set()
        for index, row in enumerate(grid[1:], start=1):
            cells = {key: (row[col] if col < len(row) else None) for key, col in positions.items()}
            note = self._row(index, cells, positions, records, base, seen)
            if canonical(self._column(STATUS), cells.get(STATUS)) != note:
                self._put(index, STATUS, note)
        missing = [rid for rid in records if rid not in seen and rid in base]
        if missing and self._archives(len(missing), len(records)):
            for record_id in missing:
                set_archived(self.app, self.actor, self.entity, record_id)
                del records[record_id]
            self.report.archived += len(missing)
        next_row = len(grid)
        for record_id, values in records.items():
            if record_id in seen:
                continue
            if record_id in base:
                self.report.restored += 1
                values = {**values, STATUS: self.restored_note}
            else:
                self.report.appended += 1
            for key in positions:
                if key not in self.unavailable and values.get(key, ""):
                    self._put(next_row, key, values[key])
            next_row += 1
        self.backend.write(self.title, self.writes)
        if self.touched:  # re-read only what this cycle changed, not every record
            fresh, fresh_versions = self._records(self.touched)
            self._keep_unavailable(fresh, base)
            records.update(fresh)
            self.versions.update(fresh_versions)
        self._save_base(base, records, self.versions)

    # --- one row ---------------------------------------------------------------------

    def _row(self, index: int, cells: dict[str, Any], positions: dict[str, int],
             records: dict[int, dict[str, str]], base: dict[int, dict[str, str]],
             seen: set[int]) -> str:  # fmt: skip
        raw_id = canonical(self._column("id"), cells.get("id"))
        edited = {c.key: canonical(c, cells.get(c.key), self.language) for c in self._editable()}
        if not raw_id:
            if not any(edited.values()):
                return ""
            if self.entity == "deal":  # a new deal names its customer, read-only later
                edited["customer"] = canonical(self._column("customer"), cells.get("customer"))
            return self._create(index, edited, positions)
        if not raw_id.isdigit() or int(raw_id) not in records:
            self.unknown_ids = True
            return f"Unknown ID {raw_id}: put the original ID back, or clear it to add a new record"
        record_id = int(raw_id)
        if record_id in seen:
            self.unknown_ids = True
            return f"ID {record_id} appears twice: this row was not read"
        seen.add(record_id)
        current = records[record_id]
        synced = base.get(record_id, current)
        for column in self._shown_only():  # read-only: whatever the sheet says, put it back
            if canonical(column, cells.get(column.key), self.language) != current.get(
                column.key, ""
            ):
                self._put(index, column.key, current.get(column.key, ""))
        patch, conflicts = {}, []
        for key, sheet_value in edited.items():
            was, now = synced.get(key, ""), current.get(key, "")
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

    def _create(self, index: int, values: dict[str, str], positions: dict[str, int]) -> str:
        try:
            record_id = self._insert(values)
        except RapportError as exc:
            reason = explain(self.app, exc, self.language)
            self.report.refused.append(f"{self.layout.name} row {index + 1}: {reason}")
            return f"Not added: {reason}"
        self.report.created += 1
        self.touched.add(record_id)
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

        A row whose ID was edited hides which record went missing, and a sheet that lost
        most of its rows at once was more likely cleared by accident: both are restored.
        """
        if self.app.settings.sheets.deleted_rows != "archive" or self.unknown_ids:
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
            raise InvalidInput.one(header, "say which customer the deal is for")
        found = [c.id for c in list_customers(self.app, Actor.system(), limit=ALL)
                 if c.name.casefold() == name.casefold()]  # fmt: skip
        if len(found) != 1:
            problem = "is not a customer" if not found else "names several customers"
            raise InvalidInput.one(
                header, f"{name!r} {problem}: use the name on the Customers sheet"
            )
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
                    raise InvalidInput.one(column.header(self.language), f"{value!r} is not a user")
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
                self.report.failed.append(f"{self.layout.name}: {exc}")
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

    def _base(self) -> dict[int, dict[str, str]]:
        with UnitOfWork(self.app, read_only=True) as uow:
            rows = uow.session.scalars(select(BaseRow).where(BaseRow.sheet == self.layout.name))
            return {row.record_id: dict(row.values) for row in rows}

    def _save_base(
        self,
        base: dict[int, dict[str, str]],
        records: dict[int, dict[str, str]],
        versions: dict[int, int],
    ) -> None:
        """Store what the sheet holds now, rewriting only the records whose cells changed."""
        stale = [rid for rid in base if rid not in records]
        changed = [rid for rid, values in records.items() if base.get(rid) != values]
        if not stale and not changed:
            return
        with UnitOfWork(self.app) as uow:
            gone = stale + changed
            for start in range(0, len(gone), 5000):
                uow.session.execute(
                    delete(BaseRow).where(BaseRow.sheet == self.layout.name,
                                          BaseRow.record_id.in_(gone[start : start + 5000]))
                )  # fmt: skip
            rows = [{"sheet": self.layout.name, "record_id": rid, "values": records[rid],
                     "version": versions[rid]} for rid in changed]  # fmt: skip
            if rows:
                uow.session.connection().execute(insert(BaseRow), rows)
            uow.commit()

    def _positions(self, grid: list[list[Any]]) -> dict[str, int]:
        header = [str(h).strip().casefold() if h is not None else "" for h in grid[0]]
        positions: dict[str, int] = {}
        for column in self.layout.columns:
            for index, name in enumerate(header):
                if name in column.names() and index not in positions.values():
                    positions[column.key] = index
                    break
        for column in self.layout.columns:  # a column the manager removed comes back at the end
            if column.key not in positions:
                positions[column.key] = len(header)
                header.append(column.key)
                self.writes.append((0, positions[column.key], column.header(self.language)))
        return positions

    def _put(self, row: int, key: str, value: Any) -> None:
        self.writes.append((row, self.positions[key], typed(self._column(key), value)))

    def _column(self, key: str) -> Column:
        return next(c for c in self.layout.columns if c.key == key)

    def _editable(self) -> list[Column]:
        return [c for c in self.layout.columns if not c.read_only and c.key not in self.unavailable]

    def _shown_only(self) -> list[Column]:
        return [
            c
            for c in self.layout.columns
            if c.read_only and c.key not in ("id", STATUS) and c.key not in self.unavailable
        ]
