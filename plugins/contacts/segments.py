"""Segments: saved filters over any customer field, defined by the team, not by code.

An expression is checked against the fields that exist (core columns, custom fields by
name or by label in any language, tags) and compiled to SQL, so a segment of 100k
customers is counted by the database, never loaded into Python.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import SQLCoreOperations

from rapport.core.db.tables import CustomerIdentifierRow, CustomerRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import CustomerKind, CustomerStatus, FieldType, Role
from rapport.core.domain.errors import InvalidInput, NotFound, Text
from rapport.core.domain.fields import FieldSpec, parse_date
from rapport.core.domain.models import Customer
from rapport.core.domain.numbers import parse_decimal
from rapport.core.domain.values import one_line
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.access import owned_scope, require_role
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import users_named
from rapport.plugins.contacts.filters import AllOf, AnyOf, Condition, Filter, Not, parse
from rapport.plugins.contacts.tables import SegmentRow, TagRow
from rapport.plugins.contacts.tags import normalize_tag

_l = texts_for(__file__).lazy

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

Compare = Callable[[str, tuple[str, ...]], ColumnElement[bool]]
ORDERING = {">", ">=", "<", "<="}


@dataclass(frozen=True)
class Segment:
    id: int
    name: str
    expression: str


@dataclass(frozen=True)
class Target:
    """A field an expression can name, and how each operator becomes SQL."""

    label: str
    kind: str
    compare: Compare


def compile_filter(app: App, session: Session, text: str) -> ColumnElement[bool]:
    """Parse and check ``text``; every problem names the field, the value and the reason."""
    app.registry.refresh_stored_fields(session)
    targets = _targets(app, session)
    return _compile(parse(text), targets)


def _compile(tree: Filter, targets: dict[str, Target]) -> ColumnElement[bool]:
    if isinstance(tree, AllOf):
        return and_(*(_compile(item, targets) for item in tree.items))
    if isinstance(tree, AnyOf):
        return or_(*(_compile(item, targets) for item in tree.items))
    if isinstance(tree, Not):
        # A customer with no value is "not North" too: SQL's NULL must not hide them.
        return not_(func.coalesce(_compile(tree.item, targets), false()))
    return _condition(tree, targets)


def _kind(kind: str) -> Text | str:
    """What a field holds, inside a sentence ("created is date"), or an identifier's kind."""
    words = {"text": _l("text"), "number": _l("number"), "date": _l("date"),
             "boolean": _l("boolean"), "choice": _l("choice"), "choices": _l("choices"),
             "user": _l("user"), "tag": _l("tag"), "contact": _l("contact"),
             "phone": _l("phone"), "email": _l("email")}  # fmt: skip
    return words.get(kind, kind)


def _condition(condition: Condition, targets: dict[str, Target]) -> ColumnElement[bool]:
    target = targets.get(condition.field.casefold())
    if target is None:
        close = difflib.get_close_matches(condition.field.casefold(), list(targets), n=1)
        reason = (
            _l("there is no field {field} (did you mean {close}?)",
               field=repr(condition.field), close=repr(close[0]))
            if close
            else _l("there is no field {field}", field=repr(condition.field))
        )  # fmt: skip
        raise InvalidInput.one("expression", reason)
    if condition.operator in ORDERING and target.kind not in ("number", "date"):
        raise InvalidInput.one(
            "expression",
            _l(
                "{operator} compares numbers and dates; {label} is {kind}",
                operator=repr(condition.operator),
                label=target.label,
                kind=_kind(target.kind),
            ),
        )
    if condition.operator == "~" and target.kind not in ("text", "contact"):
        raise InvalidInput.one(
            "expression",
            _l(
                "'~' (contains) works on text; {label} is {kind}",
                label=target.label,
                kind=_kind(target.kind),
            ),
        )
    return target.compare(condition.operator, condition.values)


# --- targets ---------------------------------------------------------------------------


