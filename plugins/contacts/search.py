"""Fuzzy search over every customer a person may see, in Latin or Cyrillic, as they type.

Names are matched in memory against transliterated keys (rapidfuzz), which answers in
milliseconds over 100k customers; the index follows the database by reading the rows
changed since its last look (``updated_at``), so changes made by another process or
instance are found too. Phone fragments and e-mails are looked up in the identifiers
the core keeps.
"""

from __future__ import annotations

import bisect
import heapq
import re
import threading
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapport.core.db.tables import AuditRow, CustomerIdentifierRow, CustomerRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.models import Customer
from rapport.core.domain.values import normalize_phone
from rapport.core.services.access import visibility
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.transliterate import search_key

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

MIN_SCORE = 60.0
# Rows committed by another process with a slightly older clock must not be skipped.
CLOCK_SLACK = timedelta(seconds=5)
_PHONE = re.compile(r"^[\d\s()+\-.]+$")
_EMAIL_PART = re.compile(r"^[a-z0-9][a-z0-9._\-]{2,}$", re.IGNORECASE)


@dataclass(frozen=True)
class SearchHit:
    customer: Customer
    score: float
    matched: str


@dataclass
class _Entry:
    name: str
    organisation_id: int | None
    owner_id: int | None
    name_key: str = ""
    key: str = ""


@dataclass
class NameIndex:
    """Search keys of every active customer, kept up to date from the database.

    A key is split into words; a query's words are matched (with typos, and as
    prefixes while the user types) against the vocabulary of distinct words, which is
    far smaller than the number of customers, and only customers holding a matched
    word are scored.
    """

    entries: dict[int, _Entry] = field(default_factory=dict)
    watermark: datetime | None = None
    marker: tuple[Any, ...] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _words: dict[str, set[int]] = field(default_factory=dict)
    _people: dict[int, set[int]] = field(default_factory=dict)
    _vocabulary: list[str] | None = None

    def refresh(self, session: Session, now: datetime) -> None:
        """Read the rows changed since the last look; ``now`` is the application's clock
        as this look begins."""
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
        for row in session.execute(query):
            if self.watermark is None or row.updated_at > self.watermark:
                self.watermark = row.updated_at
            old = self.entries.get(row.id)
            if row.archived:
                if old is not None:
                    self._forget(row.id)
                continue
            # Rows re-read within the slack are mostly unchanged (under load, every
            # search re-reads the last seconds' rows): compare before transliterating.
            new = _Entry(row.name, row.organisation_id, row.owner_id)
            if old is None or (old.name, old.organisation_id, old.owner_id) != (
                new.name,
                new.organisation_id,
                new.owner_id,
            ):
                new.name_key = search_key(row.name)
                if old is not None:
                    self._forget(row.id)
                self.entries[row.id] = new
                if new.organisation_id is not None:
                    self._people.setdefault(new.organisation_id, set()).add(row.id)
                self._rekey(row.id)
                for person in self._people.get(row.id, ()):  # people carry their org's name
                    self._rekey(person)
        # Every row stamped before this look began has been read: the next look starts
        # here (less the slack), not at the newest row, which after an import or a quiet
        # spell is long past while logged calls keep moving the marker (each search read
        # every customer again, 0.75 s at 100k, until some customer changed).
        self.watermark = max(self.watermark or now, now)

    def _forget(self, customer_id: int) -> None:
        entry = self.entries.pop(customer_id)
        self._unlist(customer_id, entry.key)
        if entry.organisation_id is not None:
            self._people.get(entry.organisation_id, set()).discard(customer_id)

    def _rekey(self, customer_id: int) -> None:
        entry = self.entries.get(customer_id)
        if entry is None:
            return
        organisation = self.entries.get(entry.organisation_id or 0)
        key = f"{entry.name_key} {organisation.name_key}" if organisation else entry.name_key
        self._unlist(customer_id, entry.key)
        entry.key = key
        for word in key.split():
            if word not in self._words:
                self._vocabulary = None
            self._words.setdefault(word, set()).add(customer_id)

    def _unlist(self, customer_id: int, key: str) -> None:
        for word in key.split():
            holders = self._words.get(word)
            if holders is not None:
                holders.discard(customer_id)
                if not holders:
                    del self._words[word]
                    self._vocabulary = None

    def match(
        self, query_key: str, limit: int, visible: frozenset[int | None] | None
    ) -> list[tuple[int, float]]:
        """Best matches first; each query word counts equally, a missing word as zero.
        A single letter is an initial ("Щербакова Н"): it matches no word by spelling,
        it keeps only the names with a word starting with it."""
        words = query_key.split()
        if not words:
            return []
        initials = [w for w in words if len(w) == 1 and not w.isdigit()]
        words = [w for w in words if w not in initials] or words
        if self._vocabulary is None:
            # Numbers are matched exactly, so only words go through the fuzzy matcher.
            self._vocabulary = sorted(w for w in self._words if not w.isdigit())
        totals: dict[int, float] = {}
        for word in words:
            best: dict[int, float] = {}
            for candidate, score in self._similar_words(word):
                for customer_id in self._words[candidate]:
                    if score > best.get(customer_id, 0.0):
                        best[customer_id] = score
            for customer_id, score in best.items():
                totals[customer_id] = totals.get(customer_id, 0.0) + score / len(words)
        # Best score first, then the shorter (more exact) key; tuples compare in C.
        ranked = [
            (-score, len(self.entries[cid].key), cid)
            for cid, score in totals.items()
            if score >= MIN_SCORE and self._has_initials(cid, initials)
        ]
        take = limit * 4
        while True:
            found = []
            for negative, _length, customer_id in heapq.nsmallest(take, ranked):
                if visible is None or self.entries[customer_id].owner_id in visible:
                    found.append((customer_id, -negative))
                    if len(found) == limit:
                        return found
            if take >= len(ranked):
                return found
            take *= 8  # the role hid too many of the best: look further down

    def _has_initials(self, customer_id: int, initials: list[str]) -> bool:
        names = self.entries[customer_id].key.split()
        return all(any(name.startswith(letter) for name in names) for letter in initials)

    def _similar_words(self, word: str) -> list[tuple[str, float]]:
        """Words of the vocabulary like ``word``: typos, and longer words it starts."""
        assert self._vocabulary is not None
        if word.isdigit():
            return [(word, 100.0)] if word in self._words else []
        found = {
            candidate: score
            for candidate, score, _ in process.extract(
                word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=40
            )
        }
        if len(word) >= 3:
            start = bisect.bisect_left(self._vocabulary, word)
            for candidate in self._vocabulary[start : start + 200]:
                if not candidate.startswith(word):
                    break
                found[candidate] = max(
                    found.get(candidate, 0.0), 85.0 + 15.0 * len(word) / len(candidate)
                )
        return list(found.items())


