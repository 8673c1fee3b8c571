"""Likely duplicates, found before a customer is saved, so the base stays one clean list.

A duplicate is the same phone or e-mail anywhere in the base (even a record the person
may not open: they are told who owns it, not what it holds), or a very similar name
among the contact persons of the same organisation, or among organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz
from sqlalchemy import select

from rapport.core.db.tables import CustomerRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.commands import NewCustomer, parse_command
from rapport.core.domain.enums import CustomerKind
from rapport.core.domain.errors import InvalidInput, Localized, RapportError, Text
from rapport.core.domain.models import Customer
from rapport.core.domain.values import normalize_email, normalize_phone
from rapport.core.i18n import texts_for, translate
from rapport.core.services.access import may_see_owner
from rapport.core.services.customers import create_customer, find_by_identifier
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import LANGUAGES
from rapport.plugins.contacts.options import contacts_options
from rapport.plugins.contacts.search import name_index
from rapport.plugins.contacts.transliterate import search_key

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rapport.core.bootstrap import App

_l = texts_for(__file__).lazy
SAME = {
    "phone": lambda value: _l("same phone {value}", value=value),
    "email": lambda value: _l("same e-mail {value}", value=value),
}


@dataclass(frozen=True)
class Duplicate:
    customer_id: int
    name: str
    owner: str | None
    reasons: tuple[Text, ...]
    visible: bool

    def describe(self, language: str = "en") -> str:
        """``#5 ООО Ромашка (same phone +79…, owned by Ivan)`` in the reader's language; a
        record the reader may not open is named by its owner only."""
        reasons = "; ".join(translate(reason, language) for reason in self.reasons)
        if self.owner:
            reasons = translate(_l("{reasons}, owned by {owner}", reasons=reasons,
                                   owner=self.owner), language)  # fmt: skip
        name = self.name if self.visible else translate(_l("a customer you cannot open"), language)
        return f"#{self.customer_id} {name} ({reasons})"


class PossibleDuplicates(RapportError):
    """The new record looks like one already stored; the user merges or confirms."""

    def __init__(self, duplicates: list[Duplicate]) -> None:
        self.duplicates = duplicates
        listed = Localized(
            "; ".join(d.describe() for d in duplicates),
            {lang: "; ".join(d.describe(lang) for d in duplicates) for lang in LANGUAGES},
        )
        super().__init__(_l("This looks like a customer you already have: {listed}.",
                            listed=listed))  # fmt: skip


def find_duplicates(app: App, actor: Actor, data: NewCustomer | dict[str, Any]) -> list[Duplicate]:
    """Stored customers that the new record would probably duplicate, most certain first."""
    candidate = parse_command(NewCustomer, data)
    reasons: dict[int, list[Text]] = {}
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        for kind, values in (
            (
                "phone",
                _valid(candidate.phones, lambda p: normalize_phone(p, app.settings.default_region)),
            ),
            ("email", _valid(candidate.emails, normalize_email)),
        ):
            for value, ids in find_by_identifier(session, kind, values).items():
                for customer_id in ids:
                    reasons.setdefault(customer_id, []).append(SAME[kind](value))
        threshold = contacts_options(app.settings).duplicate_name_score
        for customer_id, score in _similar_names(app, session, candidate, threshold):
            reasons.setdefault(customer_id, []).append(
                _l("similar name, {score}% alike", score=f"{score:.0f}")
            )
        return _describe(session, actor, reasons)


def add_customer(
    app: App, actor: Actor, data: NewCustomer | dict[str, Any], *, allow_duplicates: bool = False
) -> Customer:
    """Create a customer unless it looks like one already stored (then PossibleDuplicates)."""
    if not allow_duplicates:
        try:
            duplicates = find_duplicates(app, actor, data)
        except Exception:
            duplicates = []
        if duplicates:
            raise PossibleDuplicates(duplicates)
    return create_customer(app, actor, data)


def _valid(values: list[str], normalize: Any) -> list[str]:
    found = []
    for raw in values:
        try:
            found.append(normalize(raw))
        except InvalidInput:
            continue
    return found


def _similar_names(
    app: App, session: Session, candidate: NewCustomer, threshold: int
) -> list[tuple[int, float]]:
    key = search_key(candidate.name)
    if not key:
        return []
    if candidate.organisation_id is not None:
        rows = session.execute(
            select(CustomerRow.id, CustomerRow.name).where(
                CustomerRow.organisation_id == candidate.organisation_id,
                CustomerRow.archived.is_(False),
            )
        )
        return _above(key, rows, threshold)
    if candidate.kind is not CustomerKind.ORGANISATION:
        return []  # namesakes among private persons are common: phones and e-mails decide
    index = name_index(app)
    with index.lock:
        index.refresh(session, app.clock())
        near = index.match(key, 20, None)  # a duplicate may be anyone's
    rows = session.execute(
        select(CustomerRow.id, CustomerRow.name).where(
            CustomerRow.id.in_([customer_id for customer_id, _ in near]),
            CustomerRow.kind == CustomerKind.ORGANISATION.value,
        )
    )
    return _above(key, rows, threshold)


def _above(key: str, rows: Any, threshold: int) -> list[tuple[int, float]]:
    scored = [(row.id, fuzz.token_sort_ratio(key, search_key(row.name))) for row in rows]
    return sorted(
        [(customer_id, score) for customer_id, score in scored if score >= threshold],
        key=lambda item: -item[1],
    )


def _describe(session: Session, actor: Actor, reasons: dict[int, list[Text]]) -> list[Duplicate]:
    if not reasons:
        return []
    rows = session.execute(
        select(CustomerRow.id, CustomerRow.name, CustomerRow.owner_id, UserRow.display_name)
        .outerjoin(UserRow, UserRow.id == CustomerRow.owner_id)
        .where(CustomerRow.id.in_(reasons), CustomerRow.archived.is_(False))
    )
    found = [
        Duplicate(
            customer_id=row.id,
            name=row.name,
            owner=row.display_name,
            reasons=tuple(reasons[row.id]),
            visible=may_see_owner(session, actor, row.owner_id),
        )
        for row in rows
    ]
    return sorted(found, key=lambda d: (-len(d.reasons), d.customer_id))
