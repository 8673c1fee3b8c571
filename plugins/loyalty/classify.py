"""The built-in classifiers: motivation segments and relationship strategies.

Each verdict carries its reasons, in numbers a rep can check, so they can trust it or
override it. Customers with too little history get "not enough data", never a guess.
"""

from __future__ import annotations

from decimal import Decimal

from rapport.core.extensions import Classifier, Profile, Verdict
from rapport.plugins.loyalty.options import LoyaltyOptions

NOT_ENOUGH = "not_enough_data"
SEGMENTS = ("lowest_price", "novelty_seeker", "belonging", "stability")
STRATEGIES = ("protect", "re_engineer", "enhance", "harvest", "end", "win_back", "start")


def classifiers(options: LoyaltyOptions) -> list[Classifier]:
    return [
        Classifier("motivation", "Motivation", lambda p: motivation(p, options)),
        Classifier("strategy", "Relationship strategy", lambda p: strategy(p, options)),
    ]


def motivation(profile: Profile, options: LoyaltyOptions) -> Verdict:
    m, t, days = profile.metrics, options.motivation, options.window_days
    contacts, orders = m["contacts"], m["orders"]
    said = f"{contacts} contacts and requests in {days} days"
    ordered = f"{orders} orders in {days} days"
    if contacts + orders < options.min_history:
        return Verdict(
            NOT_ENOUGH, (f"only {contacts} contacts and {orders} orders in {days} days",)
        )
    if contacts >= t.busy_contacts_min:
        if orders and m["discounted"] / orders >= t.lowest_price_discount_share:
            return Verdict(
                "lowest_price", (said, f"{m['discounted']} of {orders} orders only with a discount")
            )
        if m["topic_joint_work"]:
            return Verdict(
                "belonging", (said, f"{m['topic_joint_work']} proposals of joint work", ordered)
            )
        if orders <= t.novelty_orders_max:
            asked = m["topic_new_products"]
            questions = (f"{asked} questions about new products",) if asked else ()
            return Verdict("novelty_seeker", (said, *questions, ordered))
        return Verdict("belonging", (said, f"{orders} orders: engaged and buying"))
    if orders >= t.stability_orders_min:
        complaints = m["topic_complaint"]
        return Verdict(
            "stability", (ordered, f"only {contacts} contacts", f"{complaints} complaints")
        )
    return Verdict(NOT_ENOUGH, (said, ordered, "neither a regular buyer nor an active contact yet"))


def strategy(profile: Profile, options: LoyaltyOptions) -> Verdict | None:
    m = profile.metrics
    if not m["orders_total"]:
        return None
    now, days = m["now"], options.window_days
    if m["first_order_at"] and (now - m["first_order_at"]).days <= options.new_customer_days:
        return Verdict("start", (f"first order on {m['first_order_at']:%d.%m.%Y}",))
    recency = m["recency_days"]
    usual = m["usual_interval_days"]
    slipping = (
        usual is not None and recency is not None and recency > options.at_risk_factor * usual
    )
    competitor = m["lost_to_competitor"] or m.get("competitor_purchases")
    if m["key_customer"]:
        if competitor and (slipping or m["orders"] < m["orders_before"]):
            why = (
                "lost a deal to a competitor"
                if m["lost_to_competitor"]
                else "buys from competitors"
            )
            # The reason is the rule's own number: falling orders, or else the silence.
            trend = (
                f"orders fell from {m['orders_before']} to {m['orders']} per {days} days"
                if m["orders"] < m["orders_before"]
                else f"no order for {recency} days, usually every {usual}"
            )
            return Verdict("win_back", ("a key customer", why, trend))
        return Verdict("protect", (f"a key customer: {m['revenue_share']:.1f}% of revenue",))
    profit: Decimal = m["profit"]
    if profit < 0:
        cost = f"costs {m['cost_to_serve']} to serve, earns {m['margin_amount']}"
        if m["m"] >= 3:
            return Verdict("re_engineer", (cost, "but buys a lot: serve them more cheaply"))
        return Verdict("end", (cost, "little revenue and little chance of change"))
    if slipping:
        return Verdict(
            "harvest", (f"no order for {recency} days, usually every {usual}", "likely to leave")
        )
    return Verdict("enhance", (f"{m['orders_total']} orders so far", "room to sell more"))
