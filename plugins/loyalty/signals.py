"""The figures loyalty decisions rest on, for many customers at once, computed in SQL.

Orders are won deals; contacts are interactions; the interaction field ``topic`` (declared
by this plugin, asked in the bot) tells price questions, new-product questions, joint-work
proposals and complaints apart. Other plugins add their figures (cost to serve...)
through ``customer_metrics``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, case, func, select, true

from rapport.core.db.tables import CustomerRow, DealRow, InteractionRow
from rapport.core.domain.enums import InteractionKind, StageOutcome

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rapport.core.bootstrap import App
    from rapport.plugins.loyalty.options import LoyaltyOptions

TOPICS = ("price", "new_products", "joint_work", "complaint", "service", "other")
CHUNK = 30_000  # under SQLite's 32 766 bound parameters per statement


CHECK_IN = "checkin"


def customer_contact(options: LoyaltyOptions) -> ColumnElement[bool]:
    """An interaction that was a contact with the customer: one of the counted kinds, and
    not a check-in on arrival. Signals, the contact cap and the card count the same way."""
    kinds = [kind.value for kind in options.contact_kinds]
    return InteractionRow.kind.in_(kinds) & (
        InteractionRow.outcome.is_(None) | (InteractionRow.outcome != CHECK_IN)
    )


def gather(
    app: App,
    session: Session,
    customer_ids: Sequence[int] | None,
    now: datetime,
    options: LoyaltyOptions,
) -> dict[int, dict[str, Any]]:
    since = now - timedelta(days=options.window_days)
    window_days = options.window_days
    before = since - timedelta(days=window_days)
    which: ColumnElement[bool] = (
        true() if customer_ids is None else CustomerRow.id.in_(customer_ids)
    )
    found: dict[int, dict[str, Any]] = {
        row.id: {"now": now, "name": row.name, "status": row.status, "owner_id": row.owner_id,
                 "fields": dict(row.fields or {}),
                 "competitor_purchases": (row.fields or {}).get("competitor_purchases"),
                 "orders": 0, "orders_before": 0, "orders_total": 0, "monetary": Decimal(0),
                 "discounted": 0, "first_order_at": None, "last_order_at": None,
                 "lost_to_competitor": 0, "contacts": 0, "requests": 0,
                 **{f"topic_{t}": 0 for t in TOPICS}}
        for row in session.execute(
            select(CustomerRow.id, CustomerRow.name, CustomerRow.status, CustomerRow.owner_id,
                   CustomerRow.fields)
            .where(CustomerRow.archived.is_(False), which)
        )
    }  # fmt: skip
    won = DealRow.status == StageOutcome.WON.value
    currency = app.settings.currency
    in_window = DealRow.closed_at >= since
    previous_window = (DealRow.closed_at >= before) & (DealRow.closed_at < since)
    discounted = func.coalesce(DealRow.fields["discount_percent"].as_float(), 0) > 0
    deal_which: ColumnElement[bool] = DealRow.archived.is_(False)
    if customer_ids is not None:
        deal_which &= DealRow.customer_id.in_(customer_ids)
    for row in session.execute(
        select(
            DealRow.customer_id,
            func.sum(case((won & in_window, 1), else_=0)),
            func.sum(case((won & previous_window, 1), else_=0)),
            func.sum(case((won, 1), else_=0)),
            # M is money in one currency, the team's: a USD order is an order (F counts
            # it) but is never added to roubles.
            func.sum(case((won & (DealRow.currency == currency), DealRow.amount), else_=0)),
            func.sum(case((won & in_window & discounted, 1), else_=0)),
            func.min(case((won, DealRow.closed_at))),
            func.max(case((won, DealRow.closed_at))),
            func.sum(case(((DealRow.status == StageOutcome.LOST.value) & in_window
                           & func.lower(DealRow.lost_reason).like("competitor%"), 1), else_=0)),
        ).where(deal_which).group_by(DealRow.customer_id)
    ):  # fmt: skip
        entry = found.get(row[0])
        if entry is None:
            continue
        entry.update(orders=int(row[1] or 0), orders_before=int(row[2] or 0),
                     orders_total=int(row[3] or 0), monetary=Decimal(str(row[4] or 0)),
                     discounted=int(row[5] or 0), first_order_at=row[6], last_order_at=row[7],
                     lost_to_competitor=int(row[8] or 0))  # fmt: skip
    topic = InteractionRow.fields["topic"].as_string()
    contact_which = true() if customer_ids is None else InteractionRow.customer_id.in_(customer_ids)
    for row in session.execute(
        select(
            InteractionRow.customer_id,
            func.count(),
            func.sum(case((InteractionRow.kind == InteractionKind.REQUEST.value, 1), else_=0)),
            *(func.sum(case((topic == t, 1), else_=0)) for t in TOPICS),
        )
        .where(contact_which, customer_contact(options), InteractionRow.occurred_at >= since)
        .group_by(InteractionRow.customer_id)
    ):
        entry = found.get(row[0])
        if entry is None:
            continue
        entry.update(
            contacts=int(row[1]),
            requests=int(row[2] or 0),
            **{f"topic_{t}": int(v or 0) for t, v in zip(TOPICS, row[3:], strict=True)},
        )
    _dates_aware(found)
    ids = list(found)
    for start in range(0, len(ids), CHUNK):
        for customer_id, metrics in app.hooks.customer_metrics(
            app, ids[start : start + CHUNK]
        ).items():
            if customer_id in found:
                found[customer_id].update(metrics)
    return found


def _dates_aware(found: dict[int, dict[str, Any]]) -> None:
    """min()/max() over a CASE lose the column type on SQLite: read the texts back."""
    for entry in found.values():
        for key in ("first_order_at", "last_order_at"):
            value = entry[key]
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            if isinstance(value, datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            entry[key] = value
