"""Sales plans (quotas) per rep or team and period, and how the facts compare.

A plan measures money won (``amount``), deals won (``count``) or deals that reached a
stage (``stage:demo``: demonstrations held) in a month (``2026-03``) or a quarter
(``2026-Q1``). Facts come from the deals in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, func, or_, select, true

from rapport.core.db.tables import DealRow, StageChangeRow, StageRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role, StageOutcome
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.numbers import parse_decimal
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.access import require_role, visibility
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.sales.tables import PlanRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rapport.core.bootstrap import App

_l = texts_for(__file__).lazy

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    label: str
    starts: date
    ends: date  # exclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.starts, time.min, UTC),
            datetime.combine(self.ends, time.min, UTC),
        )


@dataclass(frozen=True)
class PlanLine:
    """A plan and its fact. Money plans are in the team's currency; money won in another
    currency is a line of its own with no plan (``planned`` false), never added in."""

    who: str
    metric: str
    plan: Decimal
    fact: Decimal
    currency: str | None = None
    planned: bool = True

    @property
    def shown_metric(self) -> str:
        """``amount, RUB`` for money, the metric itself (``count``) otherwise."""
        return f"{self.metric}, {self.currency}" if self.currency else self.metric

    @property
    def gap(self) -> Decimal:
        return self.fact - self.plan

    @property
    def done(self) -> float:
        return float(self.fact / self.plan * 100) if self.plan else 0.0


def parse_period(text: str) -> Period:
    raw = text.strip()
    if match := _MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            ends = date(year + month // 12, month % 12 + 1, 1)
            return Period(f"{year}-{month:02d}", date(year, month, 1), ends)
    elif match := _QUARTER.match(raw):
        year, quarter = int(match[1]), int(match[2])
        starts = date(year, 3 * quarter - 2, 1)
        ends = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        return Period(f"{year}-Q{quarter}", starts, ends)
    raise InvalidInput.one(
        "period", _l("{value} is not a month (2026-03) or a quarter (2026-Q1)", value=repr(text))
    )


def set_plan(
    app: App,
    actor: Actor,
    period: str,
    metric: str,
    target: object,
    *,
    owner_id: int | None = None,
    team: str | None = None,
) -> PlanLine:
    """Set (or change) a plan for a rep (``owner_id``) or a team; managers plan their team."""
    require_role(actor, Role.MANAGER, Role.ADMIN)
    when = parse_period(period)
    amount = parse_decimal(target, "target")
    if amount < 0:
        raise InvalidInput.one("target", _l("must not be negative"))
    with UnitOfWork(app) as uow:
        _check_metric(uow.session, metric)
        if owner_id is not None:
            owner = uow.session.get(UserRow, owner_id)
            if owner is None:
                raise InvalidInput.one("owner_id", _l("there is no user #{id}", id=owner_id))
            team = None
            if actor.role is Role.MANAGER and owner.team != actor.team:
                raise InvalidInput.one(
                    "owner_id", _l("{name} is not in your team", name=owner.display_name)
                )
        else:
            team = team or actor.team
            if actor.role is Role.MANAGER and team != actor.team:
                raise InvalidInput.one("team", _l("a manager plans their own team"))
        row = uow.session.scalar(
            select(PlanRow).where(
                PlanRow.period == when.label,
                PlanRow.metric == metric,
                PlanRow.owner_id.is_(None) if owner_id is None else PlanRow.owner_id == owner_id,
                PlanRow.team.is_(None) if team is None else PlanRow.team == team,
            )
        )
        plan = {"period": when.label, "metric": metric, "owner_id": owner_id, "team": team}
        before = plan | {"target": row.target} if row is not None else None
        saved = row or PlanRow(period=when.label, starts=when.starts, ends=when.ends,
                               owner_id=owner_id, team=team, metric=metric,
                               created_by=actor.user_id)  # fmt: skip

        def save() -> int:
            saved.target, saved.updated_at = amount, app.clock()
            uow.session.add(saved)
            uow.session.flush()
            return saved.id

        changes.write(uow, actor, entity="plan", action="save",
                      entity_id=row.id if row is not None else None, before=before,
                      after=plan | {"target": amount}, apply=save)  # fmt: skip
        line = _lines(uow.session, saved, app.settings.currency)[0]
        uow.commit()
    return line


def plan_vs_fact(app: App, actor: Actor, period: str) -> list[PlanLine]:
    """The plans of ``period`` the actor may see, each with its fact and gap."""
    when = parse_period(period)
    with UnitOfWork(app, read_only=True) as uow:
        # A person's plan is seen as their records are; a team's plan by its own people.
        seen = visibility(actor)
        team_plan = true() if seen.everyone else PlanRow.team == actor.team
        query = select(PlanRow).where(
            PlanRow.period == when.label,
            or_(
                and_(PlanRow.owner_id.is_not(None), seen.condition(PlanRow.owner_id)),
                and_(PlanRow.owner_id.is_(None), team_plan),
            ),
        )
        rows = uow.session.scalars(query.order_by(PlanRow.team, PlanRow.owner_id, PlanRow.metric))
        return [line for row in rows for line in _lines(uow.session, row, app.settings.currency)]


def _lines(session: Session, row: PlanRow, currency: str) -> list[PlanLine]:
    """The plan's line, and for a money plan one unplanned line per other currency won."""
    if row.owner_id is not None:
        who = session.scalar(select(UserRow.display_name).where(UserRow.id == row.owner_id)) or "?"
        owners: ColumnElement[bool] = DealRow.owner_id == row.owner_id
    else:
        who = f"team {row.team}" if row.team else "everyone"
        owners = (
            DealRow.owner_id.in_(select(UserRow.id).where(UserRow.team == row.team))
            if row.team
            else DealRow.id.is_not(None)
        )
    owners = and_(owners, DealRow.archived.is_(False))
    starts, ends = Period(row.period, row.starts, row.ends).bounds
    target = Decimal(row.target)
    if row.metric != "amount":
        return [PlanLine(who, row.metric, target, _fact(session, row.metric, owners, starts, ends))]
    won = _won_amounts(session, owners, starts, ends)
    planned = PlanLine(who, row.metric, target, won.pop(currency, Decimal("0.00")), currency)
    others = [PlanLine(who, row.metric, Decimal(0), fact, other, planned=False)
              for other, fact in sorted(won.items())]  # fmt: skip
    return [planned, *others]


