"""The sheets a manager sees: one per entity, columns found by their header.

Columns come from the core's fields and every plugin's custom fields and computed
columns, so a plugin's field becomes a column with no adapter change. Headers are in the
team's language; a column is recognised by its header in any language, so a manager
may reorder, hide or add columns of their own.

A value has one text form to compare (:func:`canonical`): a number read by the core's
parser as the sheet's locale writes numbers, a date by the core's date parser, a choice
as stored whatever its letter case or language. A choice is shown as the team says it
(a default stage in the team's language).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Literal

from rapport.core.domain.enums import CustomerKind, CustomerStatus, FieldType
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.fields import parse_date
from rapport.core.domain.numbers import parse_decimal
from rapport.core.domain.values import printable
from rapport.core.services.archive import Archivable
from rapport.core.words import stage_word
from rapport.core.words import texts as core_words

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor

STATUS = "status_note"


class Formula(str):
    """A cell holding a formula, as its text: a backend never hands over its result, so
    a formula typed into a data cell is refused rather than its result taken."""


@dataclass(frozen=True)
class Column:
    key: str
    headers: Mapping[str, str]
    kind: str = "text"  # text, number, date, choice, list, id, note
    choices: tuple[str, ...] = ()
    read_only: bool = False
    lookup: Callable[[Sequence[int]], Mapping[int, Any]] | None = None  # a plugin's column
    save: Callable[[Actor, int, str | None], None] | None = None
    owner: str = ""  # the plugin behind a computed column, named when it fails
    labels: Mapping[str, str] = field(default_factory=dict)
    """A choice as the team says it (a default stage in the team's language)."""

    def header(self, language: str) -> str:
        return self.headers.get(language) or self.headers["en"]

    def shown_choices(self) -> tuple[str, ...]:
        return tuple(self.labels.get(choice, choice) for choice in self.choices)

    def choice(self, text: str) -> str:
        """The stored choice ``text`` names, in any letter case, as stored or as shown;
        text that names none stays as typed, for the service to refuse with its reason."""
        return self._choices_by_name.get(text.casefold(), text)

    @cached_property
    def _choices_by_name(self) -> dict[str, str]:
        """Each choice by its stored and its shown name, casefolded; the first choice
        named so wins, as the order of choices says."""
        named: dict[str, str] = {}
        for choice in self.choices:
            named.setdefault(choice.casefold(), choice)
            named.setdefault(self.labels.get(choice, choice).casefold(), choice)
        return named

    def names(self) -> set[str]:
        return {h.casefold() for h in self.headers.values()} | {self.key.casefold()}


@dataclass(frozen=True)
class SheetLayout:
    name: str
    entity: Archivable | Literal["summary"]  # the records it lists, or the reports' summary
    titles: Mapping[str, str]
    columns: tuple[Column, ...] = field(default=())
    identity: tuple[str, ...] = ()
    """The columns that name a row's record to a person (a deal's title and customer)."""

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]


def _c(key: str, en: str, ru: str, uk: str, **extra: Any) -> Column:
    return Column(key, {"en": en, "ru": ru, "uk": uk}, **extra)


def layouts(app: App, users: Mapping[int, str], stages: tuple[str, ...],
            language: str) -> list[SheetLayout]:  # fmt: skip
    owners = tuple(sorted(users.values()))
    words = core_words(app, language)
    stage_labels = {stage: stage_word(words, stage) for stage in stages}
    kinds = tuple(k.value for k in CustomerKind)
    statuses = tuple(s.value for s in CustomerStatus)
    note = _c(STATUS, "Rapport says", "Rapport сообщает", "Rapport повідомляє", kind="note",
              read_only=True)  # fmt: skip
    customers = (
        _c("id", "ID", "ID", "ID", kind="id", read_only=True),
        _c("name", "Name", "Название", "Назва"),
        _c("kind", "Kind", "Тип", "Тип", kind="choice", choices=kinds),
        _c("position", "Position", "Должность", "Посада"),
        _c("phones", "Phones", "Телефоны", "Телефони", kind="list"),
        _c("emails", "E-mails", "Эл. почта", "Ел. пошта", kind="list"),
        _c("address", "Address", "Адрес", "Адреса"),
        _c("owner", "Owner", "Ответственный", "Відповідальний", kind="choice", choices=owners),
        _c("status", "Status", "Статус", "Статус", kind="choice", choices=statuses),
        *_field_columns(app, "customer", language),
        note,
    )
    deals = (
        _c("id", "ID", "ID", "ID", kind="id", read_only=True),
        _c("title", "Title", "Название", "Назва"),
        _c("customer", "Customer", "Клиент", "Клієнт", read_only=True),
        _c("stage", "Stage", "Этап", "Етап", kind="choice", choices=stages, labels=stage_labels),
        _c("amount", "Amount", "Сумма", "Сума", kind="number"),
        _c("currency", "Currency", "Валюта", "Валюта"),
        _c("owner", "Owner", "Ответственный", "Відповідальний", kind="choice", choices=owners),
        _c("expected_close", "Expected close", "Закрытие", "Закриття", kind="date"),
        _c("lost_reason", "Lost reason", "Причина проигрыша", "Причина програшу"),
        *_field_columns(app, "deal", language),
        note,
    )
    return [
        SheetLayout("customers", "customer", {"en": "Customers", "ru": "Клиенты", "uk": "Клієнти"},
                    customers, identity=("name",)),
        SheetLayout("deals", "deal", {"en": "Deals", "ru": "Сделки", "uk": "Угоди"}, deals,
                    identity=("title", "customer")),
    ]  # fmt: skip


