"""Win chances kept per open deal: learned from the closed deals, stored, read in scope.

A full run (nightly, and after each deal won or lost) groups the closed deals once per
factor in SQL, keeps those counts as the model, and scores every open deal against
them in one pass. A deal opened, moved or re-priced in between is scored alone against
the stored model, in milliseconds.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)

from rapport.core.db.tables import CustomerRow, DealRow, StageChangeRow, StageRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import StageOutcome
from rapport.core.services.access import owned_scope
from rapport.core.services.deals import get_deal
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.options import sales_options
from rapport.plugins.sales.scoring import Model, Reason, Score, Tally, reached, score
from rapport.plugins.sales.tables import DealScoreRow, SalesStateRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rapport.core.bootstrap import App

CHUNK = 5000
MODEL = "scoring_model"
BANDS = (1_000, 10_000, 100_000, 1_000_000)
"""Amount bands, per currency: under 1 000, 1 000–10 000, ... over 1 000 000."""
SCORED = frozenset({"amount", "currency", "owner_id", "archived"})
"""Deal changes that change its factors (and so its score)."""
CUSTOMER_FACTORS = frozenset({"fields.source", "fields.industry", "fields.region"})
CHANGE_SLACK = timedelta(minutes=1)
"""How far before a full run's snapshot a change still counts as made during it (clocks of
instances differ a little)."""
_LOCK = 7_201_337  # one full run at a time across instances (PostgreSQL advisory lock)


@dataclass(frozen=True)
class DealScore:
    """A deal's stored win chance, with the factors that moved it most."""

    deal_id: int
    chance: float
    learned: bool
    reasons: tuple[Reason, ...]

    @property
    def percent(self) -> int:
        return round(self.chance * 100)


def recalculate_scores(app: App, *, fresher_than: datetime | None = None) -> int:
    """Learn from every closed deal and score every open one; returns how many.

    With ``fresher_than``, a model learned since then is kept (another instance's nightly
    job, or a win a minute ago, has just done the work): every instance runs the job.
    """
    started = app.clock()
    # Learning and scoring read every closed and open deal: seconds at 100k deals. They
    # read a snapshot, so no writer waits for them (SQLite has one); the write after is
    # short, and scores again what changed meanwhile, so no newer score is overwritten.
    with UnitOfWork(app, read_only=True) as uow:
        if _fresh(uow.session, fresher_than):
            return 0
        model = learn(uow.session)
        scored = _score_rows(app, uow.session, model, None)
    with UnitOfWork(app) as uow:
        session = uow.session
        _serialise(session)
        if _fresh(session, fresher_than):
            return 0  # another instance learned while this one read
        session.merge(SalesStateRow(key=MODEL, value=model.to_json(), computed_at=started))
        changed = set(_changed_since(session, started - CHANGE_SLACK))
        rescored = _score_rows(app, session, model, sorted(changed)) if changed else []
        rows = [row for row in scored if row["deal_id"] not in changed] + rescored
        session.execute(delete(DealScoreRow))
        for start in range(0, len(rows), CHUNK):
            session.connection().execute(insert(DealScoreRow), rows[start : start + CHUNK])
        uow.commit()
    return len(scored)


def _fresh(session: Session, fresher_than: datetime | None) -> bool:
    """Whether a model learned since ``fresher_than`` is stored."""
    if fresher_than is None:
        return False
    stored = session.get(SalesStateRow, MODEL)
    return stored is not None and stored.computed_at > fresher_than


def _changed_since(session: Session, since: datetime) -> list[int]:
    """Deals changed, or whose customer changed, since ``since``: their snapshot scores
    may be older than a score given them meanwhile."""
    query = (
        select(DealRow.id)
        .join(CustomerRow, CustomerRow.id == DealRow.customer_id)
        .where(or_(DealRow.updated_at >= since, CustomerRow.updated_at >= since))
    )
    return list(session.scalars(query))


@dataclass
class _Relearning:
    running: bool = False
    again: bool = False


_RELEARNING: weakref.WeakKeyDictionary[App, _Relearning] = weakref.WeakKeyDictionary()


async def relearn_soon(app: App) -> None:
    """A deal was won or lost: relearn, off the event loop. Wins arriving while a run is
    under way make one more run after it, not one each (a busy afternoon of closings
    would otherwise queue a full run per deal). Runs on the application's loop only,
    so the flags need no lock."""
    state = _RELEARNING.setdefault(app, _Relearning())
    if state.running:
        state.again = True
        return
    state.running = True
    try:
        while True:
            state.again = False
            await asyncio.to_thread(recalculate_scores, app)
            if not state.again:
                return
    finally:
        state.running = False


