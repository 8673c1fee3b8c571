"""Import customers from CSV or vCard: preview, column mapping, validation per row.

Every row is checked on its own: a bad row is reported with its line number and the
reasons, good rows are imported, and no row is ever half-written. Rows that repeat a
customer already in the base (same phone or e-mail), or an earlier row of the file, are
reported and skipped unless the user says to import them anyway. Organisations named
in a column are found by name or created once, and their people linked to them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, text

from rapport.core.db.tables import CustomerRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import CustomerKind
from rapport.core.domain.errors import FieldProblem, InvalidInput, Problems
from rapport.core.domain.values import normalize_email, normalize_phone
from rapport.core.explain import explain
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.customers import create_customers, find_by_identifier
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.collector import collector_held
from rapport.plugins.contacts.tables import TagRow
from rapport.plugins.contacts.tabular import SourceRow, SourceTable
from rapport.plugins.contacts.tags import normalize_tag
from rapport.plugins.contacts.transliterate import search_key

_l = texts_for(__file__).lazy

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

CORE_TARGETS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "fn", "имя", "фио", "ф.и.о.", "название", "наименование",
             "контакт", "клиент", "ім'я", "піб", "назва", "клієнт", "customer", "client",
             "contact"),
    "organisation": ("organisation", "organization", "company", "org", "организация",
                     "компания", "фирма", "організація", "компанія"),
    "kind": ("kind", "type", "тип", "вид"),
    "position": ("position", "title", "job title", "должность", "посада"),
    "phones": ("phones", "phone", "telephone", "mobile", "tel", "телефон", "телефоны",
               "мобильный", "моб. телефон", "моб.", "тел.", "мобільний"),
    "emails": ("emails", "email", "e-mail", "mail", "эл. почта", "почта", "електронна пошта",
               "пошта"),
    "address": ("address", "адрес", "адреса"),
    "owner": ("owner", "responsible", "manager", "ответственный", "менеджер",
              "відповідальний"),
    "status": ("status", "статус"),
    "tags": ("tags", "tag", "теги", "метки", "тег", "мітки"),
}  # fmt: skip
IGNORE = "-"
log = logging.getLogger(__name__)
_KINDS = {
    "organisation": CustomerKind.ORGANISATION, "organization": CustomerKind.ORGANISATION,
    "company": CustomerKind.ORGANISATION, "организация": CustomerKind.ORGANISATION,
    "компания": CustomerKind.ORGANISATION, "юрлицо": CustomerKind.ORGANISATION,
    "person": CustomerKind.PERSON, "физлицо": CustomerKind.PERSON,
    "частное лицо": CustomerKind.PERSON, "фізособа": CustomerKind.PERSON,
}  # fmt: skip
_LEGAL_FORM = re.compile(
    r"(^|\W)(ооо|оао|зао|пао|ао|ип|тов|пп|llc|ltd|inc|gmbh|corp|plc)(\W|$)", re.IGNORECASE
)
_LIST = re.compile(r"[;,\n/]+")


@dataclass(frozen=True)
class ImportPlan:
    table: SourceTable
    mapping: dict[str, str]  # column header -> target (core name or custom field name)
    unmapped: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    organisations_created: int = 0
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    """Rows stored from a guess worth checking: read as Windows-1251, an unknown charset."""
    stopped: tuple[int, str] | None = None
    """The line from which nothing was stored because the import stopped, and why."""
    seconds: float = 0.0

    def add(self, chunk: ImportReport) -> None:
        """Count a chunk's outcome in, once its transaction has committed."""
        self.created += chunk.created
        self.organisations_created += chunk.organisations_created
        self.duplicates += chunk.duplicates
        self.failed += chunk.failed


