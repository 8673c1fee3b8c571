"""A manager's week with the .xlsx workbook: edits come in, bad ones are refused, nothing is lost."""

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from rapport.adapters.sheets.backends.xlsx import XlsxBook
from rapport.adapters.sheets.engine import sync
from rapport.core.services.customers import (
    create_customer,
    create_customers,
    get_customer,
    list_customers,
)
from rapport.core.services.deals import create_deal, get_deal, list_deals, update_deal
from tests.helpers import audit_entries


class Manager:
    """Edits the workbook between syncs, as a person in Excel would."""

    def __init__(self, path):
        self.path = path

    def sheet(self, book, title):
        return book[title]

    def column(self, sheet, header):
        return next(c.column for c in sheet[1] if c.value == header)

    def row_of(self, sheet, record_id):
        id_col = self.column(sheet, "ID")
        return next(
            r for r in range(2, sheet.max_row + 1) if sheet.cell(r, id_col).value == record_id
        )

    def edit(self, title, record_id, header, value):
        book = openpyxl.load_workbook(self.path)
        sheet = book[title]
        sheet.cell(self.row_of(sheet, record_id), self.column(sheet, header)).value = value
        book.save(self.path)

    def read(self, title, record_id, header):
        sheet = openpyxl.load_workbook(self.path)[title]
        return sheet.cell(self.row_of(sheet, record_id), self.column(sheet, header)).value

    def add_row(self, title, values):
        book = openpyxl.load_workbook(self.path)
        sheet = book[title]
        row = sheet.max_row + 1
        for header, value in values.items():
            sheet.cell(row, self.column(sheet, header)).value = value
        book.save(self.path)
        return row

    def delete_row(self, title, record_id):
        book = openpyxl.load_workbook(self.path)
        sheet = book[title]
        sheet.delete_rows(self.row_of(sheet, record_id))
        book.save(self.path)


@pytest.fixture
def workbook(tmp_path):
    return tmp_path / "rapport.xlsx"


@pytest.fixture
def week(app, team, workbook):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "ООО Ромашка", "phones": ["+7 912 345 67 89"]})
    deal = create_deal(app, ivan, {"title": "Поставка", "customer_id": customer.id, "amount": 1500})
    report = sync(app, XlsxBook(workbook))
    assert report.appended == 2
    return customer, deal, Manager(workbook)


def cycle(app, workbook):
    return sync(app, XlsxBook(workbook))


def test_the_first_sync_lays_out_sheets_a_manager_understands(app, week, workbook):
    customer, deal, manager = week
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Customers", "Deals", "Summary"]
    deals = book["Deals"]
    headers = [c.value for c in deals[1]]
    assert headers[:9] == [
        "ID",
        "Title",
        "Customer",
        "Stage",
        "Amount",
        "Currency",
        "Owner",
        "Expected close",
        "Lost reason",
    ]
    assert headers[-1] == "Rapport says" and "Discount, %" in headers
    assert deals.freeze_panes == "B2" and deals.column_dimensions["A"].hidden
    assert manager.read("Deals", deal.id, "Amount") == 1500
    assert manager.read("Customers", customer.id, "Phones") == "+79123456789"
    assert cycle(app, workbook).appended == 0  # nothing changed, nothing written
    assert workbook.stat().st_mode & 0o044 == 0o044  # colleagues on a shared folder can read it


def test_a_managers_edits_come_back_through_the_service_layer(app, team, week, workbook):
    customer, deal, manager = week
    manager.edit("Deals", deal.id, "Stage", "Demonstration")
    manager.edit("Deals", deal.id, "Amount", "2 500,50")
    manager.edit("Customers", customer.id, "Owner", "Petr Rep")
    report = cycle(app, workbook)
    assert report.updated == 2 and not report.refused
    changed = get_deal(app, team["manager"], deal.id)
    assert changed.amount == Decimal("2500.50")
    assert get_customer(app, team["manager"], customer.id).owner_id == team["petr"].user_id
    assert {e.channel for e in audit_entries(app, "deal", deal.id)[1:]} == {"sheet"}
    assert (
        manager.read("Deals", deal.id, "Amount") == "2 500,50"
    )  # the manager's text stays as typed
    assert cycle(app, workbook).updated == 0


def test_a_new_row_becomes_a_record_and_gets_its_id(app, team, week, workbook):
    _, _, manager = week
    manager.add_row(
        "Customers", {"Name": "Новый клиент", "Phones": "8 912 000 11 22", "Owner": "Ivan Rep"}
    )
    report = cycle(app, workbook)
    assert report.created == 1
    created = next(c for c in list_customers(app, team["manager"]) if c.name == "Новый клиент")
    assert created.phones == ["+79120001122"] and created.owner_id == team["ivan"].user_id
    assert manager.read("Customers", created.id, "Name") == "Новый клиент"