def _won_amounts(
    session: Session, owners: ColumnElement[bool], starts: datetime, ends: datetime
) -> dict[str, Decimal]:
    """Money won in the period, per currency."""
    rows = session.execute(
        select(DealRow.currency, func.coalesce(func.sum(DealRow.amount), 0))
        .where(_won(owners, starts, ends))
        .group_by(DealRow.currency)
    )
    return {currency: Decimal(str(total)).quantize(Decimal("0.01")) for currency, total in rows}


def _won(owners: ColumnElement[bool], starts: datetime, ends: datetime) -> ColumnElement[bool]:
    return and_(
        owners,
        DealRow.status == StageOutcome.WON.value,
        DealRow.closed_at >= starts,
        DealRow.closed_at < ends,
    )


def _fact(
    session: Session, metric: str, owners: ColumnElement[bool], starts: datetime, ends: datetime
) -> Decimal:
    """Deals that reached a stage (``stage:demo``), or deals won (``count``)."""
    if metric.startswith("stage:"):
        reached = session.scalar(
            select(func.count(func.distinct(StageChangeRow.deal_id)))
            .join(StageRow, StageRow.id == StageChangeRow.to_stage_id)
            .join(DealRow, DealRow.id == StageChangeRow.deal_id)
            .where(
                StageRow.key == metric.removeprefix("stage:"),
                owners,
                StageChangeRow.changed_at >= starts,
                StageChangeRow.changed_at < ends,
            )
        )
        return Decimal(reached or 0)
    return Decimal(session.scalar(select(func.count()).where(_won(owners, starts, ends))) or 0)


def _check_metric(session: Session, metric: str) -> None:
    if metric in ("amount", "count"):
        return
    if metric.startswith("stage:"):
        key = metric.removeprefix("stage:")
        if session.scalar(select(StageRow.id).where(StageRow.key == key).limit(1)):
            return
        raise InvalidInput.one("metric", _l("there is no stage {key}", key=repr(key)))
    raise InvalidInput.one(
        "metric",
        _l("{metric}: plan 'amount', 'count' or 'stage:<stage key>'", metric=repr(metric)),
    )
