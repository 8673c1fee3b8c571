"""Loyalty reports: segments and strategies, the Pareto view, the customers at risk."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from rapport.core.charts import chart
from rapport.core.db.tables import CustomerRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.values import parse_count
from rapport.core.extensions import Report, ReportSpec
from rapport.core.i18n import texts_for
from rapport.core.services.access import owned_scope
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.loyalty.pending import settle
from rapport.plugins.loyalty.service import shown_reasons
from rapport.plugins.loyalty.tables import ProfileRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)


def report_specs() -> list[ReportSpec]:
    return [
        ReportSpec("loyalty.segments", "Segments and strategies", segments,
                   "How many customers each motivation segment and strategy holds", params=(),
                   titles={"ru": "Сегменты и стратегии", "uk": "Сегменти і стратегії"},
                   descriptions={"ru": "Сколько клиентов в каждом сегменте и стратегии",
                                 "uk": "Скільки клієнтів у кожному сегменті і стратегії"}),
        ReportSpec("loyalty.pareto", "Pareto: customer value", pareto,
                   "Customers by value, repeat buyers first; the key 20% that bring 80%",
                   params=("limit",),
                   titles={"ru": "Парето: ценность клиентов", "uk": "Парето: цінність клієнтів"},
                   descriptions={"ru": "Клиенты по ценности; ключевые 20%, дающие 80%",
                                 "uk": "Клієнти за цінністю; ключові 20%, що дають 80%"}),
        ReportSpec("loyalty.at_risk", "Customers at risk", at_risk,
                   "Key customers drifting to competitors, and customers likely to leave",
                   params=(),
                   titles={"ru": "Клиенты под угрозой", "uk": "Клієнти під загрозою"},
                   descriptions={"ru": "Ключевые клиенты, уходящие к конкурентам, и кто уйдёт",
                                 "uk": "Ключові клієнти, що йдуть до конкурентів, і хто піде"}),
    ]  # fmt: skip


def segments(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    settle(app)
    _ = texts(app, actor.language)
    with UnitOfWork(app, read_only=True) as uow:
        counted = list(
            uow.session.execute(
                select(ProfileRow.segment, ProfileRow.strategy, func.count())
                .join(CustomerRow, CustomerRow.id == ProfileRow.customer_id)
                .where(owned_scope(actor, CustomerRow.owner_id))
                .group_by(ProfileRow.segment, ProfileRow.strategy)
                .order_by(ProfileRow.segment, ProfileRow.strategy)
            )
        )
    word = _word(app, _.language)
    rows = tuple(
        (word(segment), word(strategy) if strategy else "-", n) for segment, strategy, n in counted
    )
    by_segment: dict[str, int] = {}
    for segment, _strategy, count in rows:
        by_segment[segment] = by_segment.get(segment, 0) + count
    png = chart(
        _("Customers by motivation"), list(by_segment), {_("customers"): list(by_segment.values())}
    )
    columns = (_("segment"), _("strategy"), _("customers"))
    return Report(_("Segments and strategies"), columns, rows, png)


def pareto(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    settle(app)
    _ = texts(app, actor.language)
    limit = parse_count(params.get("limit", 50), "limit")
    with UnitOfWork(app, read_only=True) as uow:
        rows = tuple(
            (name, score, f"R{r} F{f} M{m}", monetary, _("yes") if key else _("no"))
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
        _("Customer value (RFM, repeat buyers first)"),
        [r[0] for r in rows[:20]],
        {_("value"): [r[1] for r in rows[:20]]},
    )
    columns = (_("customer"), _("value"), "RFM", _("revenue"), _("key (80%)"))
    return Report(_("Pareto: customer value"), columns, rows, png)


def at_risk(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    settle(app)
    _ = texts(app, actor.language)
    word = _word(app, _.language)
    with UnitOfWork(app, read_only=True) as uow:
        rows = tuple(
            (name, word(strategy),
             shown_reasons(verdicts.get("strategy", {}).get("reasons", []), _.language), monetary)
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
        _("Revenue at risk"),
        [r[0] for r in rows[:20]],
        {_("revenue"): [float(r[3]) for r in rows[:20]]},
    )
    columns = (_("customer"), _("strategy"), _("why"), _("revenue"))
    return Report(_("Customers at risk"), columns, rows, png)


def _word(app: App, language: str) -> Callable[[str], str]:
    """A segment or strategy as the reader says it (the built-in classifiers' words)."""
    motivation = app.registry.classifiers.get("motivation")
    if motivation is None:
        return str
    return lambda value: motivation.value_for(value, language)