def test_bad_edits_are_refused_marked_and_cleared_once_fixed(app, team, week, workbook):
    _, deal, manager = week
    manager.edit("Deals", deal.id, "Amount", "lots")
    manager.add_row("Customers", {"Name": "X", "Phones": "+7 999"})
    report = cycle(app, workbook)
    assert len(report.refused) == 2
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("1500.00")
    assert (
        manager.read("Deals", deal.id, "Rapport says")
        == "Not saved: Amount: 'lots' is not a number"
    )
    manager.edit("Deals", deal.id, "Amount", "1700")
    cycle(app, workbook)
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("1700.00")
    assert manager.read("Deals", deal.id, "Rapport says") is None


def test_an_unknown_stage_and_a_forged_id_are_refused(app, team, week, workbook):
    _, deal, manager = week
    manager.edit("Deals", deal.id, "Stage", "Signed")
    manager.add_row("Deals", {"ID": 999, "Title": "Forged"})
    cycle(app, workbook)
    assert "'Signed' is not a stage of pipeline 'Sales'" in manager.read(
        "Deals", deal.id, "Rapport says"
    )
    assert "Unknown ID 999" in manager.read("Deals", 999, "Rapport says")
    assert get_deal(app, team["manager"], deal.id).stage_id == deal.stage_id


def test_a_deleted_row_is_restored_not_the_record_deleted(app, team, week, workbook):
    customer, _, manager = week
    manager.delete_row("Customers", customer.id)
    report = cycle(app, workbook)
    assert report.restored == 1
    assert manager.read("Customers", customer.id, "Name") == "ООО Ромашка"
    assert "Restored" in manager.read("Customers", customer.id, "Rapport says")
    assert get_customer(app, team["manager"], customer.id).archived is False


def test_the_same_field_edited_in_the_bot_and_the_sheet_keeps_both_values(
    app, team, week, workbook
):
    _, deal, manager = week
    manager.edit("Deals", deal.id, "Amount", 1800)
    update_deal(app, team["ivan"], deal.id, {"amount": 2000})  # the rep, in the bot, meanwhile
    report = cycle(app, workbook)
    assert report.conflicts == [
        f"Deals #{deal.id}, «Amount»: «1800.00» gave way to «2000.00» (kept in the history)"
    ]
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("2000.00")
    assert manager.read("Deals", deal.id, "Amount") == 2000
    assert "your Amount «1800.00» was not applied" in manager.read("Deals", deal.id, "Rapport says")
    [kept] = [e for e in audit_entries(app, "deal", deal.id) if e.action == "sheet_conflict"]
    assert kept.changes == {"amount": {"sheet": "1800.00", "kept": "2000.00"}}


def test_the_sheet_can_be_set_to_win_conflicts_and_the_database_value_is_kept(
    make_app, app, team, week, workbook
):
    _, deal, manager = week
    sheet_wins = make_app(sheets=app.settings.sheets.model_copy(update={"conflicts": "sheet"}))
    manager.edit("Deals", deal.id, "Amount", 1800)
    update_deal(app, team["ivan"], deal.id, {"amount": 2000})
    report = sync(sheet_wins, XlsxBook(workbook))
    assert report.conflicts == [
        f"Deals #{deal.id}, «Amount»: «2000.00» gave way to «1800.00» (kept in the history)"
    ]
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("1800.00")
    assert "your edit replaced Amount «2000.00»" in manager.read("Deals", deal.id, "Rapport says")
    [kept] = [e for e in audit_entries(app, "deal", deal.id) if e.action == "sheet_conflict"]
    assert kept.changes == {"amount": {"database": "2000.00", "kept": "1800.00"}}


def test_columns_are_found_by_header_and_the_managers_own_columns_stay(app, team, week, workbook):
    _, deal, _ = week
    book = openpyxl.load_workbook(workbook)
    sheet = book["Deals"]
    sheet.insert_cols(2)  # the manager's own column, before everything
    sheet.cell(1, 2).value = "My notes"
    sheet.cell(2, 2).value = "call Monday"
    book.save(workbook)
    manager = Manager(workbook)
    manager.edit("Deals", deal.id, "Title", "Поставка (большая)")
    cycle(app, workbook)
    assert get_deal(app, team["manager"], deal.id).title == "Поставка (большая)"
    assert manager.read("Deals", deal.id, "My notes") == "call Monday"


def test_user_text_never_becomes_a_formula(app, team, workbook):
    create_customer(
        app, team["ivan"], {"name": '=HYPERLINK("http://evil","click")', "address": "@home"}
    )
    sync(app, XlsxBook(workbook))
    sheet = openpyxl.load_workbook(workbook)["Customers"]
    cells = [
        c
        for row in sheet.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=@"
    ]
    assert cells and all(c.data_type == "s" for c in cells)


