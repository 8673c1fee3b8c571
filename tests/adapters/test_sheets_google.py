"""The Google backend, through the real gspread client, against a local Sheets API stand-in."""

from datetime import date
from decimal import Decimal

import gspread
import pytest

from rapport.adapters.sheets.backends.google import GoogleBook, SheetsUnavailable
from rapport.adapters.sheets.engine import sync
from rapport.core.services.customers import create_customer, create_customers
from rapport.core.services.deals import create_deal, get_deal, update_deal
from tests.adapters.sheets_standin import Formula, Standin

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz"


@pytest.fixture
def google():
    standin = Standin()
    standin.add(KEY)
    yield standin
    standin.close()


def book(standin, **options):
    client = gspread.Client(auth=None, session=standin.session())
    naps = options.pop("naps", [])
    return GoogleBook(client, KEY, sleep=naps.append, **options)


def calls(standin, suffix):
    return sum(1 for _, path in standin.requests if path.endswith(suffix))


@pytest.fixture
def synced(app, team, google):
    ivan = team["ivan"]
    customer = create_customer(
        app,
        ivan,
        {
            "name": "ООО Ромашка",
            "phones": ["+7 912 345 67 89"],
            "address": '=HYPERLINK("http://evil","x")',
        },
    )
    deal = create_deal(app, ivan, {"title": "Поставка", "customer_id": customer.id, "amount": 1500})
    sync(app, book(google))
    return customer, deal


def test_the_sheet_is_laid_out_and_user_text_stays_text(app, google, synced):
    customer, _ = synced
    sheet = google.sheet(KEY, "Deals")
    assert sheet.properties["frozenRowCount"] == 1
    [marked] = sheet.rules  # rows with something in "Rapport says" are coloured
    assert marked["ranges"][0]["startColumnIndex"] == google.column(sheet, "Rapport says")
    assert marked["booleanRule"]["condition"] == {"type": "NOT_BLANK"}
    assert google.read(KEY, "Customers", customer.id, "Phones") == "+79123456789"
    address = google.read(KEY, "Customers", customer.id, "Address")
    assert address == '=HYPERLINK("http://evil","x")' and not isinstance(address, Formula)
    # The stand-in would have made it a formula, had it been written as USER_ENTERED:
    raw = gspread.Client(auth=None, session=google.session()).open_by_key(KEY)
    raw.values_batch_update(
        {
            "valueInputOption": "USER_ENTERED",
            "data": [{"range": "'Deals'!U2", "values": [["=1+1"]]}],
        }
    )
    assert isinstance(google.sheet(KEY, "Deals").cells[(1, 20)], Formula)


def test_one_read_and_one_write_per_cycle_however_many_rows(app, team, google, synced):
    create_customers(app, team["ivan"], [{"name": f"Customer {n}"} for n in range(1200)])
    sync(app, book(google))  # 1200 new rows: the grid grows past its 1000 rows
    google.requests.clear()
    _, deal = synced
    google.edit(KEY, "Deals", deal.id, "Amount", "2500")  # the manager, in the browser
    update_deal(app, team["ivan"], deal.id, {"title": "Поставка-2"})  # the rep, in the bot
    report = sync(app, book(google))
    assert report.updated == 1
    assert calls(google, "values:batchGet") == 1 and calls(google, "values:batchUpdate") == 1
    assert google.read(KEY, "Deals", deal.id, "Title") == "Поставка-2"
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("2500.00")


def test_quota_errors_and_dropped_connections_are_waited_out(app, team, google, synced):
    _, deal = synced
    google.edit(KEY, "Deals", deal.id, "Stage", "Demonstration")
    google.failures += [429, 500, "drop"]
    naps = []
    report = sync(app, book(google, naps=naps))
    assert report.updated == 1 and len(naps) == 3 and all(0 < nap <= 32 for nap in naps)


def test_a_sync_that_cannot_reach_google_says_so_and_the_next_one_completes(
    app, team, google, synced
):
    _, deal = synced
    google.edit(KEY, "Deals", deal.id, "Amount", "1800")
    google.failures += [503] * 3
    with pytest.raises(
        SheetsUnavailable, match="Google answered 503 3 times; the next sync will try again"
    ):
        sync(app, book(google, attempts=3))
    report = sync(app, book(google))
    assert report.updated == 1 and report.conflicts == []
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("1800.00")


def test_a_missing_spreadsheet_is_a_clear_error(google):
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        GoogleBook(
            gspread.Client(auth=None, session=google.session()), "nope", sleep=lambda _: None
        )


def test_amounts_and_dates_are_typed_and_formatted_and_typed_edits_come_back(
    app, team, google, synced
):
    _, deal = synced
    update_deal(app, team["ivan"], deal.id, {"expected_close": "2026-12-31"})
    sync(app, book(google))
    sheet = google.sheet(KEY, "Deals")
    amount_col = google.column(sheet, "Amount")
    assert sheet.cells[(google.row_of(sheet, deal.id), amount_col)] == 1500.0  # a number
    assert google.read(KEY, "Deals", deal.id, "Amount") == "1,500.00"
    assert google.read(KEY, "Deals", deal.id, "Expected close") == "2026-12-31"
    google.edit(KEY, "Deals", deal.id, "Expected close", "2027-01-15")
    google.edit(KEY, "Deals", deal.id, "Amount", "1750.5")
    google.requests.clear()
    assert sync(app, book(google)).updated == 1
    changed = get_deal(app, team["manager"], deal.id)
    assert changed.expected_close == date(2027, 1, 15) and changed.amount == Decimal("1750.50")
    assert calls(google, "values:batchUpdate") <= 1  # nothing to rewrite but the edits' echoes


def test_a_write_whose_answer_is_lost_after_google_applied_it_is_not_done_twice(
    app, team, google, synced
):
    """Google wrote the cells, then the connection dropped before its answer: the sync
    cannot know, so it says so; the next one finds the sheet already right, creates
    nothing twice and keeps the rep's change."""
    _customer, deal = synced
    update_deal(app, team["ivan"], deal.id, {"amount": 7777})  # the rep, in the bot
    google.edit(KEY, "Deals", deal.id, "Title", "Поставка Q2")  # the manager, meanwhile
    google.fail("values:batchUpdate", "lost")
    with pytest.raises(SheetsUnavailable):
        sync(app, book(google, attempts=1))
    report = sync(app, book(google))
    assert report.conflicts == [] and report.created == 0
    stored = get_deal(app, team["manager"], deal.id)
    assert stored.amount == Decimal("7777.00") and stored.title == "Поставка Q2"
    assert google.read(KEY, "Deals", deal.id, "Amount") == "7,777.00"  # as formatted
    again = sync(app, book(google))
    assert (again.created, again.updated) == (0, 0)
