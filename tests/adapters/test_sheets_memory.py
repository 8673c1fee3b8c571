"""``rapport run`` keeps what it worked out of the sheet between its cycles (the rows it
read, the records' cells, the base it wrote): a sheet synced by another process
meanwhile (``rapport sync``, a second instance) is never judged by what it kept."""

from __future__ import annotations

import copy
from decimal import Decimal

from rapport.core.services.deals import get_deal, update_deal


def amount(manager, deal_id: int) -> float:
    return float(str(manager.row("Deals", deal_id)["Amount"]).replace(",", ""))


def test_another_process_syncing_meanwhile_is_not_overlooked(make_app, app, team, deals,
                                                             side, manager):  # fmt: skip
    deal = deals[0]
    side.sync()  # this process has read the sheet and kept it
    elsewhere = copy.copy(side)
    elsewhere.app = make_app()  # `rapport sync` in a process of its own
    manager.edit("Deals", deal.id, "Amount", 2000)
    assert elsewhere.sync().updated == 1
    update_deal(app, team["ivan"], deal.id, {"amount": 3000})  # a rep, after that sync
    report = side.sync()
    # The base is the other process's (2000): the rep's change is the only one, no
    # conflict with the manager's edit, which that process already took.
    assert report.conflicts == [] and report.updated == 0
    assert amount(manager, deal.id) == 3000
    assert not manager.row("Deals", deal.id).get("Rapport says")
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("3000.00")


def test_what_a_process_kept_follows_every_change(app, team, deals, side, manager):
    """Cycle after cycle in one process, each side's edits land, also back to a value a
    row showed before (a row read before is not taken for unchanged)."""
    deal = deals[1]
    for value in (1500, 1700, 1500, 1700):
        manager.edit("Deals", deal.id, "Amount", value)
        assert side.sync().updated == 1
        assert get_deal(app, team["manager"], deal.id).amount == Decimal(value)
        update_deal(app, team["ivan"], deal.id, {"title": f"Бета {value}"})
        side.sync()
        assert manager.row("Deals", deal.id)["Title"] == f"Бета {value}"
        assert amount(manager, deal.id) == value