class DiesWhileWriting(XlsxBook):
    def flush(self):
        raise ConnectionError("the disk went away")


def test_a_sync_cut_short_is_completed_by_the_next_one(app, team, week, workbook):
    _, deal, manager = week
    manager.edit("Deals", deal.id, "Amount", 1900)
    with pytest.raises(ConnectionError):
        sync(app, DiesWhileWriting(workbook))  # the edit reached the database, not the file
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("1900.00")
    report = cycle(app, workbook)
    assert report.conflicts == [] and report.updated == 0
    assert [e.action for e in audit_entries(app, "deal", deal.id)].count("update") == 1
    assert manager.read("Deals", deal.id, "Rapport says") is None


def test_a_read_only_summary_holds_plan_vs_fact_and_the_funnel(app, team, week, workbook):
    from rapport.core.extensions import CommandRequest
    from rapport.plugins.sales.plans import set_plan

    set_plan(app, team["manager"], f"{app.clock():%Y-%m}", "amount", 10_000)
    cycle(app, workbook)
    sheet = openpyxl.load_workbook(workbook)["Summary"]
    column_a = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    assert column_a[0].startswith("Plan vs fact") and "Funnel" in column_a and "Lead" in column_a
    sheet.cell(1, 1).value = "scribbled over"  # read-only: put back on the next cycle
    book = sheet.parent
    book.save(workbook)
    reply = app.registry.commands["sync"].handler(CommandRequest(app, team["manager"], ""))
    assert reply.text.startswith("Synced: 0 added, 0 updated from the sheet")
    assert openpyxl.load_workbook(workbook)["Summary"].cell(1, 1).value.startswith("Plan vs fact")
    assert app.registry.commands["sync"].roles == frozenset(
        {team["manager"].role, team["manager"].role.ADMIN}
    )


def test_a_new_deal_row_names_its_customer(app, team, week, workbook):
    customer, _, manager = week
    manager.add_row(
        "Deals", {"Title": "Сервис", "Customer": "ооо ромашка", "Amount": 300, "Owner": "Ivan Rep"}
    )
    manager.add_row("Deals", {"Title": "Orphan", "Customer": "Nobody Ltd"})
    report = cycle(app, workbook)
    assert report.created == 1
    [refused] = report.refused
    assert (
        "Customer: 'Nobody Ltd' is not a customer: use the name on the Customers sheet" in refused
    )
    [service] = [d for d in list_deals(app, team["manager"]) if d.title == "Сервис"]
    assert service.customer_id == customer.id and service.amount == Decimal("300.00")


def test_amounts_and_dates_are_numbers_and_dates_a_manager_can_sum_and_sort(
    app, team, week, workbook
):
    _, deal, manager = week
    update_deal(app, team["ivan"], deal.id, {"expected_close": "2026-12-31"})
    cycle(app, workbook)
    sheet = openpyxl.load_workbook(workbook)["Deals"]
    row = manager.row_of(sheet, deal.id)
    amount = sheet.cell(row, manager.column(sheet, "Amount"))
    close = sheet.cell(row, manager.column(sheet, "Expected close"))
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"
    assert close.is_date and close.number_format == "yyyy-mm-dd"
    assert close.value.date() == date(2026, 12, 31)
    manager.edit("Deals", deal.id, "Expected close", datetime(2027, 1, 15))  # Excel's date picker
    assert cycle(app, workbook).updated == 1
    assert get_deal(app, team["manager"], deal.id).expected_close == date(2027, 1, 15)


def archiving_app(make_app, app):
    return make_app(sheets=app.settings.sheets.model_copy(update={"deleted_rows": "archive"}))


def test_with_the_archive_setting_a_deleted_row_archives_its_record(
    make_app, app, team, week, workbook
):
    customer, deal, manager = week
    archiving = archiving_app(make_app, app)
    manager.delete_row("Deals", deal.id)
    report = sync(archiving, XlsxBook(workbook))
    assert report.archived == 1 and report.restored == 0
    assert get_deal(app, team["manager"], deal.id).archived is True
    assert deal.id not in [d.id for d in list_deals(app, team["manager"])]
    [archived] = [e for e in audit_entries(app, "deal", deal.id) if "archived" in e.changes]
    assert archived.channel == "sheet" and archived.changes["archived"] == {
        "old": False,
        "new": True,
    }
    assert sync(archiving, XlsxBook(workbook)).restored == 0  # it stays out of the sheet
    assert get_customer(app, team["manager"], customer.id).archived is False


