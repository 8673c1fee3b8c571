"""A bank's own segmentation, as a Rapport plugin: turnover and average balance.

Register it like any plugin (an entry point in the ``rapport.plugins`` group); the
loyalty plugin runs it with its own classifiers and shows the tier, with its reasons,
on every customer's card. ``average_balance`` would come from the bank's core system;
here a stand-in answers.
"""

from collections.abc import Callable, Mapping, Sequence

from rapport import hookimpl
from rapport.core.extensions import Classifier, Profile, Verdict

PREMIUM_TURNOVER = 10_000_000
PREMIUM_BALANCE = 1_000_000


@hookimpl
def customer_metrics(customer_ids: Sequence[int]) -> Mapping[int, Mapping[str, float]]:
    return {cid: {"average_balance": 2_000_000 if cid % 2 else 50_000} for cid in customer_ids}


@hookimpl
def register_classifiers(register: Callable[[Classifier], None]) -> None:
    register(Classifier("bank_tier", "Bank tier", classify=tier))


def tier(profile: Profile) -> Verdict | None:
    turnover = profile.metrics["fields"].get("turnover")
    if turnover is None:
        return None  # no guess without the figure
    balance = profile.metrics["average_balance"]
    premium = turnover > PREMIUM_TURNOVER and balance > PREMIUM_BALANCE
    return Verdict(
        "premium" if premium else "mass",
        (f"turnover {turnover:,}", f"average balance {balance:,}"),
    )