def _targets(app: App, session: Session) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for names, target in _core_targets(session):
        for name in names:
            targets[name] = target
    for spec in app.registry.fields_for("customer"):
        target = _field_target(spec)
        for name in (spec.name, spec.label, *spec.labels.values()):
            targets.setdefault(name.casefold(), target)
    return targets


def _core_targets(session: Session) -> list[tuple[tuple[str, ...], Target]]:
    return [
        (("name", "имя", "название", "назва"), Target("name", "text", _text(CustomerRow.name))),
        (
            ("position", "должность", "посада"),
            Target("position", "text", _text(CustomerRow.position)),
        ),
        (("address", "адрес", "адреса"), Target("address", "text", _text(CustomerRow.address))),
        (
            ("kind", "тип"),
            Target("kind", "choice", _exact(CustomerRow.kind, [k.value for k in CustomerKind])),
        ),
        (
            ("status", "статус"),
            Target(
                "status", "choice", _exact(CustomerRow.status, [s.value for s in CustomerStatus])
            ),
        ),
        (("owner", "ответственный", "відповідальний"), Target("owner", "user", _owner(session))),
        (
            ("created", "создан", "створено"),
            Target("created", "date", _when(CustomerRow.created_at)),
        ),
        (
            ("updated", "изменён", "змінено"),
            Target("updated", "date", _when(CustomerRow.updated_at)),
        ),
        (("tag", "tags", "тег", "метка"), Target("tag", "tag", _tag)),
        (("phone", "телефон"), Target("phone", "contact", _identifier("phone"))),
        (("email", "e-mail", "почта", "пошта"), Target("email", "contact", _identifier("email"))),
        (
            ("organisation", "organization", "организация", "організація"),
            Target("organisation", "text", _organisation),
        ),
    ]


def _field_target(spec: FieldSpec) -> Target:
    element = CustomerRow.fields[spec.name]
    kind = {
        FieldType.NUMBER: "number",
        FieldType.MONEY: "number",
        FieldType.DATE: "date",
        FieldType.BOOLEAN: "boolean",
        FieldType.CHOICE: "choice",
        FieldType.MULTI_CHOICE: "choices",
        FieldType.TEXT: "text",
    }[spec.type]

    def value(raw: str) -> Any:
        if kind == "number":
            return float(parse_decimal(raw, spec.name))
        if kind == "date":
            return parse_date(raw, spec.name).isoformat()
        if kind == "choices":
            chosen = spec.coerce(raw)
            if not isinstance(chosen, list) or not chosen:
                raise InvalidInput.one(
                    spec.name,
                    _l(
                        "{value} is not one of: {choices}",
                        value=repr(raw),
                        choices=", ".join(spec.choices),
                    ),
                )
            return chosen[0]
        return spec.coerce(raw) if kind in ("choice", "boolean") else raw

    column = (
        element.as_float()
        if kind == "number"
        else element.as_boolean()
        if kind == "boolean"
        else element.as_string()
    )
    if kind == "choices":

        def compare_choices(operator: str, values: tuple[str, ...]) -> ColumnElement[bool]:
            return _compare_set(operator, values, column, lambda v: column.like(f'%"{value(v)}"%'))

        return Target(spec.label, kind, compare_choices)
    return Target(spec.label, kind, _scalar(column, value))


# --- comparisons -----------------------------------------------------------------------


def _scalar(column: SQLCoreOperations[Any], value: Callable[[str], Any]) -> Compare:
    def compare(operator: str, values: tuple[str, ...]) -> ColumnElement[bool]:
        if operator == "empty":
            return column.is_(None)
        if operator == "not empty":
            return column.is_not(None)
        if operator == "in":
            return column.in_([value(v) for v in values])
        if operator == "~":
            return column.contains(values[0])
        wanted = value(values[0])
        if operator == "!=":
            return or_(column != wanted, column.is_(None))
        comparisons: dict[str, ColumnElement[bool]] = {
            "=": column == wanted,
            ">": column > wanted,
            ">=": column >= wanted,
            "<": column < wanted,
            "<=": column <= wanted,
        }
        return comparisons[operator]

    return compare