def test_archiving_holds_back_when_a_deletion_looks_like_an_accident(
    make_app, app, team, week, workbook
):
    customer, _, manager = week
    archiving = archiving_app(make_app, app)
    manager.edit("Customers", customer.id, "ID", 4242)  # which record went missing? unclear
    report = sync(archiving, XlsxBook(workbook))
    assert report.archived == 0 and report.restored == 1
    create_customers(app, team["ivan"], [{"name": f"Shop {n}"} for n in range(30)])
    manager = Manager(workbook)
    sync(archiving, XlsxBook(workbook))
    book = openpyxl.load_workbook(workbook)
    book["Customers"].delete_rows(2, 29)  # most of the sheet gone at once
    book.save(workbook)
    report = sync(archiving, XlsxBook(workbook))
    assert report.archived == 0 and report.restored >= 28
    assert all(not c.archived for c in list_customers(app, team["manager"]))
    notes = [
        r[-1] for r in openpyxl.load_workbook(workbook)["Customers"].iter_rows(values_only=True)
    ]
    assert any(n and "too many to archive" in n for n in notes)


def test_the_loyalty_segment_is_a_dropdown_and_a_pick_overrides_the_rules(
    app, team, week, workbook
):
    from rapport.plugins.loyalty.service import profile_of, recalculate

    customer, _, manager = week
    recalculate(app)
    cycle(app, workbook)
    assert manager.read("Customers", customer.id, "Segment") == "not_enough_data"
    sheet = openpyxl.load_workbook(workbook)["Customers"]
    letter = get_column_letter(manager.column(sheet, "Segment"))
    [rule] = [v for v in sheet.data_validations.dataValidation if letter in str(v.sqref)]
    assert rule.formula1 == '"lowest_price,novelty_seeker,belonging,stability"'
    manager.edit("Customers", customer.id, "Segment", "belonging")
    assert cycle(app, workbook).updated == 1
    assert profile_of(app, team["manager"], customer.id).segment == "belonging"
    [override] = [e for e in audit_entries(app, "customer", customer.id)
                  if e.action == "segment_override"]  # fmt: skip
    assert override.channel == "sheet"
    manager.edit("Customers", customer.id, "Segment", "loyal forever")
    cycle(app, workbook)
    assert "'loyal forever' is not one of" in manager.read("Customers", customer.id, "Rapport says")
    assert profile_of(app, team["manager"], customer.id).segment == "belonging"


def test_plugins_columns_appear_without_adapter_changes(app, team, week, workbook):
    from rapport.plugins.tasks.services import create_task

    customer, deal, manager = week
    create_task(app, team["ivan"], {"title": "Call back", "deal_id": deal.id,
                                    "due": "2026-03-04 10:00"})  # fmt: skip
    cycle(app, workbook)
    assert manager.read("Deals", deal.id, "Next task") == "2026-03-04 10:00 Call back"
    assert manager.read("Customers", customer.id, "Next task") == "2026-03-04 10:00 Call back"
    manager.edit("Deals", deal.id, "Next task", "scribbled")  # read-only: put back
    cycle(app, workbook)
    assert manager.read("Deals", deal.id, "Next task") == "2026-03-04 10:00 Call back"


def test_a_renamed_customer_is_renamed_on_its_deals_rows(app, team, week, workbook):
    from rapport.core.services.customers import update_customer

    customer, deal, manager = week
    update_customer(app, team["ivan"], customer.id, {"name": "ООО Лютик"})
    cycle(app, workbook)
    assert manager.read("Deals", deal.id, "Customer") == "ООО Лютик"


SHEET = {"en": ("Deals", "Amount", "Rapport says"), "ru": ("Сделки", "Сумма", "Rapport сообщает")}


def team_writing(app, team, workbook, language):
    """A deal in the workbook of a team whose sheet is in ``language``."""
    app.settings = app.settings.model_copy(update={"language": language})
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id,
                                           "amount": 1500})  # fmt: skip
    sync(app, XlsxBook(workbook))
    return deal, Manager(workbook), SHEET[language]


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [("ru", "45.000", "45000"), ("en", "7,500", "7500"), ("ru", "1,250,000", "1250000"),
     ("ru", "2 500,50", "2500.50")],
)  # fmt: skip
def test_an_amount_typed_in_the_sheet_is_read_as_the_team_writes_it(
    app, team, workbook, language, typed, stored
):
    deal, manager, (title, amount, _) = team_writing(app, team, workbook, language)
    manager.edit(title, deal.id, amount, typed)
    report = cycle(app, workbook)
    assert report.updated == 1 and not report.refused
    assert get_deal(app, team["manager"], deal.id).amount == Decimal(stored)


def test_an_amount_that_could_be_a_thousand_times_off_is_refused_in_the_sheet(app, team, workbook):
    deal, manager, (title, amount, says) = team_writing(app, team, workbook, "ru")
    manager.edit(title, deal.id, amount, "7,500")  # 7500, or 7,5 with a Russian comma?
    report = cycle(app, workbook)
    assert len(report.refused) == 1
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("1500.00")
    assert "7500 или 7,5" in manager.read(title, deal.id, says)
