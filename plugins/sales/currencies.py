"""Money kept apart per currency in the sales reports: a column per currency.

A dollar deal beside rouble ones is 100 USD and 1 000 RUB, never "1 100": Rapport keeps
no exchange rates, so a sum across currencies is a wrong figure that looks right. The
database groups every amount by currency too; a :class:`Ledger` collects those sums and
lays them out as one column per currency found (the team's own when there is none).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

CENT = Decimal("0.01")


class Ledger:
    """Amounts per row key, currency and measure (``amount``, ``weighted``)."""

    def __init__(self) -> None:
        self._sums: dict[tuple[Hashable, str, str], Decimal] = {}
        self._found: set[str] = set()

    def add(self, key: Hashable, currency: str, measure: str, amount: Any) -> None:
        self._found.add(currency)
        here = (key, currency, measure)
        self._sums[here] = self._sums.get(here, Decimal(0)) + Decimal(str(amount or 0))

    def currencies(self, app: App) -> list[str]:
        """The currencies found, in order; the team's own when nothing was found."""
        return sorted(self._found) or [app.settings.currency]

    def cells(
        self, key: Hashable, measures: Sequence[str], currencies: Iterable[str]
    ) -> tuple[Decimal, ...]:
        """The row's money: each measure in each currency, in :func:`headers` order."""
        return tuple(
            self.total(keys=(key,), currency=currency, measure=measure)
            for currency in currencies
            for measure in measures
        )

    def total(self, *, keys: Iterable[Hashable], currency: str, measure: str) -> Decimal:
        """The sum over several row keys (stages at or past one) in one currency."""
        found = sum((self._sums.get((k, currency, measure), Decimal(0)) for k in keys), Decimal(0))
        return found.quantize(CENT)


def headers(names: Sequence[str], currencies: Iterable[str]) -> tuple[str, ...]:
    """``amount, RUB``, ``weighted, RUB``, ``amount, USD``...: one per measure and currency."""
    return tuple(f"{name}, {currency}" for currency in currencies for name in names)
