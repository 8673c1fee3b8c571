"""Use cases on customers: create, change, find, merge."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import delete, false, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session

from rapport.core.db.dml import execute_counted
from rapport.core.db.tables import CustomerIdentifierRow, CustomerRow, DealRow, InteractionRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.commands import CustomerPatch, NewCustomer, parse_command
from rapport.core.domain.enums import CustomerKind
from rapport.core.domain.errors import (
    InvalidInput,
    NotFound,
    NotStored,
    Problems,
    RapportError,
    _l,
)
from rapport.core.domain.models import Customer
from rapport.core.domain.values import MAX_ID, normalize_email, normalize_phone
from rapport.core.extensions import ProposedChange
from rapport.core.services import changes
from rapport.core.services.access import (
    check_owner_assignment,
    default_owner,
    may_see_owner,
    owned_scope,
)
from rapport.core.services.batch import BatchResult, RowFailure
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)
ENTITY: Final = "customer"
ORGANISATIONS: Final = "organisations"
"""The memo key of the organisations a chunk names: id to (kind, owner id)."""
EDITABLE = (
    "name",
    "kind",
    "organisation_id",
    "position",
    "phones",
    "emails",
    "address",
    "owner_id",
    "status",
    "fields",
)


def create_customer(app: App, actor: Actor, data: NewCustomer | dict[str, Any]) -> Customer:
    with UnitOfWork(app) as uow:
        customer = _create(uow, actor, data)
        _announce(uow, actor, customer)
        uow.commit()
    return customer


def create_customers(
    app: App,
    actor: Actor,
    rows: Sequence[NewCustomer | dict[str, Any]],
    *,
    chunk_size: int = 500,
    on_progress: Callable[[int], None] | None = None,
    with_each: Callable[[UnitOfWork, int, Customer], None] | None = None,
) -> BatchResult[Customer]:
    """Create many customers (an import), one transaction per chunk: a row refused by a
    check or by the database is reported with its index and leaves nothing behind, and the
    others are created.

    Each row is checked and reviewed on its own (rights, plugins' veto, its audit entry),
    and the chunk's rows are written together (:func:`changes.insert_many`); should the
    database refuse one, the chunk is written again a row at a time, each in a savepoint,
    so only that row is left out.

    ``with_each(uow, index, customer)`` writes what the caller adds to each new customer
    (an import's tags) with it, so the row is stored with it or not at all.
    """
    result: BatchResult[Customer] = BatchResult()
    for start in range(0, len(rows), chunk_size):
        chunk = list(enumerate(rows[start : start + chunk_size], start))
        with UnitOfWork(app) as uow:
            created = _create_chunk(uow, actor, chunk, result, with_each)
            for customer in created:
                _announce(uow, actor, customer)
            uow.commit()
        result.done.extend(created)
        if on_progress is not None:
            on_progress(min(start + chunk_size, len(rows)))
    result.failed.sort(key=lambda failure: failure.index)
    return result


def _create_chunk(
    uow: UnitOfWork,
    actor: Actor,
    chunk: list[tuple[int, NewCustomer | dict[str, Any]]],
    result: BatchResult[Customer],
    with_each: Callable[[UnitOfWork, int, Customer], None] | None,
) -> list[Customer]:
    """The chunk's customers, checked a row at a time and written together."""
    _load_organisations(uow, chunk)
    ready: list[tuple[int, NewCustomer | dict[str, Any], dict[str, Any], changes.Changed]] = []
    for index, data in chunk:
        try:
            values = _validated(uow, actor, data)
            change = ProposedChange(ENTITY, "create", None, None, changes.creation(values), actor)
            ready.append((index, data, values, changes.review(uow, actor, change)))
        except RapportError as exc:
            result.failed.append(RowFailure(index, exc))
    now = uow.app.clock()
    rows = [
        {**values, "search_text": search_text(values), "version": 1, "created_at": now,
         "updated_at": now}
        for _, _, values, _ in ready
    ]  # fmt: skip
    try:
        with uow.session.begin_nested():
            ids = changes.insert_many(uow, actor, entity=ENTITY, table=CustomerRow, rows=rows,
                                      reviewed=[changed for *_, changed in ready])  # fmt: skip
            entries = [
                entry
                for customer_id, row in zip(ids, rows, strict=True)
                for entry in _identifiers(customer_id, row["phones"], row["emails"])
            ]
            if entries:  # a Core statement: the ORM's bulk path costs more than the insert
                uow.session.connection().execute(insert(CustomerIdentifierRow), entries)
            created = [
                Customer.model_validate({**row, "id": customer_id})
                for customer_id, row in zip(ids, rows, strict=True)
            ]
            if with_each is not None:
                for (index, *_), customer in zip(ready, created, strict=True):
                    with_each(uow, index, customer)
    except (RapportError, DBAPIError) as exc:
        log.info("a row of the chunk was refused (%s); writing it a row at a time", exc)
        return _create_each(uow, actor, [(index, data) for index, data, *_ in ready], result,
                            with_each)  # fmt: skip
    return created


def _create_each(
    uow: UnitOfWork,
    actor: Actor,
    chunk: list[tuple[int, NewCustomer | dict[str, Any]]],
    result: BatchResult[Customer],
    with_each: Callable[[UnitOfWork, int, Customer], None] | None,
) -> list[Customer]:
    """The chunk's customers a row at a time, each in a savepoint of its own."""
    created = []
    for index, data in chunk:
        try:
            with uow.session.begin_nested():
                customer = _create(uow, actor, data)
                if with_each is not None:
                    with_each(uow, index, customer)
        except RapportError as exc:
            result.failed.append(RowFailure(index, exc))
        except DBAPIError as exc:  # one row the database refuses stops no other
            log.error("customer row %s not stored: %s", index, exc)
            result.failed.append(RowFailure(index, NotStored(exc)))
        else:
            created.append(customer)
    return created


def _load_organisations(
    uow: UnitOfWork, chunk: list[tuple[int, NewCustomer | dict[str, Any]]]
) -> None:
    """Read the kind and owner of the organisations the chunk's people name with one
    query, kept in the unit of work's memo for checking each row's
    (:func:`_check_organisation`): two columns, not a loaded record per organisation."""
    wanted = {
        organisation_id
        for _, data in chunk
        for organisation_id in [
            data.organisation_id if isinstance(data, NewCustomer) else data.get("organisation_id")
        ]
        if isinstance(organisation_id, int) and 0 < organisation_id <= MAX_ID
    }
    if wanted:
        rows = uow.session.execute(
            select(CustomerRow.id, CustomerRow.kind, CustomerRow.owner_id).where(
                CustomerRow.id.in_(wanted)
            )
        )
        uow.memo[ORGANISATIONS] = {row.id: (row.kind, row.owner_id) for row in rows}


def _announce(uow: UnitOfWork, actor: Actor, customer: Customer) -> None:
    """Tell plugins about ``customer`` once it is committed (never about a row undone)."""
    app = uow.app
    uow.after_commit(lambda: app.hooks.after_customer_created(app, customer, actor))


def _create(uow: UnitOfWork, actor: Actor, data: NewCustomer | dict[str, Any]) -> Customer:
    """Validate, let plugins veto, insert, index and audit one customer; nothing is
    written for it if any check fails.
    """
    values = _validated(uow, actor, data)
    now = uow.app.clock()
    row = CustomerRow(**values, search_text=search_text(values), created_at=now, updated_at=now)
    changes.insert(uow, actor, entity=ENTITY, row=row, values=values)
    _index(uow.session, row.id, values["phones"], values["emails"], new=True)
    return Customer.model_validate(row)


def _validated(uow: UnitOfWork, actor: Actor, data: NewCustomer | dict[str, Any]) -> dict[str, Any]:
    """A new customer's column values, once every check on them passed (all problems told
    together), and the actor may give it its owner."""
    app = uow.app
    problems = Problems()
    try:
        command = parse_command(NewCustomer, data)
    except InvalidInput as exc:
        # Report the phones and e-mails too, so a sheet row or CSV line is fixed in one go.
        problems.add(exc)
        if isinstance(data, dict):
            _contacts(app, _strings(data.get("phones")), _strings(data.get("emails")), problems)
        problems.raise_if_any()
        raise
    phones, emails = _contacts(app, command.phones, command.emails, problems)
    fields = changes.coerce_fields(uow, ENTITY, command.fields, problems, creating=True)
    if command.organisation_id is not None:
        _check_organisation(
            uow.session, actor, command.organisation_id, problems,
            known=uow.memo.get(ORGANISATIONS, {}),
        )  # fmt: skip
    problems.raise_if_any()
    owner_id = default_owner(actor, command.owner_id, command.model_fields_set)
    if ("owner", owner_id) not in uow.memo:
        check_owner_assignment(uow.session, actor, owner_id)
        uow.memo["owner", owner_id] = True
    return {
        **command.model_dump(exclude={"phones", "emails", "fields", "owner_id"}),
        "phones": phones,
        "emails": emails,
        "owner_id": owner_id,
        "fields": fields,
        "archived": False,
        "merged_into_id": None,
    }


def update_customer(
    app: App,
    actor: Actor,
    customer_id: int,
    data: CustomerPatch | dict[str, Any],
    *,
    expected_version: int | None = None,
) -> Customer:
    """Change the fields the caller set; ``expected_version`` guards against lost updates."""
    patch = parse_command(CustomerPatch, data)
    given = patch.model_fields_set
    problems = Problems()
    phones, emails = _contacts(app, patch.phones or [], patch.emails or [], problems)
    with UnitOfWork(app) as uow:
        row = visible_customer(uow.session, actor, customer_id)
        _require_active(row)
        changes.check_version(ENTITY, row.version, expected_version)
        current = Customer.model_validate(row)
        patched = changes.coerce_fields(uow, ENTITY, patch.fields or {}, problems, creating=False)
        fields = changes.patch_fields(row.fields, patched)
        if patch.organisation_id is not None:
            _check_organisation(uow.session, actor, patch.organisation_id, problems, customer_id)
        if "name" in given and patch.name is None:
            problems.add(InvalidInput.one("name", _l("must not be empty")))
        problems.raise_if_any()
        values = current.model_dump(exclude=set(changes.BOOKKEEPING))
        values.update(patch.model_dump(include=given - {"phones", "emails", "fields"}))
        values.update(
            {k: v for k, v in (("phones", phones), ("emails", emails)) if k in given},
            fields=fields,
        )
        if values["kind"] is None:
            values["kind"] = current.kind
        if values["status"] is None:
            values["status"] = current.status
        if values["owner_id"] != current.owner_id:
            check_owner_assignment(uow.session, actor, values["owner_id"])
        changed = changes.update(
            uow,
            actor,
            entity=ENTITY,
            row=row,
            current=current,
            values=values,
            columns=EDITABLE,
            derived={"search_text": search_text(values)},
        )
        if not changed:
            return current
        if {"phones", "emails"} & changed.keys():
            _index(uow.session, row.id, row.phones, row.emails)
        customer = Customer.model_validate(row)
        uow.after_commit(lambda: app.hooks.after_customer_updated(app, customer, changed, actor))
        uow.commit()
    return customer


def get_customer(app: App, actor: Actor, customer_id: int) -> Customer:
    with UnitOfWork(app, read_only=True) as uow:
        return Customer.model_validate(visible_customer(uow.session, actor, customer_id))


def list_customers(
    app: App,
    actor: Actor,
    *,
    query: str | None = None,
    limit: int = 50,
    offset: int = 0,
    include_archived: bool = False,
) -> list[Customer]:
    """Customers the actor may see, matching ``query`` in the name, a phone or an e-mail."""
    statement = select(CustomerRow).where(owned_scope(actor, CustomerRow.owner_id))
    if not include_archived:
        statement = statement.where(CustomerRow.archived == false())
    if query and query.strip():
        terms = [t for t in query.casefold().split() if t]
        statement = statement.where(*(CustomerRow.search_text.contains(t) for t in terms))
    statement = statement.order_by(CustomerRow.name, CustomerRow.id).limit(limit).offset(offset)
    with UnitOfWork(app, read_only=True) as uow:
        return [Customer.model_validate(row) for row in uow.session.scalars(statement)]


@dataclass(frozen=True)
class MergePreview:
    """What merging ``merged`` into ``kept`` would do, for the person to confirm first."""

    kept: Customer
    merged: Customer
    interactions: int
    deals: int
    contact_persons: int
    phones_added: tuple[str, ...]
    emails_added: tuple[str, ...]
    fields_added: tuple[str, ...]
    conflicting: tuple[str, ...]
    """Values both records hold differently: the kept one's stay, the other's go to history."""


def merge_preview(app: App, actor: Actor, keep_id: int, merge_id: int) -> MergePreview:
    """What :func:`merge_customers` would move and keep, written nowhere."""
    if keep_id == merge_id:
        raise InvalidInput.one("merge_id", _l("a customer cannot be merged into itself"))
    with UnitOfWork(app, read_only=True) as uow:
        keep = visible_customer(uow.session, actor, keep_id)
        gone = visible_customer(uow.session, actor, merge_id)
        _require_active(keep)
        _require_active(gone)
        counts = {
            name: uow.session.scalar(select(func.count()).where(column == gone.id)) or 0
            for name, column in (("interactions", InteractionRow.customer_id),
                                 ("deals", DealRow.customer_id),
                                 ("contact_persons", CustomerRow.organisation_id))
        }  # fmt: skip
        conflicting = [name for name, value in gone.fields.items()
                       if name in keep.fields and keep.fields[name] != value]  # fmt: skip
        conflicting += [column for column in ("position", "address", "organisation_id",
                                              "owner_id", "name")
                        if getattr(gone, column) not in (None, getattr(keep, column))
                        and getattr(keep, column) is not None]  # fmt: skip
        return MergePreview(
            Customer.model_validate(keep), Customer.model_validate(gone),
            counts["interactions"], counts["deals"], counts["contact_persons"],
            tuple(p for p in gone.phones if p not in keep.phones),
            tuple(e for e in gone.emails if e not in keep.emails),
            tuple(name for name in gone.fields if name not in keep.fields),
            tuple(conflicting),
        )  # fmt: skip


def merge_customers(app: App, actor: Actor, keep_id: int, merge_id: int) -> Customer:
    """Fold ``merge_id`` into ``keep_id``, keeping every interaction, deal and value.

    The kept record's values win; a value of the merged record that differs is kept in
    the audit log under ``discarded``. The merged record stays, archived, pointing to
    the kept one, so links to it still resolve.
    """
    if keep_id == merge_id:
        raise InvalidInput.one("merge_id", _l("a customer cannot be merged into itself"))
    with UnitOfWork(app) as uow:
        keep = visible_customer(uow.session, actor, keep_id)
        gone = visible_customer(uow.session, actor, merge_id)
        _require_active(keep)
        _require_active(gone)
        kept_before = Customer.model_validate(keep)
        discarded = {
            name: {"kept": keep.fields[name], "discarded": value}
            for name, value in gone.fields.items()
            if name in keep.fields and keep.fields[name] != value
        }
        for column in ("position", "address", "organisation_id", "owner_id"):
            if getattr(keep, column) is None and getattr(gone, column) is not None:
                setattr(keep, column, getattr(gone, column))
            elif getattr(gone, column) not in (None, getattr(keep, column)):
                discarded[column] = {
                    "kept": getattr(keep, column),
                    "discarded": getattr(gone, column),
                }
        if keep.organisation_id == keep.id:
            keep.organisation_id = None
        if gone.name != keep.name:
            discarded["name"] = {"kept": keep.name, "discarded": gone.name}
        keep.phones = _union(keep.phones, gone.phones)
        keep.emails = _union(keep.emails, gone.emails)
        keep.fields = {**gone.fields, **keep.fields}
        values = Customer.model_validate(keep).model_dump(exclude=set(changes.BOOKKEEPING))
        session = uow.session
        now = app.clock()
        moved: dict[str, int] = {}

        def fold() -> int:
            moved["interactions"] = _move(session, InteractionRow.customer_id, gone.id, keep.id)
            moved["deals"] = _move(session, DealRow.customer_id, gone.id, keep.id)
            moved["contact_persons"] = _move(session, CustomerRow.organisation_id, gone.id, keep.id)
            keep.search_text = search_text(values)
            keep.updated_at = now
            session.flush()
            _index(session, keep.id, keep.phones, keep.emails)
            return keep.id

        changes.write(uow, actor, entity=ENTITY, action="merge", entity_id=keep.id,
                      before=changes.snapshot(kept_before),
                      after=changes.flatten(changes.plain(values)) | {"merged_id": gone.id},
                      apply=fold, details={"moved": moved, "discarded": discarded},
                      at=now)  # fmt: skip

        def retire() -> int:
            gone.archived, gone.merged_into_id, gone.updated_at = True, keep.id, now
            session.flush()
            _index(session, gone.id, [], [])
            return gone.id

        changes.write(uow, actor, entity=ENTITY, action="merged_into", entity_id=gone.id,
                      before={"merged_into_id": None}, after={"merged_into_id": keep.id},
                      apply=retire, at=now)  # fmt: skip
        kept, merged = Customer.model_validate(keep), Customer.model_validate(gone)
        uow.after_commit(lambda: app.hooks.after_customers_merged(app, kept, merged, actor))
        uow.commit()
    return kept


def visible_customer(session: Session, actor: Actor, customer_id: int) -> CustomerRow:
    """The customer row, if it exists and the actor may see it; otherwise NotFound."""
    row = session.get(CustomerRow, customer_id)
    if row is None or not may_see_owner(session, actor, row.owner_id):
        raise NotFound(_l("No customer #{id}.", id=customer_id))
    return row


def search_text(values: dict[str, Any]) -> str:
    """What ``list_customers`` matches against: case-folded name, phone digits, e-mails.

    SQLite's ``lower()`` only folds ASCII, so Cyrillic names are folded here, in Python.
    """
    phones = " ".join(p.lstrip("+") for p in values.get("phones") or [])
    emails = " ".join(values.get("emails") or [])
    return f"{values['name']} {phones} {emails}".casefold()


def customer_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Customers' names by id, archived ones too: labels shown next to other records
    (a reminder's customer, an organisation, a deal's row in the sheet)."""
    wanted = sorted({i for i in ids if i is not None})
    names: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):
        query = select(CustomerRow.id, CustomerRow.name).where(
            CustomerRow.id.in_(wanted[start : start + 5000])
        )
        names.update((row.id, row.name) for row in session.execute(query))
    return names


def find_by_identifier(session: Session, kind: str, values: Sequence[str]) -> dict[str, set[int]]:
    """Active customers holding each phone (E.164) or e-mail, over the whole base.

    Used for duplicate checks, which must see records the actor may not open.
    """
    found: dict[str, set[int]] = {}
    wanted = sorted({value.lower() for value in values})
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(CustomerIdentifierRow.value, CustomerIdentifierRow.customer_id).where(
                CustomerIdentifierRow.kind == kind,
                CustomerIdentifierRow.value.in_(wanted[start : start + 500]),
            )
        )
        for value, customer_id in rows:
            found.setdefault(value, set()).add(customer_id)
    return found


def _index(
    session: Session, customer_id: int, phones: list[str], emails: list[str], *, new: bool = False
) -> None:
    if not new:
        session.execute(
            delete(CustomerIdentifierRow).where(CustomerIdentifierRow.customer_id == customer_id)
        )
    entries = _identifiers(customer_id, phones, emails)
    if entries:  # plain Core on the connection: the ORM's bulk path costs more than the row
        session.connection().execute(insert(CustomerIdentifierRow), entries)


def _identifiers(customer_id: int, phones: list[str], emails: list[str]) -> list[dict[str, Any]]:
    """The duplicate check's index entries for one customer's phones and e-mails."""
    return [{"customer_id": customer_id, "kind": "phone", "value": p} for p in phones] + [
        {"customer_id": customer_id, "kind": "email", "value": e.lower()} for e in emails
    ]


def _contacts(
    app: App, phones: list[str], emails: list[str], problems: Problems
) -> tuple[list[str], list[str]]:
    region = app.settings.default_region
    clean_phones: list[str] = []
    clean_emails: list[str] = []
    for index, raw in enumerate(phones):
        try:
            clean_phones.append(normalize_phone(raw, region, field=f"phones.{index}"))
        except InvalidInput as exc:
            problems.add(exc)
    for index, raw in enumerate(emails):
        try:
            clean_emails.append(normalize_email(raw, field=f"emails.{index}"))
        except InvalidInput as exc:
            problems.add(exc)
    return _union(clean_phones, []), _union(clean_emails, [])


def _check_organisation(
    session: Session,
    actor: Actor,
    organisation_id: int,
    problems: Problems,
    customer_id: int | None = None,
    *,
    known: Mapping[int, tuple[str, int | None]] | None = None,
) -> None:
    """Refuse an organisation the actor cannot see, or a customer that is none; ``known``
    holds the kind and owner of organisations already read (a chunk's, at once)."""
    organisation = (known or {}).get(organisation_id)
    if organisation is None:
        row = session.get(CustomerRow, organisation_id)
        organisation = None if row is None else (row.kind, row.owner_id)
    if organisation is None or not may_see_owner(session, actor, organisation[1]):
        problems.add(
            InvalidInput.one(
                "organisation_id", _l("there is no customer #{id}", id=organisation_id)
            )
        )
    elif organisation[0] != CustomerKind.ORGANISATION or organisation_id == customer_id:
        problems.add(
            InvalidInput.one(
                "organisation_id", _l("#{id} is not an organisation", id=organisation_id)
            )
        )


def _require_active(row: CustomerRow) -> None:
    if row.merged_into_id is not None:
        raise InvalidInput.one(
            "customer",
            _l("#{id} was merged into #{into}; edit that one", id=row.id, into=row.merged_into_id),
        )


def _move(
    session: Session, column: InstrumentedAttribute[int | None], old_id: int, new_id: int
) -> int:
    return execute_counted(
        session, update(column.class_).where(column == old_id).values({column.key: new_id})
    )


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))