_INDEXES: weakref.WeakKeyDictionary[App, NameIndex] = weakref.WeakKeyDictionary()


def name_index(app: App) -> NameIndex:
    """The application's index, built on first use."""
    index = _INDEXES.get(app)
    if index is None:
        index = _INDEXES.setdefault(app, NameIndex())
    return index


def warm_index(app: App) -> None:
    """Build the index now (at start-up, in the background), so the first search after a
    restart does not wait for every customer's name to be read and keyed."""
    index = name_index(app)
    with UnitOfWork(app, read_only=True) as uow, index.lock:
        index.refresh(uow.session, app.clock())


def search_customers(app: App, actor: Actor, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Customers the actor may see that match ``query``: a name (fuzzy, any script),
    a fragment of a phone number (the last digits are enough) or part of an e-mail.
    """
    text = query.strip()
    if not text:
        return []
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        visible = visibility(actor).owners(session)  # the one access rule
        digits = re.sub(r"\D", "", text)
        if _PHONE.match(text) and len(digits) >= 3:
            digits = _stored_digits(text, app.settings.default_region) or digits
            ranked = _identifier_matches(session, "phone", digits, "phone", visible, limit)
        elif "@" in text:
            ranked = _identifier_matches(session, "email", text.lower(), "e-mail", visible, limit)
        else:
            index = name_index(app)
            with index.lock:
                index.refresh(session, app.clock())
                ranked = [
                    (cid, score, "name")
                    for cid, score in index.match(search_key(text), limit, visible)
                ]
            if _EMAIL_PART.match(text):  # "primfish", "yandex": part of an address, too
                named = {cid for cid, _score, _how in ranked}
                ranked += [
                    hit
                    for hit in _identifier_matches(
                        session, "email", text.lower(), "e-mail", visible, limit
                    )
                    if hit[0] not in named
                ][: max(0, limit - len(ranked))]
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


def _stored_digits(text: str, region: str) -> str | None:
    """A whole number typed the local way (``8 924 123-45-67``) as it is stored
    (``79241234567``); None for a fragment ("4567"), which is matched as typed."""
    try:
        return normalize_phone(text, region).lstrip("+")
    except InvalidInput:
        return None


def _identifier_matches(
    session: Session,
    kind: str,
    fragment: str,
    label: str,
    visible: frozenset[int | None] | None,
    limit: int,
) -> list[tuple[int, float, str]]:
    rows = session.execute(
        select(CustomerIdentifierRow.customer_id, CustomerIdentifierRow.value, CustomerRow.owner_id)
        .join(CustomerRow, CustomerRow.id == CustomerIdentifierRow.customer_id)
        .where(CustomerIdentifierRow.kind == kind, CustomerIdentifierRow.value.contains(fragment))
        .limit(limit * 20)
    )
    best: dict[int, float] = {}
    for customer_id, value, owner_id in rows:
        if visible is None or owner_id in visible:
            # A number that ends with the typed digits is what a rep means by "...4567".
            score = 100.0 if value.endswith(fragment) else 90.0
            best[customer_id] = max(best.get(customer_id, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(customer_id, score, label) for customer_id, score in ranked]
