"""Recalculating what loyalty knows: value, segments, strategy, next best action.

The nightly run recalculates every customer and keeps what RFM scores are ranked
against (every value, or quantiles of a large book) and the Pareto cut-off; an event
(a call logged, a deal won or lost) recalculates that one customer against them in
milliseconds, off the bot's event loop.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Insert, func, select

from rapport.core.db.dml import conflict_insert
from rapport.core.db.tables import InteractionRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import InvalidInput, Localized
from rapport.core.extensions import Classifier, Profile
from rapport.core.i18n import from_stored, texts_for, to_stored, translate
from rapport.core.services import changes
from rapport.core.services.access import require_role
from rapport.core.services.customers import get_customer
from rapport.core.services.isolation import isolated
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.loyalty.classify import NOT_ENOUGH, SEGMENTS, VALUE_WORDS
from rapport.plugins.loyalty.options import LoyaltyOptions, loyalty_options
from rapport.plugins.loyalty.pending import pending
from rapport.plugins.loyalty.signals import customer_contact, gather
from rapport.plugins.loyalty.tables import OverrideRow, ProfileRow, StateRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rapport.core.bootstrap import App

_l = texts_for(__file__).lazy

CENT = Decimal("0.01")
CHUNK = 5000
RANKS = 1001


@dataclass(frozen=True)
class LoyaltyProfile:
    customer_id: int
    value_score: float
    r: int
    f: int
    m: int
    key_customer: bool
    cost_to_serve: Decimal
    profit: Decimal
    segment: str
    strategy: str | None
    verdicts: dict[str, Any]
    next_action: str | None
    discount_eligible: bool
    contact_cap_reached: bool


_STORED = ("customer_id", "value_score", "r", "f", "m", "key_customer", "cost_to_serve",
           "profit", "segment", "strategy", "next_action", "discount_eligible")  # fmt: skip
"""The profile's fields read as stored (the verdicts are copied, the cap counted)."""


def recalculate(app: App, customer_ids: Sequence[int] | None = None) -> int:
    """Recalculate everyone (None) or these customers; returns how many were updated.

    Read and written in one transaction: on SQLite it holds the write lock throughout, so
    a run never stores what it read before another run (an override's) stored newer."""
    with UnitOfWork(app) as uow:
        session = uow.session
        if customer_ids is not None and session.get(StateRow, "rfm") is None:
            customer_ids = None  # no bounds yet to score one customer against: do everyone
        rows, state = _computed(app, session, customer_ids, full=customer_ids is None)
        if state is not None:
            session.execute(_upsert(session, StateRow), [{"key": "rfm", "value": state}])
        # Core executemany on the connection (the ORM path writes far smaller batches), as
        # upserts: the worker and a full run may store the same customer at once.
        for start in range(0, len(rows), CHUNK):
            session.connection().execute(_upsert(session, ProfileRow), rows[start : start + CHUNK])
        uow.commit()
    return len(rows)


def _upsert(session: Session, table: type[ProfileRow] | type[StateRow]) -> Insert:
    """INSERT that replaces the row with the same primary key (PostgreSQL and SQLite)."""
    statement = conflict_insert(session, table)
    columns = table.__table__.c
    return statement.on_conflict_do_update(
        index_elements=[c for c in columns if c.primary_key],
        set_={c.name: statement.excluded[c.name] for c in columns if not c.primary_key},
    )