def _compare_set(
    operator: str,
    values: tuple[str, ...],
    column: Any,
    contains: Callable[[str], ColumnElement[bool]],
) -> ColumnElement[bool]:
    if operator == "empty":
        return or_(column.is_(None), column == "[]")
    if operator == "not empty":
        return and_(column.is_not(None), column != "[]")
    if operator == "!=":
        return not_(contains(values[0]))
    if operator in ("=", "in"):
        return or_(*(contains(v) for v in values))
    raise InvalidInput.one(
        "expression", _l("{operator} does not apply to a list of values", operator=repr(operator))
    )


def _text(column: SQLCoreOperations[Any]) -> Compare:
    return _scalar(column, lambda raw: raw)


def _exact(column: SQLCoreOperations[Any], allowed: list[str]) -> Compare:
    def value(raw: str) -> str:
        if raw.casefold() not in allowed:
            raise InvalidInput.one(
                "expression",
                _l("{value} is not one of: {choices}", value=repr(raw), choices=", ".join(allowed)),
            )
        return raw.casefold()

    return _scalar(column, value)


def _when(column: SQLCoreOperations[Any]) -> Compare:
    def compare(operator: str, values: tuple[str, ...]) -> ColumnElement[bool]:
        if operator in ("empty", "not empty"):
            return false() if operator == "empty" else true()
        days = [parse_date(v, "date") for v in values]
        start = [datetime.combine(d, time.min, UTC) for d in days]
        if operator == "in":
            return or_(*(and_(column >= s, column < _next_day(s)) for s in start))
        day = start[0]
        return {
            "=": and_(column >= day, column < _next_day(day)),
            "!=": or_(column < day, column >= _next_day(day)),
            ">": column >= _next_day(day),
            ">=": column >= day,
            "<": column < day,
            "<=": column < _next_day(day),
        }[operator]

    return compare


def _next_day(moment: datetime) -> datetime:
    return moment + timedelta(days=1)


def _owner(session: Session) -> Compare:
    def user_id(raw: str) -> int:
        text = raw.strip()
        if text.isascii() and text.isdigit():
            found = session.scalar(select(UserRow.id).where(UserRow.id == int(text)))
        else:
            found = next((row.id for row in users_named(session, text)), None)
        if found is None:
            raise InvalidInput.one("expression", _l("there is no user {name}", name=repr(raw)))
        return found

    return _scalar(CustomerRow.owner_id, user_id)


