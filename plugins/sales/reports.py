"""The sales reports: funnel, stage durations and the bottleneck, weighted forecast,
reps' win rate and cycle, product trends, top customers (Pareto), lost reasons, plan
versus fact.

Every figure is computed by the database (grouping, window functions), scoped to the
deals the person may see, so a report over 100k deals never loads them into Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true
from sqlalchemy.orm import Session

from rapport.core.charts import chart
from rapport.core.db.base import UTCDateTime
from rapport.core.db.tables import CustomerRow, DealRow, StageChangeRow, StageRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import StageOutcome
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.values import parse_count, parse_id
from rapport.core.extensions import Report, ReportSpec
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.access import owned_scope
from rapport.core.services.pipelines import load_pipeline
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import LANGUAGES
from rapport.core.words import stage_word
from rapport.core.words import texts as core_texts
from rapport.plugins.sales.currencies import Ledger, headers
from rapport.plugins.sales.options import sales_options
from rapport.plugins.sales.plans import parse_period, plan_vs_fact
from rapport.plugins.sales.reasons import reason_label
from rapport.plugins.sales.tables import DealLineRow, DealScoreRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

PARETO_SHARE = 80.0
AMOUNT, WEIGHTED, REVENUE = "amount", "weighted", "revenue"
texts = texts_for(__file__)
_l = texts.lazy


def report_specs() -> list[ReportSpec]:
    specs = [
        ("sales.funnel", "Funnel", funnel, "Deals reaching each stage, conversion",
         ("owner", "pipeline", "period")),
        ("sales.durations", "Stage durations", durations, "Days in each stage; the bottleneck",
         ("owner", "pipeline")),
        ("sales.forecast", "Forecast", forecast,
         "Open deals weighted by stage probability (or weighting=score: by win chance)",
         ("owner", "weighting")),
        ("sales.reps", "Win rate and cycle by rep", reps, "Won, lost, win rate, days to win",
         ("owner", "period")),
        ("sales.products", "Sales by product", products, "Won revenue per product and month",
         ("owner", "period")),
        ("sales.top_customers", "Top customers (Pareto)", top_customers, "Who brings 80%",
         ("owner", "period", "limit")),
        ("sales.lost_reasons", "Lost reasons", lost_reasons, "Why deals are lost",
         ("owner", "period")),
        ("sales.plan", "Plan vs fact", plan_report, "Plans of a period against the facts",
         ("period",)),
    ]  # fmt: skip
    return [
        ReportSpec(
            key,
            title,
            build,
            description,
            titles=_everywhere(title),
            descriptions=_everywhere(description),
            params=params,
        )
        for key, title, build, description, params in specs
    ]


def _everywhere(text: str) -> dict[str, str]:
    """``text`` in every language the bot speaks, for the lists people pick reports from."""
    return {language: Translator(language, texts.locales)(text) for language in LANGUAGES}


def _words(app: App, actor: Actor) -> tuple[Translator, Translator]:
    """The report's words and the core's (stage names), in the reader's language."""
    return texts(app, actor.language), core_texts(app, actor.language)


def _scope(actor: Actor, params: Mapping[str, Any]) -> ColumnElement[bool]:
    """The deals the actor may see, of one rep when ``params["owner"]`` names them.

    Archived deals are out: a manager archives a deal that should never have counted.
    """
    condition = and_(owned_scope(actor, DealRow.owner_id), DealRow.archived.is_(False))
    if params.get("owner"):
        condition = and_(condition, DealRow.owner_id == parse_id(params["owner"], "owner"))
    return condition


def _closed_in(params: Mapping[str, Any], column: Any) -> ColumnElement[bool]:
    if not params.get("period"):
        return true()
    starts, ends = parse_period(str(params["period"])).bounds
    return and_(column >= starts, column < ends)