def plan_import(
    app: App, table: SourceTable, overrides: dict[str, str] | None = None
) -> ImportPlan:
    """Match columns to fields by their headers (in any of the three languages, or a
    custom field's label); ``overrides`` maps a header to a field, or to "-" to skip it.
    """
    with UnitOfWork(app, read_only=True) as uow:
        app.registry.refresh_stored_fields(uow.session)
    known = _known_targets(app)
    problems = Problems()
    mapping: dict[str, str] = {}
    for header, target in (overrides or {}).items():
        if header not in table.headers:
            problems.add(
                InvalidInput.one(
                    "map", _l("there is no column {header} in the file", header=repr(header))
                )
            )
        elif target != IGNORE and target.casefold() not in known:
            problems.add(
                InvalidInput.one(
                    "map",
                    _l(
                        "{target} is not a field (column {header})",
                        target=repr(target),
                        header=repr(header),
                    ),
                )
            )
        elif target != IGNORE:
            mapping[header] = known[target.casefold()]
    problems.raise_if_any()
    for header in table.headers:
        if header in (overrides or {}) or not header:
            continue
        matched = known.get(re.sub(r"\s*\(\d+\)$", "", header).strip().casefold())
        if matched is not None:
            mapping[header] = matched
    targets = set(mapping.values())
    if not targets & {"name", "organisation"}:
        raise InvalidInput.one(
            "columns",
            _l(
                "no column holds the name: call one 'Name' (or 'Имя', 'Название', "
                "'Organisation'), or map one with --map; the file has: {listing}",
                listing=_listing(table.headers),
            ),
        )
    unmapped = [h for h in table.headers if h and h not in mapping]
    return ImportPlan(table, mapping, unmapped)


def _listing(headers: list[str], most: int = 10) -> str:
    """The file's columns for a message: a binary file's first line stays one short line."""
    named = [h if len(h) <= 30 else h[:29] + "…" for h in headers if h]
    return ", ".join(named[:most]) + (f" and {len(named) - most} more" if len(named) > most else "")


def preview(app: App, plan: ImportPlan, *, sample: int = 5) -> list[tuple[int, dict[str, Any]]]:
    """The first readable rows as they would be stored, for the user to check the mapping."""
    readable = (row for row in plan.table.rows if not row.problem)
    return [(row.line, _values(plan, row)) for row in islice(readable, sample)]