def _tag(operator: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    def has(tag: str) -> ColumnElement[bool]:
        return exists().where(
            TagRow.customer_id == CustomerRow.id, TagRow.tag == normalize_tag(tag)
        )

    any_tag = exists().where(TagRow.customer_id == CustomerRow.id)
    return (
        _compare_set(operator, values, None, has)
        if operator not in ("empty", "not empty")
        else (not_(any_tag) if operator == "empty" else any_tag)
    )


def _identifier(kind: str) -> Compare:
    def compare(operator: str, values: tuple[str, ...]) -> ColumnElement[bool]:
        if operator not in ("=", "~", "empty", "not empty"):
            raise InvalidInput.one(
                "expression", _l("{kind} takes =, ~ or is empty", kind=_kind(kind))
            )
        stored = exists().where(
            CustomerIdentifierRow.customer_id == CustomerRow.id, CustomerIdentifierRow.kind == kind
        )
        if operator == "empty":
            return not_(stored)
        if operator == "not empty":
            return stored
        wanted = (
            values[0].lower() if kind == "email" else "".join(c for c in values[0] if c.isdigit())
        )
        return exists().where(
            CustomerIdentifierRow.customer_id == CustomerRow.id,
            CustomerIdentifierRow.kind == kind,
            CustomerIdentifierRow.value.contains(wanted),
        )

    return compare


def _organisation(operator: str, values: tuple[str, ...]) -> ColumnElement[bool]:
    organisation = aliased(CustomerRow)
    name_matches = _text(organisation.name)(operator, values)
    return exists().where(organisation.id == CustomerRow.organisation_id, name_matches)


# --- use cases -------------------------------------------------------------------------


def save_segment(app: App, actor: Actor, name: str, expression: str) -> Segment:
    """Save (or redefine) a shared segment; managers and admins curate them."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    name = one_line(name, "name")
    if not name or len(name) > 200:
        raise InvalidInput.one("name", _l("give the segment a name of up to 200 characters"))
    with UnitOfWork(app) as uow:
        compile_filter(app, uow.session, expression)
        found = uow.session.scalar(select(SegmentRow).where(SegmentRow.name == name))
        now = app.clock()
        row = found or SegmentRow(name=name, created_by=actor.user_id, created_at=now)

        def save() -> int:
            row.expression, row.updated_at = expression, now
            uow.session.add(row)
            uow.session.flush()
            return row.id

        changes.write(uow, actor, entity="segment", action="update" if found else "create",
                      entity_id=found.id if found else None,
                      before={"name": name, "expression": found.expression} if found else None,
                      after={"name": name, "expression": expression}, apply=save)  # fmt: skip
        segment = Segment(row.id, row.name, row.expression)
        uow.commit()
    return segment


def list_segments(app: App) -> list[Segment]:
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(select(SegmentRow).order_by(SegmentRow.name))
        return [Segment(r.id, r.name, r.expression) for r in rows]


def delete_segment(app: App, actor: Actor, name: str) -> None:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    with UnitOfWork(app) as uow:
        row = _segment_row(uow.session, name)

        def remove() -> int:
            uow.session.delete(row)
            uow.session.flush()
            return row.id

        changes.write(uow, actor, entity="segment", action="delete", entity_id=row.id,
                      before={"name": row.name, "expression": row.expression},
                      after={"name": row.name, "expression": None}, apply=remove)  # fmt: skip
        uow.commit()


def segment_members(
    app: App, actor: Actor, segment: str, *, limit: int = 100, offset: int = 0
) -> tuple[int, list[Customer]]:
    """How many customers the actor may see are in ``segment`` (a saved name or an
    expression), and one page of them.
    """
    with UnitOfWork(app, read_only=True) as uow:
        condition = _condition_for(app, uow.session, segment)
        scope = and_(
            owned_scope(actor, CustomerRow.owner_id), CustomerRow.archived == false(), condition
        )
        total = uow.session.scalar(select(func.count()).select_from(CustomerRow).where(scope)) or 0
        rows = uow.session.scalars(
            select(CustomerRow)
            .where(scope)
            .order_by(CustomerRow.name, CustomerRow.id)
            .limit(limit)
            .offset(offset)
        )
        return total, [Customer.model_validate(row) for row in rows]


def segments_of(app: App, session: Session, customer_id: int) -> list[str]:
    """The saved segments a customer belongs to (for the card)."""
    names = []
    for row in session.scalars(select(SegmentRow).order_by(SegmentRow.name)):
        try:
            condition = compile_filter(app, session, row.expression)
        except InvalidInput:
            continue  # a field it names was removed; the segment lists nobody
        if session.scalar(select(CustomerRow.id).where(CustomerRow.id == customer_id, condition)):
            names.append(row.name)
    return names


def _condition_for(app: App, session: Session, segment: str) -> ColumnElement[bool]:
    saved = session.scalar(select(SegmentRow).where(SegmentRow.name == segment.strip()))
    return compile_filter(app, session, saved.expression if saved else segment)


def _segment_row(session: Session, name: str) -> SegmentRow:
    row = session.scalar(select(SegmentRow).where(SegmentRow.name == name.strip()))
    if row is None:
        raise NotFound(_l("No segment {name}.", name=repr(name)))
    return row
