"""Tabs keep their identity: a renamed tab is followed, an archived record leaves its row.

With ``deleted_rows = "archive"`` a row deleted on purpose archives its record; nothing a
manager does to a whole tab (renaming it) and nothing done elsewhere (archiving from the
CLI) may look like rows deleted, nor stop archiving for the rest of the sheet.
"""

from __future__ import annotations

import os
from decimal import Decimal

import openpyxl

from rapport.adapters.sheets.hooks import texts, where
from rapport.core.services.archive import set_archived
from rapport.core.services.deals import create_deal, get_deal, list_deals
from rapport.core.settings import SheetsSettings
from tests.adapters.sheet_sides import KEY, GoogleSide, Manager


def archiving(make_app, app, side):
    side.app = make_app(sheets=app.settings.sheets.model_copy(update={"deleted_rows": "archive"}))
    return Manager(side)


def tabs(side):
    if isinstance(side, GoogleSide):
        return list(side.standin.spreadsheets[KEY])
    return openpyxl.load_workbook(side.path).sheetnames


def test_a_renamed_tab_is_followed_and_nothing_is_archived(make_app, app, team, deals, side):
    manager = archiving(make_app, app, side)
    side.rename_tab("Deals", "Deals 2027")
    report = side.sync()
    assert (report.archived, report.restored, report.failed) == (0, 0, [])
    assert all(not get_deal(app, team["manager"], d.id).archived for d in deals)
    assert tabs(side) == ["Customers", "Deals 2027", "Summary"]  # no second Deals tab
    manager.edit("Deals 2027", deals[0].id, "Amount", 4321)
    assert side.sync().updated == 1
    assert get_deal(app, team["manager"], deals[0].id).amount == Decimal("4321.00")
    assert manager.notes("Deals 2027") == []


def test_a_deleted_tab_is_rebuilt_and_said_and_nothing_is_archived(
    make_app, app, team, deals, side
):
    manager = archiving(make_app, app, side)
    side.delete_tab("Deals")
    report = side.sync()
    assert report.archived == 0 and any("Deals" in line for line in report.failed)
    assert sorted(r["ID"] for r in manager.rows("Deals")) == sorted(d.id for d in deals)
    assert all(not get_deal(app, team["manager"], d.id).archived for d in deals)
    assert side.sync().archived == 0


def test_every_row_gone_at_once_archives_nothing_even_for_a_small_team(
    make_app, app, team, deals, side
):
    manager = archiving(make_app, app, side)
    side.put("Deals", [manager.headers("Deals")])  # the rows of a forked copy, cleared
    report = side.sync()
    assert report.archived == 0 and report.restored == len(deals)
    assert all(not get_deal(app, team["manager"], d.id).archived for d in deals)
    assert all("too many to archive" in note for note in manager.notes("Deals"))


def test_a_record_archived_elsewhere_leaves_its_row_and_archiving_still_works(
    make_app, app, team, deals, side
):
    manager = archiving(make_app, app, side)
    set_archived(app, team["manager"], "deal", deals[0].id)  # rapport archive deal N
    report = side.sync()
    assert report.archived == 0 and report.refused == []
    assert sorted(r["ID"] for r in manager.rows("Deals")) == sorted(d.id for d in deals[1:])
    assert manager.notes("Deals") == []
    manager.delete_row("Deals", deals[1].id)  # deleted on purpose: archived
    report = side.sync()
    assert report.archived == 1 and report.restored == 0
    assert get_deal(app, team["manager"], deals[1].id).archived
    assert {d.id for d in list_deals(app, team["manager"])} == {d.id for d in deals[2:]}


def test_a_tab_renamed_before_the_first_sync_of_its_mark_is_still_followed(
    make_app, app, team, deals, side
):
    """A deal added later reaches the renamed tab, not a new one."""
    side.rename_tab("Deals", "Сделки")
    side.sync()
    create_deal(app, team["ivan"], {"title": "Зета", "customer_id": deals[0].customer_id})
    assert side.sync().appended == 1
    assert "Зета" in [r["Title"] for r in Manager(side).rows("Сделки")]
    assert "Deals" not in tabs(side)


# --- 11 ------------------------------------------------------------------------------------


def test_one_metadata_read_per_cycle(app, team, standin):
    side = GoogleSide(app, standin)
    side.sync()  # lays the tabs out
    standin.requests.clear()
    side.sync()
    assert standin.metadata_reads(KEY) == 1


def test_sync_names_the_spreadsheet_it_synced(app, tmp_path):
    google = SheetsSettings(backend="google", spreadsheet_id=KEY)
    assert where(google, texts(app, "en")) == f"Google spreadsheet {KEY}"
    assert where(google, texts(app, "uk")) == f"Google-таблиця {KEY}"
    xlsx = SheetsSettings(path=tmp_path / "team.xlsx")
    assert where(xlsx, texts(app, "ru")) == str(tmp_path / "team.xlsx")


def test_a_new_workbook_follows_the_umask(app, team, tmp_path):
    from tests.adapters.sheet_sides import XlsxSide

    old = os.umask(0o022)
    try:
        XlsxSide(app, tmp_path / "rapport.xlsx").sync()
    finally:
        os.umask(old)
    assert (tmp_path / "rapport.xlsx").stat().st_mode & 0o777 == 0o644
