"""Loyalty reports: segments and strategies, the Pareto view, the customers at risk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from rapport.core.charts import chart
from rapport.core.db.tables import CustomerRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.values import parse_count
from rapport.core.extensions import Report, ReportSpec
from rapport.core.services.access import owned_scope
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.loyalty.tables import ProfileRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App


def report_specs() -> list[ReportSpec]:
    return [
        ReportSpec("loyalty.segments", "Segments and strategies", segments,
                   "How many customers each motivation segment and strategy holds", params=()),
        ReportSpec("loyalty.pareto", "Pareto: customer value", pareto,
                   "Customers by value, repeat buyers first; the key 20% that bring 80%",
                   params=("limit",)),
        ReportSpec("loyalty.at_risk", "Customers at risk", at_risk,
                   "Key customers drifting to competitors, and customers likely to leave",
                   params=()),
    ]  # fmt: skip


def segments(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    with UnitOfWork(app, read_only=True) as uow:
        rows = tuple(
            (segment, strategy or "-", count)
            for segment, strategy, count in uow.session.execute(
                select(ProfileRow.segment, ProfileRow.strategy, func.count())
                .join(CustomerRow, CustomerRow.id == ProfileRow.customer_id)
                .where(owned_scope(actor, CustomerRow.owner_id))
                .group_by(ProfileRow.segment, ProfileRow.strategy)
                .order_by(ProfileRow.segment, ProfileRow.strategy)
            )
        )
    by_segment: dict[str, int] = {}
    for segment, _, count in rows:
        by_segment[segment] = by_segment.get(segment, 0) + count
    png = chart(
        "Customers by motivation", list(by_segment), {"customers": list(by_segment.values())}
    )
    return Report("Segments and strategies", ("segment", "strategy", "customers"), rows, png)


def pareto(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    limit = parse_count(params.get("limit", 50), "limit")
    with UnitOfWork(app, read_only=True) as uow:
        rows = tuple(
            (name, score, f"R{r} F{f} M{m}", monetary, key)
            for name, score, r, f, m, monetary, key in uow.session.execute(
                select(CustomerRow.name, ProfileRow.value_score, ProfileRow.r, ProfileRow.f,
                       ProfileRow.m, ProfileRow.monetary, ProfileRow.key_customer)
                .join(CustomerRow, CustomerRow.id == ProfileRow.customer_id)
                .where(owned_scope(actor, CustomerRow.owner_id), ProfileRow.orders > 0)
                .order_by(ProfileRow.value_score.desc(), ProfileRow.monetary.desc())
                .limit(limit)
            )
        )  # fmt: skip
    png = chart(
        "Customer value (RFM, repeat buyers first)",
        [r[0] for r in rows[:20]],
        {"value": [r[1] for r in rows[:20]]},
    )
    return Report(
        "Pareto: customer value", ("customer", "value", "RFM", "revenue", "key (80%)"), rows, png
    )


def at_risk(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    with UnitOfWork(app, read_only=True) as uow:
        rows = tuple(
            (name, strategy, "; ".join(verdicts.get("strategy", {}).get("reasons", [])), monetary)
            for name, strategy, verdicts, monetary in uow.session.execute(
                select(CustomerRow.name, ProfileRow.strategy, ProfileRow.verdicts,
                       ProfileRow.monetary)
                .join(CustomerRow, CustomerRow.id == ProfileRow.customer_id)
                .where(owned_scope(actor, CustomerRow.owner_id),
                       ProfileRow.strategy.in_(("win_back", "harvest")))
                .order_by(ProfileRow.key_customer.desc(), ProfileRow.monetary.desc())
            )
        )  # fmt: skip
    png = chart(
        "Revenue at risk", [r[0] for r in rows[:20]], {"revenue": [float(r[3]) for r in rows[:20]]}
    )
    return Report("Customers at risk", ("customer", "strategy", "why", "revenue"), rows, png)
