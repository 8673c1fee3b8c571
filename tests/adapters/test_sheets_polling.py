"""``rapport run`` polls the sheet every minute: a poll with nothing new on either side
costs one small request (or a file's stat) and reads nothing; anything new is synced by
the next poll."""

from __future__ import annotations

from decimal import Decimal

import gspread
import pytest

from rapport.adapters.sheets.backends.google import drive_version
from rapport.adapters.sheets.polling import FULL_EVERY, Poller, file_version
from rapport.core.domain.errors import RapportError
from rapport.core.services.deals import get_deal, update_deal
from tests.adapters.sheet_sides import KEY, GoogleSide
from tests.adapters.test_sheets_faults import cannot_write


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def polls(side, deals):
    clock = Clock()
    if isinstance(side, GoogleSide):
        client = gspread.Client(auth=None, session=side.standin.session())
        poller = Poller(side.app, lambda: drive_version(client, KEY), side.sync, clock)
    else:
        poller = Poller(side.app, lambda: file_version(side.path), side.sync, clock)
    settle(poller, clock)
    return poller, clock


def settle(poller: Poller, clock: Clock) -> None:
    """Poll a minute apart until a poll is skipped: the first ones run in full, and the
    one that changed nothing proves the quiet."""
    for _ in range(3):
        if poller.poll() is None:
            return
        clock.now += 60
    raise AssertionError("three polls in a row found something to do in a quiet sheet")


def test_a_poll_with_nothing_new_reads_nothing(side, polls):
    poller, clock = polls
    before = file_version(side.path) if not isinstance(side, GoogleSide) else None
    if isinstance(side, GoogleSide):
        side.standin.requests.clear()
    clock.now += 60
    assert poller.poll() is None
    if isinstance(side, GoogleSide):
        assert side.standin.requests == [("GET", f"/drive/v3/files/{KEY}")]
    else:
        assert file_version(side.path) == before  # not even rewritten


def test_an_edit_on_either_side_is_synced_by_the_next_poll(app, team, deals, manager, polls):
    poller, clock = polls
    manager.edit("Deals", deals[0].id, "Amount", 2500)  # the manager, in the sheet
    clock.now += 60
    report = poller.poll()
    assert report is not None and report.updated == 1
    assert get_deal(app, team["manager"], deals[0].id).amount == Decimal("2500.00")
    update_deal(app, team["ivan"], deals[1].id, {"amount": 3100})  # a rep, in the bot
    clock.now += 60
    assert poller.poll() is not None
    assert float(str(manager.row("Deals", deals[1].id)["Amount"]).replace(",", "")) == 3100


def test_a_full_cycle_runs_at_least_every_ten_minutes(polls):
    poller, clock = polls
    clock.now += FULL_EVERY  # a recomputed segment or score leaves no trace to look at
    assert poller.poll() is not None


def test_a_cycle_that_failed_proves_nothing(app, team, deals, manager, polls):
    poller, clock = polls
    update_deal(app, team["ivan"], deals[0].id, {"amount": 7777})
    unlock = cannot_write(manager.side, 1)
    with pytest.raises(RapportError):
        poller.poll()
    unlock()
    clock.now += 60
    assert poller.poll() is not None  # not skipped: the rep's change is still to write
    assert float(str(manager.row("Deals", deals[0].id)["Amount"]).replace(",", "")) == 7777
