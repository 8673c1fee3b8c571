"""A cycle survives what goes wrong around it: writes that fail after the database took the
sheet's edits, tabs emptied or half-created, and cells no number or workbook can hold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import update

from rapport.core.db.tables import CustomerRow
from rapport.core.domain.errors import RapportError
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, get_deal, list_deals, update_deal
from rapport.core.services.uow import UnitOfWork
from tests.adapters.sheet_sides import KEY, GoogleSide, XlsxSide


def cannot_write(side, cycles):
    """The next ``cycles`` writes fail: Google answers 503 five times (every retry), or the
    workbook is open in LibreOffice, whose lock file forbids writing over it."""
    if isinstance(side, GoogleSide):
        side.fail_writes(5 * cycles)
        return lambda: None
    return side.lock().unlink


def test_a_write_that_fails_keeps_reps_changes_and_creates_a_new_row_once(
    app, team, deals, manager
):
    update_deal(app, team["ivan"], deals[0].id, {"amount": 7777})  # the rep, in the bot
    manager.add_row(
        "Deals", {"Title": "Новая", "Customer": "ИП Лютик", "Amount": 300, "Owner": "Ivan Rep"}
    )
    manager.edit("Deals", deals[1].id, "Amount", 2222)  # the manager, in the sheet
    unlock = cannot_write(manager.side, 3)
    for _ in range(3):
        with pytest.raises(RapportError, match="next sync will"):
            manager.side.sync()
    unlock()
    report = manager.side.sync()
    assert report.conflicts == []
    assert get_deal(app, team["manager"], deals[0].id).amount == Decimal("7777.00")
    assert get_deal(app, team["manager"], deals[1].id).amount == Decimal("2222.00")
    assert [d.title for d in list_deals(app, team["manager"])].count("Новая") == 1
    row = next(r for r in manager.rows("Deals") if r["Title"] == "Новая")
    assert row["ID"] and not row["Rapport says"]
    assert float(str(manager.row("Deals", deals[0].id)["Amount"]).replace(",", "")) == 7777
    again = manager.side.sync()
    assert (again.created, again.updated, again.appended) == (0, 0, 0)


def test_an_emptied_tab_is_rebuilt_and_nothing_is_read_from_it(app, team, deals, manager):
    manager.side.clear("Deals")
    report = manager.side.sync()
    assert report.updated == 0 and report.archived == 0
    assert sorted(r["ID"] for r in manager.rows("Deals")) == sorted(d.id for d in deals)
    assert all(get_deal(app, team["manager"], d.id).amount == d.amount for d in deals)
    assert any("Deals" in line and "empty" in line for line in report.failed)
    assert manager.side.sync().restored == 0


def test_a_lost_reply_to_adding_a_tab_is_not_a_failure(app, team, standin):
    create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    side = GoogleSide(app, standin)
    standin.fail(":batchUpdate", "lost")  # Google added the tab; its answer was lost
    side.sync()
    assert list(standin.spreadsheets[KEY]) == ["Customers", "Deals", "Summary"]
    assert side.sync().appended == 0


@pytest.mark.parametrize("garbage", ["Infinity", "1e30", "123456789012345678901234567"])
def test_a_number_no_amount_can_be_is_refused_and_the_rest_proceeds(
    app, team, deals, manager, garbage
):
    manager.edit("Deals", deals[0].id, "Amount", garbage)
    manager.edit("Deals", deals[1].id, "Amount", 1234)
    report = manager.side.sync()
    assert get_deal(app, team["manager"], deals[1].id).amount == Decimal("1234.00")
    assert get_deal(app, team["manager"], deals[0].id).amount == Decimal("1000.00")
    assert "Amount" in manager.row("Deals", deals[0].id)["Rapport says"]
    assert len(report.refused) == 1


def test_a_control_character_in_a_stored_name_does_not_stop_the_workbook(app, team, tmp_path):
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    with UnitOfWork(app) as uow:  # stored before names were checked
        uow.session.execute(
            update(CustomerRow).where(CustomerRow.id == customer.id).values(name="ООО\x01Ромашка")
        )
        uow.commit()
    side = XlsxSide(app, tmp_path / "rapport.xlsx")
    side.sync()
    assert side.sync().updated == 0  # the sheet's cleaned name is not taken for an edit
    [row] = [r for r in side.grid("Customers")[1:] if r[0] == customer.id]
    assert "ООО" in row[1] and "\x01" not in row[1]


@pytest.mark.parametrize("side", ["xlsx"], indirect=True)
def test_an_older_copy_saved_over_the_workbook_keeps_what_rapport_wrote_since(
    app, team, deals, manager
):
    """A manager opened the workbook from a shared folder (her lock file never reaches
    Rapport's machine); Rapport wrote the reps' changes meanwhile; she saved her copy over
    them. Her edits are edits; the cells she never touched are not taken for edits back."""
    ivan = team["ivan"]
    her_copy = manager.side.path.read_bytes()
    update_deal(app, ivan, deals[0].id, {"amount": 7777})  # the reps, in the bot
    update_deal(app, ivan, deals[2].id, {"amount": 8888})
    made = create_deal(app, ivan, {"title": "Из бота", "customer_id": deals[0].customer_id})
    manager.side.sync()
    manager.side.path.write_bytes(her_copy)  # her copy, edited, saved over Rapport's write
    manager.edit("Deals", deals[1].id, "Amount", 2222)
    manager.edit("Deals", deals[2].id, "Amount", 3333)
    report = manager.side.sync()
    assert get_deal(app, ivan, deals[0].id).amount == Decimal("7777.00")
    assert get_deal(app, ivan, deals[1].id).amount == Decimal("2222.00")
    assert get_deal(app, ivan, deals[2].id).amount == Decimal("8888.00")
    assert len(report.conflicts) == 1 and "3333" in report.conflicts[0]
    assert manager.row("Deals", deals[0].id)["Amount"] == 7777
    assert [r["ID"] for r in manager.rows("Deals")].count(made.id) == 1
    assert [d.title for d in list_deals(app, ivan)].count("Из бота") == 1
    again = manager.side.sync()
    assert (again.created, again.updated, again.appended, again.conflicts) == (0, 0, 0, [])


@pytest.mark.parametrize("side", ["xlsx"], indirect=True)
def test_a_copy_older_than_rapport_remembers_is_read_as_saying_nothing_new(
    app, team, deals, manager, clock
):
    ivan = team["ivan"]
    her_copy = manager.side.path.read_bytes()
    update_deal(app, ivan, deals[0].id, {"amount": 7777})
    manager.side.sync()
    clock.advance(days=100)
    update_deal(app, ivan, deals[2].id, {"amount": 8888})
    manager.side.sync()
    manager.side.path.write_bytes(her_copy)  # saved over, three months on
    manager.edit("Deals", deals[1].id, "Amount", 2222)
    report = manager.side.sync()
    assert [get_deal(app, ivan, d.id).amount for d in deals[:3]] == [
        Decimal("7777.00"), Decimal("1100.00"), Decimal("8888.00")]  # fmt: skip
    assert any("older than Rapport remembers" in line for line in report.failed)
    assert manager.row("Deals", deals[0].id)["Amount"] == 7777
    assert manager.row("Deals", deals[1].id)["Amount"] == 1100
    assert manager.side.sync().failed == []
