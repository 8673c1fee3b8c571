"""Explained lead scoring: a win chance learned from the team's own closed deals, each
with the factors that raise or lower it, in the reader's language."""

from decimal import Decimal

import pytest

from rapport.core.domain.errors import NotFound
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal
from rapport.plugins.sales.api import win_chance

IVAN = 1002


class Book:
    """Customers by where they heard of us, and their deals."""

    def __init__(self, app, rep):
        self.app, self.rep = app, rep

    def customer(self, source):
        return create_customer(
            self.app, self.rep, {"name": f"From {source}", "fields": {"source": source}}
        )

    def deal(self, customer, amount=1000):
        return create_deal(
            self.app, self.rep, {"title": "Order", "customer_id": customer.id, "amount": amount}
        )

    def closed(self, customer, won, lost):
        for outcome, count in (("won", won), ("lost", lost)):
            for _ in range(count):
                deal = self.deal(customer)
                reason = {"lost_reason": "price"} if outcome == "lost" else {}
                move_deal(self.app, self.rep, deal.id, outcome, **reason)


@pytest.fixture
def book(app, team):
    return Book(app, team["ivan"])


@pytest.fixture
def history(app, book):
    """20 closed deals: 8 of 10 from exhibitions won, 2 of 10 from cold calls."""
    exhibition, cold = book.customer("exhibition"), book.customer("cold call")
    book.closed(exhibition, won=8, lost=2)
    book.closed(cold, won=2, lost=8)
    return exhibition, cold


def nightly(app):
    app.registry.jobs["sales.scoring"].func(app)


def test_the_win_chance_is_learned_from_closed_deals_and_explained(app, team, book, history):
    exhibition, cold = history
    warm, chilly = book.deal(exhibition), book.deal(cold)
    nightly(app)
    ivan = team["ivan"]
    assert win_chance(app, ivan, warm.id, "en") == (
        "Win chance: 75% — source: exhibition, 80% of such deals won (+)"
    )
    assert win_chance(app, ivan, chilly.id, "en") == (
        "Win chance: 25% — source: cold call, 20% of such deals won (−)"
    )
    assert win_chance(app, ivan, warm.id, "ru") == (
        "Шанс на успех: 75% — источник: выставка, 80% таких сделок выиграно (+)"
    )
    assert win_chance(app, ivan, warm.id, "uk").startswith("Шанс на успіх: 75% — джерело: виставка")


def test_with_thin_history_the_stage_probability_stands(app, team, book):
    customer = book.customer("exhibition")
    book.closed(customer, won=5, lost=4)
    deal = book.deal(customer)
    nightly(app)
    assert win_chance(app, team["ivan"], deal.id, "en") == (
        "Win chance: 5% — the stage's probability (too few closed deals to learn from)"
    )
    book.closed(customer, won=1, lost=0)  # the tenth: scores follow the win at once
    # 6 won of 10, smoothed: 7 of 12. Every factor's value is every deal's, so none is named.
    assert win_chance(app, team["ivan"], deal.id, "en") == "Win chance: 58%"


def test_a_rep_sees_only_the_chances_of_deals_they_may_see(app, team, book, history):
    deal = book.deal(history[0])
    nightly(app)
    with pytest.raises(NotFound):
        win_chance(app, team["sofia"], deal.id, "en")
    assert win_chance(app, team["manager"], deal.id, "en").startswith("Win chance: 75%")


def test_the_chance_on_the_card_the_sheet_and_the_forecast(app, team, book, history, workbook):
    exhibition, _ = history
    deal = book.deal(exhibition, amount=2000)
    nightly(app)
    card = customer_card(app, team["ivan"], exhibition.id)
    [section] = [s for s in card.sections if s.title == "Sales"]
    assert section.lines == (
        f"Order (#{deal.id}): win chance 75% — source: exhibition, 80% of such deals won (+)",
    )
    workbook.sync()
    assert workbook.read("Deals", deal.id, "Win chance, %") == 75
    manager = team["manager"]
    by_stage = app.registry.reports["sales.forecast"].build(app, manager, {})
    by_score = app.registry.reports["sales.forecast"].build(app, manager, {"weighting": "score"})
    assert by_stage.rows == (("no date", 1, Decimal("2000.00"), Decimal("100.00")),)
    assert by_score.rows == (("no date", 1, Decimal("2000.00"), Decimal("1500.00")),)


async def test_the_bot_shows_the_win_chance_on_the_deal(app, team, book, history, chat):
    deal = book.deal(history[0])
    nightly(app)
    await chat.say(IVAN, f"/deal {deal.id}")
    assert "Win chance: 75% — source: exhibition (+)" in chat.replies(IVAN)[-1]


def test_a_deal_opened_or_moved_after_the_nightly_run_is_scored_at_once(app, team, book, history):
    nightly(app)
    deal = book.deal(history[1])
    assert win_chance(app, team["ivan"], deal.id, "en").startswith("Win chance: 25%")
    move_deal(app, team["ivan"], deal.id, "demo")
    # Every won deal passed the demonstration, no lost one got there: odds of 11 to 1,
    # smoothed, times the cold call's 1 to 3: 11 to 3.
    assert win_chance(app, team["ivan"], deal.id, "en") == (
        "Win chance: 79% — stage: Demonstration, 100% of such deals won (+); "
        "source: cold call, 20% of such deals won (−)"
    )
