"""Columns and rows keep their identity whatever a manager does to the sheet's layout.

A renamed or deleted header is never read as a column of cleared cells, and a row that
no longer belongs to its ID (a sort without the hidden ID column, an ID typed over, a
read-only customer that disagrees) is refused with a note, nothing applied from it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rapport.core.services.deals import get_deal, list_deals, update_deal


def snapshot(app, team):
    return {d.id: (d.title, d.amount, d.stage_id, d.owner_id, d.customer_id, d.expected_close)
            for d in list_deals(app, team["manager"])}  # fmt: skip


def test_a_renamed_header_keeps_its_field_and_its_edits_still_arrive(app, team, deals, manager):
    manager.rename("Deals", "Expected close", "Close date")
    report = manager.side.sync()
    assert report.updated == 0 and report.refused == []
    assert [get_deal(app, team["manager"], d.id).expected_close for d in deals] == [
        date(2027, 3, 1 + n) for n in range(5)
    ]
    assert "Expected close" not in manager.headers("Deals")  # the manager's name stays
    manager.edit("Deals", deals[0].id, "Close date", "2027-05-20")
    assert manager.side.sync().updated == 1
    assert get_deal(app, team["manager"], deals[0].id).expected_close == date(2027, 5, 20)


def test_a_deleted_column_clears_nothing_and_comes_back_filled(app, team, deals, manager):
    manager.delete_column("Deals", "Expected close")
    report = manager.side.sync()
    assert report.updated == 0
    [said] = report.failed
    assert "«Expected close» was not found" in said and "put back at the end" in said
    assert all(get_deal(app, team["manager"], d.id).expected_close for d in deals)
    assert all(row["Expected close"] for row in manager.rows("Deals"))
    assert manager.side.sync().updated == 0


def test_a_sort_without_the_id_column_changes_no_deal_and_creates_none(app, team, deals, manager):
    before = snapshot(app, team)
    manager.add_row("Deals", {"Title": "Новая", "Customer": "ООО Ромашка", "Amount": 50})
    manager.sort_without_ids("Deals", "Title")  # the new row is sorted in among the others
    report = manager.side.sync()
    after = snapshot(app, team)
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(before)  # no deal made from a row that was someone else's
    assert report.updated == 0 and report.created == 0
    notes = manager.notes("Deals")
    assert len(notes) >= 4 and all("sorted" in note for note in notes), notes
    [scramble] = report.refused  # one scramble, said once
    assert f"{len(notes)} rows do not fit their IDs" in scramble
    assert manager.top_note("Deals") == scramble  # at the top of the sheet, where she looks


def test_an_id_typed_over_with_another_deals_id_changes_neither(app, team, deals, manager):
    before = snapshot(app, team)
    manager.edit("Deals", deals[1].id, "ID", deals[3].id)
    manager.side.sync()
    assert snapshot(app, team) == before
    [note] = manager.notes("Deals")
    assert f"#{deals[1].id}" in note and f"ID {deals[3].id}" in note


def test_a_read_only_customer_that_disagrees_refuses_the_row(app, team, deals, manager):
    manager.edit("Deals", deals[0].id, "Customer", "ИП Лютик")  # deal 0 is Ромашка's
    manager.edit("Deals", deals[0].id, "Amount", 9999)
    report = manager.side.sync()
    deal = get_deal(app, team["manager"], deals[0].id)
    assert deal.amount == Decimal("1000.00") and deal.customer_id == deals[0].customer_id
    assert report.updated == 0 and len(report.refused) == 1
    note = manager.row("Deals", deals[0].id)["Rapport says"]
    assert "«ИП Лютик»" in note and "«ООО Ромашка»" in note and "nothing was read" in note
    manager.edit("Deals", deals[0].id, "Customer", "ООО Ромашка")  # put back: the row counts
    manager.side.sync()
    assert get_deal(app, team["manager"], deals[0].id).amount == Decimal("9999.00")


def test_a_rep_change_reaches_a_sorted_sheet_only_once_it_is_undone(app, team, deals, manager):
    grid = manager.side.grid("Deals")
    manager.sort_without_ids("Deals", "Title")
    update_deal(app, team["ivan"], deals[0].id, {"amount": 4321})
    manager.side.sync()
    manager.side.put("Deals", grid)  # Ctrl+Z
    manager.side.sync()
    assert get_deal(app, team["manager"], deals[0].id).amount == Decimal("4321.00")
    assert manager.notes("Deals") == []


def test_a_renamed_header_stays_known_when_a_column_before_it_is_deleted(app, team, deals, manager):
    manager.rename("Deals", "Expected close", "Close date")
    manager.side.sync()
    manager.delete_column("Deals", "Owner")  # "Close date" now stands where "Owner" stood
    report = manager.side.sync()
    assert report.updated == 0 and report.refused == []
    assert all(get_deal(app, team["manager"], d.id).owner_id == team["ivan"].user_id
               for d in deals)  # fmt: skip
    assert all(row["Owner"] == "Ivan Rep" for row in manager.rows("Deals"))
    manager.edit("Deals", deals[0].id, "Close date", "2027-06-30")
    assert manager.side.sync().updated == 1
    assert get_deal(app, team["manager"], deals[0].id).expected_close == date(2027, 6, 30)


def test_a_column_renamed_and_moved_at_once_keeps_its_field(app, team, deals, manager):
    """Its mark (developer metadata on Google, a defined name in Excel) moves with it."""
    manager.rename("Deals", "Expected close", "Close date")
    manager.move_column("Deals", "Close date", 1)  # dragged to the front
    manager.delete_column("Deals", "Owner")  # in the same sitting
    manager.edit("Deals", deals[0].id, "Close date", "2027-06-30")
    report = manager.side.sync()
    assert report.updated == 1
    assert [get_deal(app, team["manager"], d.id).expected_close for d in deals] == [
        date(2027, 6, 30), *(date(2027, 3, 1 + n) for n in range(1, 5))]  # fmt: skip
    [said] = report.failed  # the deleted column, put back and said
    assert "«Owner» was not found" in said, said
    assert manager.headers("Deals")[1] == "Close date"
    assert "Expected close" not in manager.headers("Deals")
    again = manager.side.sync()
    assert (again.updated, again.failed) == (0, [])
    manager.edit("Deals", deals[1].id, "Close date", "2027-07-01")
    assert manager.side.sync().updated == 1
    assert get_deal(app, team["manager"], deals[1].id).expected_close == date(2027, 7, 1)


def test_the_note_at_the_top_of_the_sheet_goes_once_the_sort_is_undone(app, team, deals, manager):
    unsorted = manager.side.grid("Deals")
    manager.sort_without_ids("Deals", "Customer")
    manager.side.sync()
    assert "do not fit their IDs" in manager.top_note("Deals")
    manager.side.put("Deals", unsorted)  # Ctrl+Z
    report = manager.side.sync()
    assert (report.refused, manager.top_note("Deals"), manager.notes("Deals")) == ([], "", [])
    assert manager.side.sync().updated == 0