KINDS = {FieldType.NUMBER: "number", FieldType.MONEY: "number", FieldType.DATE: "date",
         FieldType.CHOICE: "choice", FieldType.MULTI_CHOICE: "list", FieldType.BOOLEAN: "text",
         FieldType.TEXT: "text"}  # fmt: skip
"""How a cell of each field type is written: numbers a manager can sum, dates as dates."""


def _field_columns(app: App, entity: Archivable, language: str) -> list[Column]:
    columns = []
    for spec in app.registry.fields_for(entity):
        labels = {choice: spec.choice_label(choice, language) for choice in spec.choices}
        columns.append(Column(f"fields.{spec.name}", {"en": spec.label, **spec.labels},
                              kind=KINDS[spec.type], choices=spec.choices,
                              labels=labels))  # fmt: skip
    for extra in app.registry.sheet_columns:
        if extra.sheet == ("customers" if entity == "customer" else "deals"):
            kind = "choice" if extra.choices else KINDS[extra.type]
            columns.append(Column(
                f"computed.{extra.key}", {"en": extra.header, **extra.headers},
                kind=kind, choices=extra.choices,
                read_only=extra.save is None, lookup=partial(extra.values, app),
                save=partial(extra.save, app) if extra.save else None, owner=extra.owner,
            ))  # fmt: skip
    return columns


def signature(columns: Iterable[Column]) -> tuple[Any, ...]:
    """What reading or making a cell of these columns depends on (their kinds, choices
    and labels): what a process kept of a sheet is reused only under the same."""
    return tuple((c.key, c.kind, c.choices, tuple(c.labels.items())) for c in columns)


def canonical(column: Column, cell: Any, language: str | None = None) -> str:
    """One text form per value, so "1500", 1500.0 and "1 500,00" compare equal.

    A number typed in the sheet is read by the core's parser as a reader of the sheet's
    ``language`` (its locale) writes it, a date by the core's date parser, a choice as
    :meth:`Column.choice` finds it; text they refuse (``Infinity``, ``1e30``, a date that
    is none) stays as typed, for the service to refuse with its reason on the row.
    Characters no person types are left out, as the sheet cannot show them.
    """
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()[:10]
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # digits the sheet took for a number (a phone without "+"), as typed
    text = printable(str(cell)).strip()
    if not text or isinstance(cell, Formula):
        return text
    try:
        if column.kind == "number":
            return f"{parse_decimal(cell, column.key, language).quantize(Decimal('0.01'))}"
        if column.kind == "date":
            return parse_date(text, column.key).isoformat()
    except InvalidInput:
        return text
    if column.kind == "choice":
        return column.choice(text)
    if column.kind == "list":
        return "; ".join(part.strip() for part in text.replace(",", ";").split(";") if part.strip())
    return text


def typed(column: Column, text: Any) -> Any:
    """A cell as the sheet should hold it: amounts as numbers and dates as dates, so a
    manager can sum, sort and filter them; everything else as the text it is."""
    if not isinstance(text, str) or not text:
        return text
    if column.kind == "choice":
        return column.labels.get(text, text)
    try:
        if column.kind == "id":
            return int(text)
        if column.kind == "number":
            return Decimal(text)
        if column.kind == "date":
            return date.fromisoformat(text)
    except (InvalidOperation, ValueError):
        pass
    return text
