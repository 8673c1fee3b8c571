"""Fuzzy search over every customer a person may see, in Latin or Cyrillic, as they type.

Names are matched in memory against transliterated keys (rapidfuzz), which answers in
milliseconds over 100k customers; the index follows the database by reading the rows
changed since its last look (``updated_at``), so changes made by another process or
instance are found too. Phone fragments and e-mails are looked up in the identifiers
the core keeps.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.tables import AuditRow, CustomerIdentifierRow, CustomerRow, UserRow
from core.domain.actor import Actor
from core.domain.enums import Role
from core.domain.models import Customer
from core.services.uow import UnitOfWork
from plugins.contacts.transliterate import search_key

if TYPE_CHECKING:
    from core.bootstrap import App

MIN_SCORE = 60.0
# Rows committed by another process with a slightly older clock must not be skipped.
CLOCK_SLACK = timedelta(seconds=5)
_PHONE = re.compile(r"^[\d\s()+\-.]+$")


@dataclass(frozen=True)
class SearchHit:
    customer: Customer
    score: float
    matched: str


@dataclass
class _Entry:
    name_key: str
    organisation_id: int | None
    owner_id: int | None
    key: str = ""


@dataclass
class NameIndex:
    """Search keys of every active customer, kept up to date from ``updated_at``."""

    entries: dict[int, _Entry] = field(default_factory=dict)
    watermark: datetime | None = None
    marker: tuple[Any, ...] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: list[int] = field(default_factory=list)
    _keys: list[str] = field(default_factory=list)

    def refresh(self, session: Session) -> None:
        # Every change to a customer writes an audit entry: when neither the newest audit
        # entry nor the newest customer moved, nothing changed. Both come from indexes.
        marker = (
            session.scalar(select(func.max(AuditRow.id))),
            session.scalar(select(func.max(CustomerRow.updated_at))),
        )
        if marker == self.marker:
            return
        self.marker = marker
        query = select(
            CustomerRow.id,
            CustomerRow.name,
            CustomerRow.organisation_id,
            CustomerRow.owner_id,
            CustomerRow.archived,
            CustomerRow.updated_at,
        )
        if self.watermark is not None:
            query = query.where(CustomerRow.updated_at >= self.watermark - CLOCK_SLACK)
        changed: set[int] = set()
        for row in session.execute(query):
            if self.watermark is None or row.updated_at > self.watermark:
                self.watermark = row.updated_at
            old = self.entries.get(row.id)
            if row.archived:
                if old is not None:
                    del self.entries[row.id]
                    changed.add(row.id)
                continue
            new = _Entry(search_key(row.name), row.organisation_id, row.owner_id)
            if old is None or (old.name_key, old.organisation_id, old.owner_id) != (
                new.name_key,
                new.organisation_id,
                new.owner_id,
            ):
                self.entries[row.id] = new
                changed.add(row.id)
        if changed:
            self._rebuild(changed)

    def _rebuild(self, changed: set[int]) -> None:
        """Recompute the keys touched by ``changed``: a contact person's key carries the
        name of their organisation, so renaming an organisation re-keys its people.
        """
        for customer_id, entry in self.entries.items():
            if customer_id in changed or entry.organisation_id in changed:
                organisation = self.entries.get(entry.organisation_id or 0)
                entry.key = (
                    f"{entry.name_key} {organisation.name_key}" if organisation else entry.name_key
                )
        self._ids = list(self.entries)
        self._keys = [self.entries[i].key for i in self._ids]

    def match(self, query_key: str, limit: int, visible: VisibleOwners) -> list[tuple[int, float]]:
        found = []
        candidates = process.extract(
            query_key, self._keys, scorer=fuzz.WRatio, limit=None, score_cutoff=MIN_SCORE
        )
        candidates.sort(key=lambda hit: (-hit[1], len(self._keys[hit[2]])))
        for _key, score, position in candidates:
            customer_id = self._ids[position]
            if visible.allows(self.entries[customer_id].owner_id):
                found.append((customer_id, score))
                if len(found) == limit:
                    break
        return found


@dataclass(frozen=True)
class VisibleOwners:
    """The owners whose customers an actor may see, decided once per search."""

    everyone: bool
    owners: frozenset[int | None]

    def allows(self, owner_id: int | None) -> bool:
        return self.everyone or owner_id in self.owners

    @classmethod
    def of(cls, session: Session, actor: Actor) -> VisibleOwners:
        if actor.role is Role.ADMIN:
            return cls(True, frozenset())
        if actor.role is Role.MANAGER:
            team = session.scalars(select(UserRow.id).where(UserRow.team == actor.team))
            return cls(False, frozenset([None, *team]))
        return cls(False, frozenset([actor.user_id]))


_INDEXES: weakref.WeakKeyDictionary[App, NameIndex] = weakref.WeakKeyDictionary()


def name_index(app: App) -> NameIndex:
    """The application's index, built on first use."""
    index = _INDEXES.get(app)
    if index is None:
        index = _INDEXES.setdefault(app, NameIndex())
    return index


def search_customers(app: App, actor: Actor, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Customers the actor may see that match ``query``: a name (fuzzy, any script),
    a fragment of a phone number (the last digits are enough) or part of an e-mail.
    """
    text = query.strip()
    if not text:
        return []
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        visible = VisibleOwners.of(session, actor)
        digits = re.sub(r"\D", "", text)
        if _PHONE.match(text) and len(digits) >= 3:
            ranked = _identifier_matches(session, "phone", digits, "phone", visible, limit)
        elif "@" in text:
            ranked = _identifier_matches(session, "email", text.lower(), "e-mail", visible, limit)
        else:
            index = name_index(app)
            with index.lock:
                index.refresh(session)
                ranked = [
                    (cid, score, "name")
                    for cid, score in index.match(search_key(text), limit, visible)
                ]
        rows = {
            row.id: row
            for row in session.scalars(
                select(CustomerRow).where(CustomerRow.id.in_([cid for cid, _, _ in ranked]))
            )
        }
        return [
            SearchHit(Customer.model_validate(rows[cid]), score, matched)
            for cid, score, matched in ranked
            if cid in rows
        ]


def _identifier_matches(
    session: Session, kind: str, fragment: str, label: str, visible: VisibleOwners, limit: int
) -> list[tuple[int, float, str]]:
    rows = session.execute(
        select(CustomerIdentifierRow.customer_id, CustomerIdentifierRow.value, CustomerRow.owner_id)
        .join(CustomerRow, CustomerRow.id == CustomerIdentifierRow.customer_id)
        .where(CustomerIdentifierRow.kind == kind, CustomerIdentifierRow.value.contains(fragment))
        .limit(limit * 20)
    )
    best: dict[int, float] = {}
    for customer_id, value, owner_id in rows:
        if visible.allows(owner_id):
            # A number that ends with the typed digits is what a rep means by "...4567".
            score = 100.0 if value.endswith(fragment) else 90.0
            best[customer_id] = max(best.get(customer_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(customer_id, score, label) for customer_id, score in ranked]