def _computed(
    app: App, session: Session, customer_ids: Sequence[int] | None, *, full: bool
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The profiles of these customers (everyone: None), as a recalculation stores them,
    and the bounds to store with them (None: the stored ones served)."""
    options = loyalty_options(app.settings)
    now = app.clock()
    found = gather(app, session, customer_ids, now, options)
    state, new = _state(session, found, options, now, full=full)
    overrides = select(OverrideRow.customer_id, OverrideRow.segment)
    if customer_ids is not None:  # only theirs: not every override for each event
        overrides = overrides.where(OverrideRow.customer_id.in_(list(found)))
    overridden: dict[int, str] = {cid: segment for cid, segment in session.execute(overrides)}
    rows = []
    for cid, metrics in found.items():
        with isolated("loyalty profile of customer", cid):  # the rest keep their scores
            rows.append(_profile(app, options, cid, metrics, state, overridden.get(cid), now))
    return rows, state if new else None


def _fresh(app: App, session: Session, waiting: set[int]) -> dict[int, dict[str, Any]]:
    """The profiles of customers still waiting for their recalculation (:func:`pending`,
    asked before the reader's transaction began), computed in it as the worker will
    store them (none before the first full run, whose bounds they are scored against)."""
    if not waiting:
        return {}
    stored = session.get(StateRow, "rfm")
    if stored is None or not stored.value.get("ranked"):
        return {}
    rows, _bounds = _computed(app, session, sorted(waiting), full=False)
    return {row["customer_id"]: row for row in rows}


def full_run_at(session: Session) -> datetime | None:
    """When everyone was last recalculated (None: never, or before it was recorded)."""
    stored = session.get(StateRow, "rfm")
    at = stored.value.get("at") if stored is not None else None
    return datetime.fromisoformat(at) if at else None


def profile_of(app: App, actor: Actor, customer_id: int) -> LoyaltyProfile | None:
    get_customer(app, actor, customer_id)  # the actor must be allowed to see the customer
    return stored_profile(app, customer_id)


def stored_profile(app: App, customer_id: int) -> LoyaltyProfile | None:
    """The customer's profile, for a caller that has checked the reader may see them (the
    card has: its section need not look the customer up a second time)."""
    options = loyalty_options(app.settings)
    waiting = pending(app, [customer_id])
    with UnitOfWork(app, read_only=True) as uow:
        values: Mapping[Any, Any] | None = _fresh(app, uow.session, waiting).get(customer_id)
        if values is None:
            values = (
                uow.session.execute(
                    select(*ProfileRow.__table__.c).where(ProfileRow.customer_id == customer_id)
                )
                .mappings()
                .first()
            )
        if values is None:
            return None
        since = app.clock() - timedelta(days=options.cap_days)
        recent = uow.session.scalar(
            select(func.count()).where(InteractionRow.customer_id == customer_id,
                                       customer_contact(options),
                                       InteractionRow.occurred_at >= since)
        ) or 0  # fmt: skip
        return LoyaltyProfile(
            **{name: values[name] for name in _STORED},
            verdicts=dict(values["verdicts"]),
            contact_cap_reached=recent >= options.cap_contacts,
        )


def segments_of(app: App, customer_ids: Sequence[int]) -> dict[int, str]:
    """Many customers' segments in one query (a spreadsheet shows thousands at once)."""
    ids = list(customer_ids)
    found: dict[int, str] = {}
    waiting = pending(app, ids)
    with UnitOfWork(app, read_only=True) as uow:
        for start in range(0, len(ids), CHUNK):
            query = select(ProfileRow.customer_id, ProfileRow.segment).where(
                ProfileRow.customer_id.in_(ids[start : start + CHUNK])
            )
            found.update((row.customer_id, row.segment) for row in uow.session.execute(query))
        found.update(
            (customer_id, row["segment"])
            for customer_id, row in _fresh(app, uow.session, waiting).items()
        )
    return found


@dataclass(frozen=True)
class ShownVerdict:
    """A verdict as one reader reads it: "Мотивация: ищет новинки — 6 контактов…"."""

    label: str
    value: str
    reasons: str

    def line(self) -> str:
        return f"{self.label}: {self.value}" + (f" — {self.reasons}" if self.reasons else "")


def shown_verdicts(app: App, verdicts: dict[str, Any], language: str) -> list[ShownVerdict]:
    """Verdicts in the order their classifiers were registered (JSONB keeps no order),
    labels, values and reasons in ``language``: the card, the CLI and the reports."""
    order = list(app.registry.classifiers)
    keys = sorted(verdicts, key=lambda k: order.index(k) if k in order else len(order))
    return [_shown(app.registry.classifiers.get(key), verdicts[key], language) for key in keys]


def shown_reasons(reasons: list[Any], language: str) -> str:
    return "; ".join(translate(from_stored(reason), language) for reason in reasons)


def _shown(classifier: Classifier | None, verdict: dict[str, Any], language: str) -> ShownVerdict:
    value = str(verdict.get("value", ""))
    if classifier is None:  # its plugin is gone: what was stored, as it was
        label = str(verdict.get("label", ""))
    else:
        label, value = classifier.label_for(language), classifier.value_for(value, language)
    return ShownVerdict(label, value, shown_reasons(list(verdict.get("reasons", [])), language))


def override_segment(
    app: App, actor: Actor, customer_id: int, segment: str | None, note: str | None
) -> None:
    """A person's judgement beats the rules: kept, audited, shown as theirs. None removes it."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    if segment is not None:
        segment = _segment_key(segment)
    get_customer(app, actor, customer_id)
    with UnitOfWork(app) as uow:
        old = uow.session.get(OverrideRow, customer_id)
        before = {"segment": old.segment if old else None, "note": old.note if old else None}

        def apply() -> int:
            if old is not None:
                uow.session.delete(old)
                uow.session.flush()
            if segment is not None:
                uow.session.add(OverrideRow(customer_id=customer_id, segment=segment, note=note,
                                            by=actor.user_id, at=app.clock()))  # fmt: skip
            uow.session.flush()
            return customer_id

        changes.write(uow, actor, entity="customer", action="segment_override",
                      entity_id=customer_id, before=before,
                      after={"segment": segment, "note": note}, apply=apply)  # fmt: skip
        uow.commit()
    recalculate(app, [customer_id])


def _state(
    session: Session,
    found: dict[int, dict[str, Any]],
    options: LoyaltyOptions,
    now: datetime,
    *,
    full: bool,
) -> tuple[dict[str, Any], bool]:
    """RFM bounds and the Pareto cut-off, and whether they are new (to be stored): from
    everyone on a full run, else as last stored."""
    stored = session.get(StateRow, "rfm")
    if not full and stored is not None and stored.value.get("ranked"):
        return dict(stored.value), False
    buyers = [m for m in found.values() if m["orders_total"]]
    now_days = [_recency(m) for m in buyers]
    state: dict[str, Any] = {
        # The start-up catch-up looks for events since the last full run.
        "at": now.isoformat() if full else (stored.value.get("at") if stored else None),
        "ranked": True,  # bounds stored before ties were ranked are recomputed once
        "recency": _ranks([d for d in now_days if d is not None]),
        "frequency": _ranks([m["orders_total"] for m in buyers]),
        "monetary": _ranks([float(m["monetary"]) for m in buyers]),
    }
    revenue = sorted((float(m["monetary"]) for m in buyers), reverse=True)
    total = sum(revenue)
    cutoff, running = None, 0.0
    for value in revenue:
        if total and running / total * 100 >= options.key_share:
            break
        cutoff, running = value, running + value
    state.update(total_revenue=total, key_cutoff=cutoff)
    return state, True


def _ranks(values: list[float]) -> list[float]:
    """The sorted values a score is ranked against: all of them for a small book, else
    ``RANKS`` evenly spaced quantiles (the state stays small for 100k customers)."""
    ordered = sorted(values)
    if len(ordered) <= RANKS:
        return ordered
    last = len(ordered) - 1
    return [ordered[last * k // (RANKS - 1)] for k in range(RANKS)]


def _score(value: float, ranks: list[float], buckets: int) -> int:
    """1 to ``buckets`` by the value's average rank (its percentile), so tied values share
    a score: ten customers who last bought on the same day are equally recent, not all
    the least recent (what cutting at the bucket bounds made of ties)."""
    if not ranks:
        return 1
    below = bisect.bisect_left(ranks, value)
    tied = bisect.bisect_right(ranks, value) - below
    percentile = (below + tied / 2) / len(ranks)
    return 1 + min(buckets - 1, int(percentile * buckets))


def _recency(m: dict[str, Any]) -> int | None:
    return (m["now"] - m["last_order_at"]).days if m.get("last_order_at") else None


def _profile(app: App, options: LoyaltyOptions, customer_id: int, m: dict[str, Any],
             state: dict[str, Any], override: str | None, now: Any) -> dict[str, Any]:  # fmt: skip
    m["recency_days"] = _recency(m)
    span = (m["last_order_at"] - m["first_order_at"]).days if m["orders_total"] > 1 else None
    m["usual_interval_days"] = span // (m["orders_total"] - 1) if span else None
    buyer = m["orders_total"] > 0
    buckets = options.rfm_buckets
    r = (buckets + 1 - _score(m["recency_days"], state["recency"], buckets)) if buyer else 0
    f = _score(m["orders_total"], state["frequency"], buckets) if buyer else 0
    mon = _score(float(m["monetary"]), state["monetary"], buckets) if buyer else 0
    weights = options.weights
    m.update(r=r, f=f, m=mon)
    value = round(weights["recency"] * r + weights["frequency"] * f + weights["monetary"] * mon, 3)
    cutoff = state.get("key_cutoff")
    m["key_customer"] = bool(buyer and cutoff is not None and float(m["monetary"]) >= cutoff)
    m["revenue_share"] = (
        float(m["monetary"]) / state["total_revenue"] * 100 if state.get("total_revenue") else 0.0
    )
    m["margin_amount"] = (m["monetary"] * Decimal(str(options.default_margin))).quantize(CENT)
    m["cost_to_serve"] = Decimal(str(m.get("cost_to_serve", 0))).quantize(CENT)
    m["profit"] = m["margin_amount"] - m["cost_to_serve"]
    profile = Profile(
        customer={"id": customer_id, "name": m["name"], "status": m["status"]}, metrics=m
    )
    verdicts: dict[str, dict[str, Any]] = {}
    for key, classifier in app.registry.classifiers.items():
        try:
            verdict = classifier.classify(profile)
        except Exception as exc:  # one plugin's bug must not stop the nightly run
            app.hooks.report_failure(classifier.owner, f"classifier {key}", exc)
            continue
        if verdict is not None:
            verdicts[key] = {
                "label": classifier.label,
                "value": verdict.value,
                "reasons": [to_stored(reason) for reason in verdict.reasons],
            }
    segment = verdicts.get("motivation", {}).get("value", NOT_ENOUGH)
    if override is not None:
        said = _l("set by a person (the rules said {segment})", segment=segment)
        verdicts["motivation"] = {"label": "Motivation", "value": override,
                                  "reasons": [to_stored(said)]}  # fmt: skip
        segment = override
    strategy = verdicts.get("strategy", {}).get("value")
    actions = options.actions.get(strategy or "", ()) or options.actions.get(segment, ())
    return {
        "customer_id": customer_id, "orders": m["orders_total"], "monetary": m["monetary"],
        "recency_days": m["recency_days"], "r": r, "f": f, "m": mon, "value_score": value,
        "key_customer": m["key_customer"], "cost_to_serve": m["cost_to_serve"],
        "profit": m["profit"],
        "segment": segment, "strategy": strategy, "verdicts": verdicts,
        "next_action": actions[0].title if actions else None,
        "discount_eligible": segment in options.discount_segments, "computed_at": now,
    }  # fmt: skip


def _segment_key(typed: str) -> str:
    """The segment a person named, by its key or by its words in any language."""
    wanted = typed.strip().casefold()
    for key in SEGMENTS:
        if wanted == key or any(wanted == words[key].casefold() for words in VALUE_WORDS.values()):
            return key
    said = {language: ", ".join(words[key] for key in SEGMENTS)
            for language, words in VALUE_WORDS.items()}  # fmt: skip
    choices = Localized(", ".join(SEGMENTS), said)
    raise InvalidInput.one(
        "segment", _l("{value} is not one of: {choices}", value=repr(typed), choices=choices)
    )