def run_import(
    app: App,
    actor: Actor,
    plan: ImportPlan,
    *,
    allow_duplicates: bool = False,
    owner_id: int | None = None,
    chunk_size: int = 1000,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the plan's rows a chunk at a time, each chunk (its organisations, people and
    their tags) one transaction. A refused row is reported and skipped; a failure no row
    explains (the database gone) stops the import, and the report says from which line on
    nothing was stored, so it is never half-told.
    """
    started = time.perf_counter()
    report = ImportReport(rows=len(plan.table.rows))
    state = _Run(allow_duplicates, owner_id, _owners(app), _stored_organisations(app), {}, {})
    for start in range(0, len(plan.table.rows), chunk_size):
        chunk = plan.table.rows[start : start + chunk_size]
        outcome = ImportReport()
        try:
            with collector_held(), UnitOfWork(app) as uow:
                # the use cases below join this unit of work, and commit with it
                _plan_for_growing_tables(uow)
                _import_chunk(app, actor, plan, chunk, state, outcome)
                uow.commit()
        except Exception as exc:  # the chunks before are stored: say exactly that
            log.error(
                "import stopped at line %s: %s", chunk[0].line, exc,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )  # fmt: skip
            report.stopped = (chunk[0].line, _first_line(exc))
            break
        report.add(outcome)
        if on_progress is not None:
            on_progress(min(start + chunk_size, len(plan.table.rows)))
    not_stored = {line for line, _ in report.failed + report.duplicates}
    report.notes = [
        (line, note)
        for line, note in plan.table.notes
        if line not in not_stored and (report.stopped is None or line < report.stopped[0])
    ]
    report.failed.sort()
    report.duplicates.sort()
    report.seconds = time.perf_counter() - started
    return report


def _plan_for_growing_tables(uow: UnitOfWork) -> None:
    """Have PostgreSQL plan the chunk's lookups for the tables as they are now.

    The same duplicate lookup runs for every chunk, and the driver prepares a statement
    it sees often; PostgreSQL then keeps one generic plan, made while the tables were
    small (a sequential scan), for the rest of the import, each chunk scanning all it
    imported before: quadratic. Planned each time, the lookup keeps using the index.
    """
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


@dataclass
class _Run:
    """What the chunks of one import share."""

    allow_duplicates: bool
    owner_id: int | None
    owners: dict[str, int]
    organisations: dict[str, int]
    refusals: dict[str, InvalidInput]
    seen: dict[str, int]


def _import_chunk(
    app: App,
    actor: Actor,
    plan: ImportPlan,
    chunk: list[SourceRow],
    state: _Run,
    report: ImportReport,
) -> None:
    prepared = [(row, _values(plan, row)) for row in chunk if not row.problem]
    _add_organisations(
        app, actor, prepared, state.organisations, state.refusals, report, state.owner_id
    )
    identities = [_identity(app, values) for _, values in prepared]
    existing = _stored_identifiers(app, identities)
    failed: list[tuple[int, str]] = [(row.line, row.problem) for row in chunk if row.problem]
    duplicates: list[tuple[int, str]] = []
    commands: list[dict[str, Any]] = []
    lines: list[int] = []
    tags: list[list[str]] = []
    for (row, values), keys in zip(prepared, identities, strict=True):
        try:
            command, row_tags = _command(values, state.owners, state.organisations, state.refusals)
        except InvalidInput as exc:
            failed.append((row.line, explain(app, exc, actor.language)))
            continue
        if state.owner_id is not None:
            command.setdefault("owner_id", state.owner_id)
        repeated = _repeat(keys, existing, state.seen)
        if repeated and not state.allow_duplicates:
            duplicates.append((row.line, repeated))
            continue
        for key in keys:
            state.seen.setdefault(key, row.line)
        commands.append(command)
        lines.append(row.line)
        tags.append(row_tags)
    result = create_customers(
        app,
        actor,
        commands,
        chunk_size=len(commands) or 1,
        with_each=lambda uow, index, customer: _tag(uow, actor, customer.id, tags[index]),
    )
    report.created += len(result.done)
    report.failed += failed
    report.failed += [
        (lines[failure.index], explain(app, failure.error, actor.language))
        for failure in result.failed
    ]
    report.duplicates += duplicates


def _first_line(error: Exception) -> str:
    """What stopped an import, short enough for one line of its report."""
    text = str(error).strip().splitlines()
    return (text[0][:200] if text else type(error).__name__) or type(error).__name__


# --- mapping and conversion ------------------------------------------------------------


def _known_targets(app: App) -> dict[str, str]:
    known = {synonym: target for target, names in CORE_TARGETS.items() for synonym in names}
    known.update({t: t for t in CORE_TARGETS})
    for spec in app.registry.fields_for("customer"):
        for name in (spec.name, spec.label, *spec.labels.values()):
            known.setdefault(name.casefold(), spec.name)
    return known


def _values(plan: ImportPlan, row: SourceRow) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for header, target in plan.mapping.items():
        cell = row.values.get(header, "").strip()
        if not cell:
            continue
        if target in ("phones", "emails", "tags"):
            values.setdefault(target, []).extend(p.strip() for p in _LIST.split(cell) if p.strip())
        elif target in values and target in CORE_TARGETS:
            values[target] = f"{values[target]} {cell}"
        else:
            values[target] = cell
    return values


def _command(
    values: dict[str, Any],
    owners: dict[str, int],
    organisations: dict[str, int],
    refusals: dict[str, InvalidInput],
) -> tuple[dict[str, Any], list[str]]:
    problems = Problems()
    command: dict[str, Any] = {"fields": {}}
    organisation = values.get("organisation")
    name = values.get("name")
    if not name and organisation:
        command.update(name=organisation, kind=CustomerKind.ORGANISATION)
    else:
        command["name"] = name or ""
        if organisation:
            key = search_key(organisation)
            organisation_id, refused = organisations.get(key), refusals.get(key)
            if refused is not None:
                problems.add(_as_organisation(refused))
            elif organisation_id is None:
                problems.add(
                    InvalidInput.one(
                        "organisation",
                        _l("{organisation} could not be created", organisation=repr(organisation)),
                    )
                )
            command.update(kind=CustomerKind.PERSON, organisation_id=organisation_id)
        elif "kind" in values:
            kind = _KINDS.get(values["kind"].casefold())
            if kind is None:
                problems.add(
                    InvalidInput.one(
                        "kind",
                        _l(
                            "{kind} is neither an organisation nor a person",
                            kind=repr(values["kind"]),
                        ),
                    )
                )
            command["kind"] = kind or CustomerKind.PERSON
        else:
            command["kind"] = (
                CustomerKind.ORGANISATION if _LEGAL_FORM.search(name or "") else CustomerKind.PERSON
            )
    for key in ("position", "address", "status", "phones", "emails"):
        if key in values:
            command[key] = values[key]
    if "owner" in values:
        owner = owners.get(values["owner"].casefold())
        if owner is None:
            problems.add(
                InvalidInput.one("owner", _l("there is no user {name}", name=repr(values["owner"])))
            )
        command["owner_id"] = owner
    row_tags = []
    for raw in values.get("tags", []):
        try:
            row_tags.append(normalize_tag(raw))
        except InvalidInput as exc:
            problems.add(exc)
    for key, value in values.items():
        if key not in CORE_TARGETS:
            command["fields"][key] = value
    problems.raise_if_any()
    return command, sorted(set(row_tags))


def _as_organisation(refused: InvalidInput) -> InvalidInput:
    """The organisation's own refusal, told as the organisation column's problem."""
    return InvalidInput([FieldProblem("organisation", p.reason) for p in refused.problems])


def _owners(app: App) -> dict[str, int]:
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.execute(select(UserRow.id, UserRow.display_name).where(UserRow.active))
        owners = {name.casefold(): user_id for user_id, name in rows}
    return owners | {str(user_id): user_id for user_id in owners.values()}


# --- organisations, duplicates, tags ---------------------------------------------------


def _stored_organisations(app: App) -> dict[str, int]:
    """Stored organisations by search key, so "ООО «Ромашка»" finds "Ромашка"."""
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.execute(
            select(CustomerRow.id, CustomerRow.name)
            .where(
                CustomerRow.kind == CustomerKind.ORGANISATION.value,
                CustomerRow.archived.is_(False),
            )
            .order_by(CustomerRow.id)
        )
        found: dict[str, int] = {}
        for customer_id, name in rows:
            found.setdefault(search_key(name), customer_id)
    return found


def _add_organisations(
    app: App,
    actor: Actor,
    prepared: list[tuple[SourceRow, dict[str, Any]]],
    organisations: dict[str, int],
    refusals: dict[str, InvalidInput],
    report: ImportReport,
    owner_id: int | None,
) -> None:
    """Create the organisations this chunk's people work for that are not stored yet,
    owned like the imported rows; why one was refused goes into ``refusals``, for the rows
    of its people to say.
    """
    missing: dict[str, str] = {}
    for _, values in prepared:
        if values.get("name") and values.get("organisation"):
            key = search_key(values["organisation"])
            if key not in organisations and key not in refusals:
                missing.setdefault(key, values["organisation"])
    if not missing:
        return
    owner = {} if owner_id is None else {"owner_id": owner_id}
    keys = list(missing)
    result = create_customers(
        app,
        actor,
        [{"name": missing[key], "kind": CustomerKind.ORGANISATION, **owner} for key in keys],
    )
    for failure in result.failed:
        if isinstance(failure.error, InvalidInput):
            refusals[keys[failure.index]] = failure.error
    for customer in result.done:
        organisations[search_key(customer.name)] = customer.id
    report.organisations_created += len(result.done)


def _identity(app: App, values: dict[str, Any]) -> list[str]:
    """The row's phones and e-mails as the duplicate check compares them (``phone +7...``),
    worked out once per row (the row's command carries the same phones and e-mails)."""
    keys = []
    for raw in values.get("phones", []):
        try:
            keys.append("phone " + normalize_phone(raw, app.settings.default_region))
        except InvalidInput:
            continue
    for raw in values.get("emails", []):
        try:
            keys.append("email " + normalize_email(raw).lower())
        except InvalidInput:
            continue
    return keys


def _stored_identifiers(app: App, identities: list[list[str]]) -> dict[str, int]:
    """The chunk's phones and e-mails already held by a stored customer (the lowest id)."""
    phones: list[str] = []
    emails: list[str] = []
    for keys in identities:
        for key in keys:
            kind, value = key.split(" ", 1)
            (phones if kind == "phone" else emails).append(value)
    with UnitOfWork(app, read_only=True) as uow:
        stored = {
            f"{kind} {value}": min(ids)
            for kind, values in (("phone", phones), ("email", emails))
            for value, ids in find_by_identifier(uow.session, kind, values).items()
        }
    return stored


def _repeat(keys: list[str], existing: dict[str, int], seen: dict[str, int]) -> str | None:
    for key in keys:
        kind, value = key.split(" ", 1)
        if key in existing:
            return f"already in the base as #{existing[key]} (same {kind} {value})"
        if key in seen:
            return f"repeats line {seen[key]} (same {kind} {value})"
    return None


def _tag(uow: UnitOfWork, actor: Actor, customer_id: int, tags: list[str]) -> None:
    """A new customer's tags from its row, written with the customer (its savepoint)."""
    if not tags:
        return
    rows = [{"customer_id": customer_id, "tag": tag} for tag in tags]
    changes.write(uow, actor, entity="customer", action="tags", entity_id=customer_id,
                  before={"tags": []}, after={"tags": tags},
                  apply=partial(_insert_tags, uow, rows))  # fmt: skip


def _insert_tags(uow: UnitOfWork, rows: list[dict[str, Any]]) -> int | None:
    uow.session.execute(insert(TagRow), rows)
    return None