def funnel(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    """How many deals got at least as far as each stage (a deal that jumped from lead to
    won passed every stage between), with their amount, and the conversion between stages.
    """
    with UnitOfWork(app, read_only=True) as uow:
        pipeline = load_pipeline(uow.session, _pipeline_id(params))
        furthest = (
            select(StageChangeRow.deal_id, func.max(StageRow.position).label("position"))
            .join(StageRow, StageRow.id == StageChangeRow.to_stage_id)
            .join(DealRow, DealRow.id == StageChangeRow.deal_id)
            .where(
                DealRow.pipeline_id == pipeline.id,
                StageRow.outcome != StageOutcome.LOST.value,
                _scope(actor, params),
                _closed_in(params, StageChangeRow.changed_at),
            )
            .group_by(StageChangeRow.deal_id)
            .subquery()
        )
        reached: dict[int, int] = {}
        money = Ledger()
        for position, currency, count, amount in uow.session.execute(
            select(furthest.c.position, DealRow.currency, func.count(), func.sum(DealRow.amount))
            .join(DealRow, DealRow.id == furthest.c.deal_id)
            .group_by(furthest.c.position, DealRow.currency)
        ):
            reached[position] = reached.get(position, 0) + count
            money.add(position, currency, AMOUNT, amount)
        now_in = dict(
            uow.session.execute(
                select(DealRow.stage_id, func.count())
                .where(DealRow.pipeline_id == pipeline.id, _scope(actor, params))
                .group_by(DealRow.stage_id)
            ).all()
        )
    _, core = _words(app, actor)
    currencies = money.currencies(app)
    rows: list[tuple[Any, ...]] = []
    previous: int | None = None
    for stage in (s for s in pipeline.stages if s.outcome is not StageOutcome.LOST):
        past = [position for position in reached if position >= stage.position]
        count = sum(reached[position] for position in past)
        amounts = tuple(money.total(keys=past, currency=c, measure=AMOUNT) for c in currencies)
        conversion = round(count / previous * 100, 1) if previous else None
        name = stage_word(core, stage.name)
        rows.append((name, count, *amounts, now_in.get(stage.id, 0), conversion))
        previous = count
    png = chart(_("Funnel"), [r[0] for r in rows], {_("deals"): [r[1] for r in rows]}, kind="barh")
    columns = (_("stage"), _("reached"), *headers([_("amount")], currencies), _("now in stage"),
               _("conversion %"))  # fmt: skip
    return Report(_("Funnel"), columns, tuple(rows), png)


def durations(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    now = app.clock()
    with UnitOfWork(app, read_only=True) as uow:
        session = uow.session
        pipeline = load_pipeline(session, _pipeline_id(params))
        # Each change paired with the next one of its deal by lead(), in the order of the
        # index sales_0003 added (read alone, no sort); a stay's length is then one
        # difference of two times, in days, over a million changes.
        left = func.lead(StageChangeRow.changed_at).over(
            partition_by=StageChangeRow.deal_id,
            order_by=(StageChangeRow.changed_at, StageChangeRow.id),
        )
        stays = (
            select(
                StageChangeRow.to_stage_id.label("stage_id"),
                _days(
                    session,
                    StageChangeRow.changed_at,
                    func.coalesce(left, literal(now, UTCDateTime())),
                ).label("days"),
            )
            .join(DealRow, DealRow.id == StageChangeRow.deal_id)
            .where(DealRow.pipeline_id == pipeline.id, _scope(actor, params))
            .subquery()
        )
        days = stays.c.days
        stats = {
            stage_id: (count, float(average or 0), float(longest or 0))
            for stage_id, count, average, longest in session.execute(
                select(stays.c.stage_id, func.count(), func.avg(days), func.max(days)).group_by(
                    stays.c.stage_id
                )
            )
        }
    _, core = _words(app, actor)
    rows = []
    for stage in pipeline.stages:
        if stage.outcome is not StageOutcome.OPEN:
            continue
        count, average, longest = stats.get(stage.id, (0, 0.0, 0.0))
        over = round(average / stage.sla_days, 2) if stage.sla_days else None
        rows.append((stage_word(core, stage.name), count, round(average, 1), round(longest, 1),
                     stage.sla_days, over))  # fmt: skip
    ranked = [r for r in rows if r[1]]
    bottleneck = max(ranked, key=lambda r: (r[5] or 0, r[2]))[0] if ranked else None
    title = (
        _("Stage durations (bottleneck: {stage})", stage=bottleneck)
        if bottleneck
        else _("Stage durations")
    )
    png = chart(title, [r[0] for r in rows], {_("average days"): [r[2] for r in rows]})
    return Report(title, (_("stage"), _("stays"), _("average days"), _("longest days"),
                          _("SLA days"), _("average / SLA")), tuple(rows), png)  # fmt: skip


def forecast(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    """The open pipeline per expected month, weighted by each stage's probability, or
    (``weighting=score``) by each deal's win chance learned from the closed deals; a deal
    not scored yet counts at its stage's probability."""
    _ = texts(app, actor.language)
    undated = _("no date")
    probability: Any = StageRow.probability
    if _weighting(params) == "score":
        probability = func.coalesce(DealScoreRow.chance, StageRow.probability)
    counts: dict[str, int] = {}
    money = Ledger()
    with UnitOfWork(app, read_only=True) as uow:
        month = _month(uow.session, DealRow.expected_close)
        for label, currency, count, total, weighted in uow.session.execute(
            select(
                month,
                DealRow.currency,
                func.count(),
                func.sum(DealRow.amount),
                func.sum(DealRow.amount * probability),
            )
            .join(StageRow, StageRow.id == DealRow.stage_id)
            .outerjoin(DealScoreRow, DealScoreRow.deal_id == DealRow.id)
            .where(DealRow.status == StageOutcome.OPEN.value, _scope(actor, params))
            .group_by(month, DealRow.currency)
        ):
            key = label or undated
            counts[key] = counts.get(key, 0) + count
            money.add(key, currency, AMOUNT, total)
            money.add(key, currency, WEIGHTED, weighted)
    currencies = money.currencies(app)
    # Dated months in order, undated last, whichever way the database sorts NULL.
    months = sorted(counts, key=lambda label: (label == undated, label))
    rows = tuple(
        (label, counts[label], *money.cells(label, (AMOUNT, WEIGHTED), currencies))
        for label in months
    )
    series = {
        f"{name}, {currency}": [float(money.total(keys=(m,), currency=currency, measure=measure))
                                for m in months]
        for currency in currencies
        for name, measure in ((_("pipeline"), AMOUNT), (_("weighted"), WEIGHTED))
    }  # fmt: skip
    png = chart(_("Weighted forecast"), months, series)
    columns = (_("expected close"), _("deals"),
               *headers([_("amount"), _("weighted")], currencies))  # fmt: skip
    return Report(_("Forecast"), columns, rows, png)


def reps(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    _ = texts(app, actor.language)
    # Counted per rep and currency, so the won amount stays per currency; the counts and
    # the cycle (a sum of days over a number of wins) add up across currencies.
    tally: dict[str, list[float]] = {}
    money = Ledger()
    with UnitOfWork(app, read_only=True) as uow:
        won = DealRow.status == StageOutcome.WON.value
        lost = DealRow.status == StageOutcome.LOST.value
        cycle = _days(uow.session, DealRow.created_at, DealRow.closed_at)
        result = uow.session.execute(
            select(
                func.coalesce(UserRow.display_name, _("unassigned")),
                DealRow.currency,
                func.sum(case((won, 1), else_=0)),
                func.sum(case((lost, 1), else_=0)),
                func.coalesce(func.sum(case((won, DealRow.amount), else_=0)), 0),
                func.coalesce(func.sum(case((won, cycle), else_=0)), 0),
            )
            .outerjoin(UserRow, UserRow.id == DealRow.owner_id)
            .where(
                DealRow.status != StageOutcome.OPEN.value,
                _scope(actor, params),
                _closed_in(params, DealRow.closed_at),
            )
            .group_by(UserRow.display_name, DealRow.currency)
        )
        for name, currency, w, lo, amount, days in result:
            counts = tally.setdefault(name, [0, 0, 0.0])
            counts[0] += int(w)
            counts[1] += int(lo)
            counts[2] += float(days)
            money.add(name, currency, AMOUNT, amount)
    currencies = money.currencies(app)
    rows: list[tuple[Any, ...]] = []
    rates: list[float] = []
    for name in sorted(tally):
        w, lo, days = int(tally[name][0]), int(tally[name][1]), tally[name][2]
        rate = round(w / (w + lo) * 100, 1) if w + lo else None
        rates.append(rate or 0)
        rows.append((name, w, lo, rate, *money.cells(name, (AMOUNT,), currencies),
                     round(days / w, 1) if w else None))  # fmt: skip
    png = chart(_("Win rate by rep, %"), sorted(tally), {_("win rate"): rates})
    columns = (_("rep"), _("won"), _("lost"), _("win rate %"),
               *headers([_("won amount")], currencies), _("days to win"))  # fmt: skip
    return Report(_("Win rate and cycle by rep"), columns, tuple(rows), png)


def products(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    quantities: dict[tuple[str, str], Decimal] = {}
    money = Ledger()
    with UnitOfWork(app, read_only=True) as uow:
        month = _month(uow.session, DealRow.closed_at)
        for label, product, currency, revenue, quantity in uow.session.execute(
            select(
                month,
                DealLineRow.product,
                DealRow.currency,
                func.sum(DealLineRow.quantity * DealLineRow.price),
                func.sum(DealLineRow.quantity),
            )
            .join(DealRow, DealRow.id == DealLineRow.deal_id)
            .where(
                DealRow.status == StageOutcome.WON.value,
                _scope(actor, params),
                _closed_in(params, DealRow.closed_at),
            )
            .group_by(month, DealLineRow.product, DealRow.currency)
        ):
            key = (label, product)
            quantities[key] = quantities.get(key, Decimal(0)) + Decimal(str(quantity))
            money.add(key, currency, REVENUE, revenue)
    currencies = money.currencies(app)
    keys = sorted(quantities)
    rows = tuple(
        (label, product, *money.cells((label, product), (REVENUE,), currencies),
         _quantity(quantities[label, product]))
        for label, product in keys
    )  # fmt: skip
    months = sorted({label for label, _product in keys})
    series: dict[str, list[float]] = {}
    for label, product in keys:
        for currency in currencies:  # a line per product and currency
            name = product if len(currencies) == 1 else f"{product}, {currency}"
            revenue = money.total(keys=((label, product),), currency=currency, measure=REVENUE)
            series.setdefault(name, [0.0] * len(months))[months.index(label)] = float(revenue)
    _ = texts(app, actor.language)
    png = chart(_("Won revenue by product"), months, series, kind="line")
    columns = (_("month"), _("product"), *headers([_("revenue")], currencies), _("quantity"))
    return Report(_("Sales by product"), columns, rows, png)


def top_customers(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    limit = parse_count(params.get("limit", 20), "limit")
    with UnitOfWork(app, read_only=True) as uow:
        revenue = func.sum(DealRow.amount)
        result = list(
            uow.session.execute(
                select(CustomerRow.name, DealRow.currency, revenue, func.count())
                .join(CustomerRow, CustomerRow.id == DealRow.customer_id)
                .where(
                    DealRow.status == StageOutcome.WON.value,
                    _scope(actor, params),
                    _closed_in(params, DealRow.closed_at),
                )
                .group_by(CustomerRow.id, CustomerRow.name, DealRow.currency)
                .order_by(DealRow.currency, revenue.desc(), CustomerRow.name)
            )
        )
    # Ranked within each currency: with no exchange rates, a dollar customer and a rouble
    # one cannot be compared, and each currency has its own 80%.
    totals: dict[str, Decimal] = {}
    for _name, currency, amount, _deals in result:
        totals[currency] = totals.get(currency, Decimal(0)) + Decimal(str(amount))
    rows: list[tuple[Any, ...]] = []
    running: dict[str, Decimal] = {}
    for name, currency, amount, deals in result:
        total, before = totals[currency], running.get(currency, Decimal(0))
        share_before = float(before / total * 100) if total else 0.0
        running[currency] = before + Decimal(str(amount))
        share = round(float(running[currency] / total * 100), 1) if total else 0.0
        rows.append((name, currency, _money(amount), deals, share, share_before < PARETO_SHARE))
    key = [r for r in rows if r[5]]
    _ = texts(app, actor.language)
    title = (
        _("Top customers: {key} of {total} bring {share}% of revenue", key=len(key),
          total=len(rows), share=f"{PARETO_SHARE:.0f}")
        if rows
        else _("Top customers")
    )  # fmt: skip
    shown = rows[:limit]
    several = len(totals) > 1
    png = chart(
        title,
        [f"{r[0]}, {r[1]}" if several else r[0] for r in shown],
        {_("revenue"): [float(r[2]) for r in shown]},
        line=(_("cumulative %"), [r[4] for r in shown]),
    )
    columns = (_("customer"), _("currency"), _("revenue"), _("deals won"), _("cumulative %"),
               _("key (80%)"))  # fmt: skip
    return Report(title, columns, tuple(rows), png)


def lost_reasons(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    _ = texts(app, actor.language)
    known = sales_options(app.settings).lost_reasons
    with UnitOfWork(app, read_only=True) as uow:
        result = uow.session.execute(
            select(
                DealRow.lost_reason,
                DealRow.currency,
                func.count(),
                func.coalesce(func.sum(DealRow.amount), 0),
            )
            .where(
                DealRow.status == StageOutcome.LOST.value,
                _scope(actor, params),
                _closed_in(params, DealRow.closed_at),
            )
            .group_by(DealRow.lost_reason, DealRow.currency)
        )
        grouped: dict[str, int] = {}
        money = Ledger()
        for reason, currency, count, amount in result:
            text = (reason or "").casefold()
            key = next((k for k in known if text.startswith(k)), None)
            label = reason_label(_, key) if key else text or _("not given")
            grouped[label] = grouped.get(label, 0) + count
            money.add(label, currency, AMOUNT, amount)
    currencies = money.currencies(app)
    labels = sorted(grouped, key=lambda label: -grouped[label])
    rows = [(label, grouped[label], *money.cells(label, (AMOUNT,), currencies)) for label in labels]
    png = chart(_("Lost reasons"), labels, {_("deals"): [float(grouped[k]) for k in labels]})
    columns = (_("reason"), _("deals"), *headers([_("amount")], currencies))
    return Report(_("Lost reasons"), columns, tuple(rows), png)


def plan_report(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    period = str(params.get("period") or f"{app.clock():%Y-%m}")
    lines = plan_vs_fact(app, actor, period)
    rows = tuple(
        (line.who, line.shown_metric, line.plan, line.fact, line.gap, round(line.done, 1))
        if line.planned
        else (line.who, line.shown_metric, None, line.fact, None, None)
        for line in lines
    )
    labels = [f"{line.who}: {line.shown_metric}" for line in lines]
    _ = texts(app, actor.language)
    title = _("Plan vs fact, {period}", period=period)
    png = chart(
        title,
        labels,
        {
            _("plan"): [float(line.plan) for line in lines],
            _("fact"): [float(line.fact) for line in lines],
        },
    )
    columns = (_("who"), _("measure"), _("plan"), _("fact"), _("gap"), _("done %"))
    return Report(title, columns, rows, png)


WEIGHTINGS = ("stage", "score")


def _weighting(params: Mapping[str, Any]) -> str:
    weighting = str(params.get("weighting") or "stage").strip().casefold()
    if weighting not in WEIGHTINGS:
        raise InvalidInput.one(
            "weighting", _l("{value}: weigh by stage or by score", value=repr(weighting))
        )
    return weighting


def _pipeline_id(params: Mapping[str, Any]) -> int | None:
    return parse_id(params["pipeline"], "pipeline") if params.get("pipeline") else None


def _days(session: Session, start: Any, end: Any) -> Any:
    """Days from ``start`` to ``end`` (the time as a fraction), as a float: cheap to sum."""
    if session.get_bind().dialect.name == "postgresql":
        # date_part() answers a double; extract() a numeric, several times slower to sum.
        return func.date_part("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def _month(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _quantity(raw: object) -> Decimal:
    """``1000``, not ``1E+3`` (what ``normalize`` makes of a round number), nor ``1000.000``."""
    quantity = Decimal(str(raw))
    return (
        quantity.quantize(Decimal(1))
        if quantity == quantity.to_integral_value()
        else quantity.normalize()
    )