def nightly_scores(app: App) -> int:
    """The nightly job: a full run, unless another instance did one in the last hour."""
    return recalculate_scores(app, fresher_than=app.clock() - timedelta(hours=1))


def rescore(app: App, deal_ids: Sequence[int]) -> None:
    """Score these deals against the stored model, in milliseconds: it runs inside the
    use case that opened or moved the deal, so the person waits for it. With no model
    learned yet (a new install, or just upgraded), the deal takes its stage's probability
    until the nightly run or the next win or loss learns one."""
    with UnitOfWork(app) as uow:
        session = uow.session
        _serialise(session)
        stored = session.get(SalesStateRow, MODEL)
        model = Model.from_json(stored.value) if stored is not None else Model(Tally())
        rows = _score_rows(app, session, model, deal_ids)
        session.execute(delete(DealScoreRow).where(DealScoreRow.deal_id.in_(list(deal_ids))))
        if rows:
            session.execute(insert(DealScoreRow), rows)
        uow.commit()


def rescore_customer(app: App, customer_id: int) -> None:
    """A customer's source, industry or region changed: score their open deals again."""
    with UnitOfWork(app, read_only=True) as uow:
        ids = list(
            uow.session.scalars(
                select(DealRow.id).where(
                    DealRow.customer_id == customer_id, DealRow.status == StageOutcome.OPEN.value
                )
            )
        )
    if ids:
        rescore(app, ids)


def scores_of(app: App, deal_ids: Sequence[int]) -> dict[int, DealScore]:
    """Many deals' stored scores in one query per few thousand (a sheet, a card). Callers
    pass the deals the reader may see; :func:`deal_score` checks one for them."""
    ids = list(deal_ids)
    found: dict[int, DealScore] = {}
    with UnitOfWork(app, read_only=True) as uow:
        for start in range(0, len(ids), CHUNK):
            query = select(DealScoreRow).where(DealScoreRow.deal_id.in_(ids[start : start + CHUNK]))
            for row in uow.session.scalars(query):
                found[row.deal_id] = _entity(row)
    return found


def win_chances(app: App, deal_ids: Sequence[int]) -> dict[int, int]:
    """The managers' sheet column: each scored deal's chance in percent."""
    return {deal_id: found.percent for deal_id, found in scores_of(app, deal_ids).items()}


def deal_score(app: App, actor: Actor, deal_id: int) -> DealScore | None:
    """One open deal's score, if the actor may see the deal (else ``NotFound``, as anywhere)."""
    deal = get_deal(app, actor, deal_id)
    if deal.status is not StageOutcome.OPEN:
        return None
    return scores_of(app, [deal_id]).get(deal_id)


def visible_scores(app: App, actor: Actor, customer_id: int) -> list[tuple[int, str, DealScore]]:
    """The open deals of a customer the actor may see, with their scores: (id, title, score)."""
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.execute(
            select(DealRow.id, DealRow.title, DealScoreRow)
            .join(DealScoreRow, DealScoreRow.deal_id == DealRow.id)
            .where(
                DealRow.customer_id == customer_id,
                DealRow.status == StageOutcome.OPEN.value,
                DealRow.archived.is_(False),
                owned_scope(actor, DealRow.owner_id),
            )
            .order_by(DealRow.id)
        )
        return [(deal_id, title, _entity(row)) for deal_id, title, row in rows]


def learn(session: Session) -> Model:
    """The counts the model is: closed deals per factor value and outcome, grouped in SQL."""
    closed = (
        DealRow.status.in_((StageOutcome.WON.value, StageOutcome.LOST.value)),
        DealRow.archived.is_(False),
    )
    totals: dict[str, int] = {
        status: count
        for status, count in session.execute(
            select(DealRow.status, func.count()).where(*closed).group_by(DealRow.status)
        )
    }
    tallies: dict[str, dict[str, Tally]] = {"stage": _stage_tallies(session, closed)}
    for factor, value in _factor_values().items():
        counts: dict[str, list[int]] = {}
        query = (
            select(value, DealRow.status, func.count())
            .join(CustomerRow, CustomerRow.id == DealRow.customer_id)
            .where(*closed, value.is_not(None))
            .group_by(value, DealRow.status)
        )
        for key, status, count in session.execute(query):
            counts.setdefault(str(key), [0, 0])[status != StageOutcome.WON.value] += count
        tallies[factor] = {key: Tally(won, lost) for key, (won, lost) in counts.items()}
    total = Tally(totals.get(StageOutcome.WON.value, 0), totals.get(StageOutcome.LOST.value, 0))
    return Model(total, tallies)


