"""The built-in classifiers: motivation segments and relationship strategies.

Each verdict carries its reasons, in numbers a rep can check, so they can trust it or
override it. Customers with too little history get "not enough data", never a guess.
"""

from __future__ import annotations

from decimal import Decimal

from rapport.core.extensions import Classifier, Profile, Verdict
from rapport.core.i18n import texts_for
from rapport.plugins.loyalty.options import LoyaltyOptions

_l = texts_for(__file__).lazy
NOT_ENOUGH = "not_enough_data"
SEGMENTS = ("lowest_price", "novelty_seeker", "belonging", "stability")
STRATEGIES = ("protect", "re_engineer", "enhance", "harvest", "end", "win_back", "start")
VALUE_WORDS = {
    "en": {"not_enough_data": "not enough data", "lowest_price": "lowest price",
           "novelty_seeker": "novelty seeker", "belonging": "belonging",
           "stability": "stability", "protect": "protect", "re_engineer": "re-engineer",
           "enhance": "enhance", "harvest": "harvest", "end": "end", "win_back": "win back",
           "start": "start"},
    "ru": {"not_enough_data": "мало данных", "lowest_price": "низкая цена",
           "novelty_seeker": "ищет новинки", "belonging": "сопричастность",
           "stability": "стабильность", "protect": "защищать", "re_engineer": "перестроить",
           "enhance": "развивать", "harvest": "поддерживать", "end": "завершить",
           "win_back": "вернуть", "start": "начало"},
    "uk": {"not_enough_data": "мало даних", "lowest_price": "низька ціна",
           "novelty_seeker": "шукає новинки", "belonging": "причетність",
           "stability": "стабільність", "protect": "захищати", "re_engineer": "перебудувати",
           "enhance": "розвивати", "harvest": "підтримувати", "end": "завершити",
           "win_back": "повернути", "start": "початок"},
}  # fmt: skip
"""Segments and strategies as a reader says them; the stored value stays the key."""


def classifiers(options: LoyaltyOptions) -> list[Classifier]:
    return [
        Classifier(
            "motivation",
            "Motivation",
            lambda p: motivation(p, options),
            labels={"ru": "Мотивация", "uk": "Мотивація"},
            value_labels=VALUE_WORDS,
        ),
        Classifier(
            "strategy",
            "Relationship strategy",
            lambda p: strategy(p, options),
            labels={"ru": "Стратегия отношений", "uk": "Стратегія відносин"},
            value_labels=VALUE_WORDS,
        ),
    ]


def motivation(profile: Profile, options: LoyaltyOptions) -> Verdict:
    m, t, days = profile.metrics, options.motivation, options.window_days
    contacts, orders = m["contacts"], m["orders"]
    said = _l("{count} contacts and requests in {days} days", count=contacts, days=days)
    ordered = _l("{count} orders in {days} days", count=orders, days=days)
    if contacts + orders < options.min_history:
        return Verdict(
            NOT_ENOUGH,
            (
                _l(
                    "only {contacts} contacts and {orders} orders in {days} days",
                    contacts=contacts,
                    orders=orders,
                    days=days,
                ),
            ),
        )
    if contacts >= t.busy_contacts_min:
        if orders and m["discounted"] / orders >= t.lowest_price_discount_share:
            return Verdict(
                "lowest_price",
                (
                    said,
                    _l(
                        "{count} of {orders} orders only with a discount",
                        count=m["discounted"],
                        orders=orders,
                    ),
                ),
            )
        if m["topic_joint_work"]:
            return Verdict(
                "belonging",
                (said, _l("{count} proposals of joint work", count=m["topic_joint_work"]), ordered),
            )
        if orders <= t.novelty_orders_max:
            asked = m["topic_new_products"]
            questions = (_l("{count} questions about new products", count=asked),) if asked else ()
            return Verdict("novelty_seeker", (said, *questions, ordered))
        return Verdict("belonging", (said, _l("{count} orders: engaged and buying", count=orders)))
    if orders >= t.stability_orders_min:
        complaints = m["topic_complaint"]
        return Verdict(
            "stability",
            (
                ordered,
                _l("only {count} contacts", count=contacts),
                _l("{count} complaints", count=complaints),
            ),
        )
    return Verdict(
        NOT_ENOUGH, (said, ordered, _l("neither a regular buyer nor an active contact yet"))
    )


def strategy(profile: Profile, options: LoyaltyOptions) -> Verdict | None:
    m = profile.metrics
    if not m["orders_total"]:
        return None
    now, days = m["now"], options.window_days
    if m["first_order_at"] and (now - m["first_order_at"]).days <= options.new_customer_days:
        return Verdict(
            "start", (_l("first order on {date}", date=f"{m['first_order_at']:%d.%m.%Y}"),)
        )
    recency = m["recency_days"]
    usual = m["usual_interval_days"]
    slipping = (
        usual is not None and recency is not None and recency > options.at_risk_factor * usual
    )
    competitor = m["lost_to_competitor"] or m.get("competitor_purchases")
    if m["key_customer"]:
        if competitor and (slipping or m["orders"] < m["orders_before"]):
            why = (
                _l("lost a deal to a competitor")
                if m["lost_to_competitor"]
                else _l("buys from competitors")
            )
            # The reason is the rule's own number: falling orders, or else the silence.
            trend = (
                _l("orders fell from {before} to {now} per {days} days",
                   before=m["orders_before"], now=m["orders"], days=days)
                if m["orders"] < m["orders_before"]
                else _l("no order for {days} days, usually every {usual}", days=recency,
                        usual=usual)
            )  # fmt: skip
            return Verdict("win_back", (_l("a key customer"), why, trend))
        share = f"{m['revenue_share']:.1f}"
        return Verdict("protect", (_l("a key customer: {share}% of revenue", share=share),))
    profit: Decimal = m["profit"]
    if profit < 0:
        cost = _l("costs {cost} to serve, earns {margin}", cost=str(m["cost_to_serve"]),
                  margin=str(m["margin_amount"]))  # fmt: skip
        if m["m"] >= 3:
            return Verdict("re_engineer", (cost, _l("but buys a lot: serve them more cheaply")))
        return Verdict("end", (cost, _l("little revenue and little chance of change")))
    if slipping:
        return Verdict(
            "harvest",
            (
                _l("no order for {days} days, usually every {usual}", days=recency, usual=usual),
                _l("likely to leave"),
            ),
        )
    return Verdict(
        "enhance",
        (_l("{count} orders so far", count=m["orders_total"]), _l("room to sell more")),
    )