def amount_band(amount: Any, currency: Any) -> ColumnElement[str | None]:
    """``RUB:2`` for 10 000 to 100 000 roubles: an unknown (zero) amount has no band."""
    index = case(
        *((amount < bound, literal(str(n))) for n, bound in enumerate(BANDS)),
        else_=literal(str(len(BANDS))),
    )
    return case((amount > 0, currency + literal(":") + index), else_=None)


def _factor_values() -> dict[str, ColumnElement[Any]]:
    """Each factor's value of a deal, as SQL over the deal joined with its customer."""
    return {
        "source": CustomerRow.fields["source"].as_string(),
        "industry": func.lower(func.trim(CustomerRow.fields["industry"].as_string())),
        "region": func.lower(func.trim(CustomerRow.fields["region"].as_string())),
        "owner": cast(DealRow.owner_id, String),
        "amount": amount_band(DealRow.amount, DealRow.currency),
    }


def _stage_tallies(session: Session, closed: Iterable[ColumnElement[bool]]) -> dict[str, Tally]:
    furthest = (
        select(StageChangeRow.deal_id, func.max(StageRow.position).label("position"))
        .join(StageRow, StageRow.id == StageChangeRow.to_stage_id)
        .where(StageRow.outcome == StageOutcome.OPEN.value)
        .group_by(StageChangeRow.deal_id)
        .subquery()
    )
    won: dict[int, int] = {}
    lost_at: dict[int, dict[int | None, int]] = {}
    query = (
        select(DealRow.pipeline_id, DealRow.status, furthest.c.position, func.count())
        .outerjoin(furthest, furthest.c.deal_id == DealRow.id)
        .where(*closed)
        .group_by(DealRow.pipeline_id, DealRow.status, furthest.c.position)
    )
    for pipeline_id, status, position, count in session.execute(query):
        if status == StageOutcome.WON.value:
            won[pipeline_id] = won.get(pipeline_id, 0) + count
        else:
            lost_at.setdefault(pipeline_id, {})[position] = count
    stages: dict[int, list[tuple[int, int]]] = {}
    for stage_id, pipeline_id, position in session.execute(
        select(StageRow.id, StageRow.pipeline_id, StageRow.position).where(
            StageRow.outcome == StageOutcome.OPEN.value
        )
    ):
        stages.setdefault(pipeline_id, []).append((stage_id, position))
    return reached(stages, won, lost_at)


def _score_rows(
    app: App, session: Session, model: Model, deal_ids: Sequence[int] | None
) -> list[dict[str, Any]]:
    """Every open deal (or these) scored: one query for their factor values."""
    values = _factor_values()
    query = (
        select(DealRow.id, DealRow.stage_id, StageRow.probability, *values.values())
        .join(StageRow, StageRow.id == DealRow.stage_id)
        .join(CustomerRow, CustomerRow.id == DealRow.customer_id)
        .where(DealRow.status == StageOutcome.OPEN.value, DealRow.archived.is_(False))
    )
    if deal_ids is not None:
        query = query.where(DealRow.id.in_(list(deal_ids)))
    minimum = sales_options(app.settings).scoring_min_history
    now = app.clock()
    rows = []
    for deal_id, stage_id, probability, *found in session.execute(query):
        factors = dict(zip(values, (None if v is None else str(v) for v in found), strict=True))
        result = score(model, {"stage": str(stage_id), **factors}, probability, minimum)
        rows.append(_row(deal_id, result, now))
    return rows


def _row(deal_id: int, result: Score, now: Any) -> dict[str, Any]:
    reasons = [[r.factor, r.value, r.won, r.closed, round(r.weight, 4)] for r in result.reasons]
    return {"deal_id": deal_id, "chance": round(result.chance, 4), "learned": result.learned,
            "reasons": reasons, "computed_at": now}  # fmt: skip


def _entity(row: DealScoreRow) -> DealScore:
    reasons = tuple(
        Reason(str(factor), str(value), int(won), int(closed), float(weight))
        for factor, value, won, closed, weight in row.reasons
    )
    return DealScore(row.deal_id, row.chance, row.learned, reasons)


def _serialise(session: Session) -> None:
    """Two instances scoring at once take turns (SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
