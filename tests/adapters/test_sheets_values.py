"""Every value a manager types is read as the sheet's people write it, or refused with a note.

Numbers are read by the sheet's locale with the core's one parser, dates with its one date
parser, choices in any letter case and in the team's language; a value stored in another
form than typed is shown as stored, so the next quiet cycle reads nothing; a formula in a
data cell is refused, never its result taken.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rapport.core.services.customers import create_customer, get_customer
from rapport.core.services.deals import create_deal, get_deal, move_deal
from tests.adapters.sheet_sides import KEY, GoogleSide, Manager
from tests.helpers import audit_entries


def stage_of(app, team, deal_id):
    from rapport.core.services.pipelines import list_pipelines

    stages = {s.id: s.name for p in list_pipelines(app) for s in p.stages}
    return stages[get_deal(app, team["manager"], deal_id).stage_id]


# --- 7. numbers, dates and choices ---------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "typed", "stored"),
    [("ru_RU", "2.500", "2500.00"), ("en_US", "1,500", "1500.00"), ("ru_RU", "1 500,5", "1500.50")],
)
def test_an_amount_typed_as_text_is_read_by_the_spreadsheets_locale(
    app, team, standin, locale, typed, stored
):
    standin.locales[KEY] = locale  # an English-speaking team, a spreadsheet set to Russia
    app.settings = app.settings.model_copy(update={"language": "ru" if locale == "en_US" else "en"})
    side = GoogleSide(app, standin)
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id,
                                           "amount": 700})  # fmt: skip
    side.sync()
    manager = Manager(side)
    title, amount = ("Deals", "Amount") if locale == "ru_RU" else ("Сделки", "Сумма")
    manager.edit(title, deal.id, amount, typed, as_text=True)
    report = side.sync()
    assert report.refused == [] and report.updated == 1
    assert get_deal(app, team["manager"], deal.id).amount == Decimal(stored)


def test_an_amount_that_could_be_a_thousand_times_off_keeps_the_stored_one(app, team, standin):
    standin.locales[KEY] = "ru_RU"
    side = GoogleSide(app, standin)
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id,
                                           "amount": 700})  # fmt: skip
    side.sync()
    manager = Manager(side)
    manager.edit("Deals", deal.id, "Amount", "1,500", as_text=True)  # 1500, or 1,5 in Russia?
    report = side.sync()
    assert len(report.refused) == 1
    assert get_deal(app, team["manager"], deal.id).amount == Decimal("700.00")
    assert "1500" in manager.row("Deals", deal.id)["Rapport says"]


def test_a_close_date_is_read_like_every_other_date(app, team, deals, manager):
    manager.edit("Deals", deals[0].id, "Expected close", "15.04.2027", as_text=True)
    report = manager.side.sync()
    assert report.refused == [] and report.updated == 1
    assert get_deal(app, team["manager"], deals[0].id).expected_close == date(2027, 4, 15)
    assert manager.side.sync().updated == 0


@pytest.fixture
def russian(app, team, side):
    """A deal on the sheet of a team that works in Russian."""
    app.settings = app.settings.model_copy(update={"language": "ru"})
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id})
    side.sync()
    return deal


def test_stages_and_owners_are_read_in_any_case_and_in_the_teams_language(
    app, team, russian, manager
):
    manager.edit("Сделки", russian.id, "Этап", "демонстрация")
    manager.edit("Сделки", russian.id, "Ответственный", "petr rep")
    report = manager.side.sync()
    assert report.refused == [] and report.updated == 1
    assert stage_of(app, team, russian.id) == "Demonstration"
    assert get_deal(app, team["manager"], russian.id).owner_id == team["petr"].user_id
    row = manager.row("Сделки", russian.id)
    assert (row["Этап"], row["Ответственный"]) == ("Демонстрация", "Petr Rep")
    again = manager.side.sync()
    assert (again.updated, again.conflicts) == (0, [])


# --- 8. what was stored is what the sheet shows ----------------------------------------


def test_a_value_stored_in_another_form_is_shown_as_stored_and_read_once(app, team, deals, manager):
    manager.edit("Deals", deals[0].id, "Stage", "demonstration")
    manager.edit("Deals", deals[1].id, "Owner", "petr rep")
    assert manager.side.sync().updated == 2
    assert manager.row("Deals", deals[0].id)["Stage"] == "Demonstration"
    assert manager.row("Deals", deals[1].id)["Owner"] == "Petr Rep"
    again = manager.side.sync()
    assert (again.updated, again.conflicts) == (0, [])


@pytest.mark.parametrize("as_text", [True, False])  # Google takes digits for a number
def test_a_local_phone_is_shown_as_stored(app, team, deals, manager, as_text):
    customer = deals[0].customer_id
    manager.edit("Customers", customer, "Phones", "8 912 000 11 22", as_text=as_text)
    assert manager.side.sync().updated == 1
    assert get_customer(app, team["manager"], customer).phones == ["+79120001122"]
    assert manager.row("Customers", customer)["Phones"] == "+79120001122"
    assert manager.side.sync().updated == 0


def test_a_stage_left_blank_is_put_back_and_no_conflict_follows(app, team, deals, manager):
    manager.edit("Deals", deals[0].id, "Stage", None)
    manager.side.sync()
    assert manager.row("Deals", deals[0].id)["Stage"] == "Lead"
    move_deal(app, team["ivan"], deals[0].id, "Trial")  # the rep, in the bot
    report = manager.side.sync()
    assert report.conflicts == [] and manager.notes("Deals") == []
    assert manager.row("Deals", deals[0].id)["Stage"] == "Trial"


def test_a_stale_lower_case_stage_never_reverts_a_reps_later_move(make_app, app, team, deals, side):
    sheet_wins = make_app(sheets=app.settings.sheets.model_copy(update={"conflicts": "sheet"}))
    side.app = sheet_wins
    manager = Manager(side)
    move_deal(app, team["ivan"], deals[0].id, "Trial")
    side.sync()
    manager.edit("Deals", deals[0].id, "Stage", "lead")  # the manager moves it back
    side.sync()
    assert stage_of(app, team, deals[0].id) == "Lead"
    move_deal(app, team["ivan"], deals[0].id, "Demonstration")  # later, the rep moves it on
    report = side.sync()
    assert report.conflicts == []
    assert stage_of(app, team, deals[0].id) == "Demonstration"
    assert manager.row("Deals", deals[0].id)["Stage"] == "Demonstration"


def test_a_conflict_note_stays_until_the_manager_clears_it(app, team, deals, manager):
    from rapport.core.services.deals import update_deal

    manager.edit("Deals", deals[0].id, "Amount", 1800)
    update_deal(app, team["ivan"], deals[0].id, {"amount": 2000})
    assert len(manager.side.sync().conflicts) == 1
    [note] = manager.notes("Deals")
    assert "1800.00" in note
    again = manager.side.sync()
    assert (again.conflicts, again.updated) == ([], 0)
    assert manager.notes("Deals") == [note]  # nothing was resolved: the note stays
    manager.edit("Deals", deals[0].id, "Rapport says", None)  # read, and dismissed
    manager.side.sync()
    assert manager.notes("Deals") == []
    assert manager.side.sync().updated == 0


# --- 9. formulas ---------------------------------------------------------------------------


def test_a_formula_in_a_data_cell_is_refused_and_the_stored_value_put_back(
    app, team, deals, manager
):
    deal = deals[0]
    manager.edit("Deals", deal.id, "Title", '=HYPERLINK("http://example.com";"y")')
    manager.edit("Deals", deal.id, "Amount", "=1000*2")
    report = manager.side.sync()
    assert report.updated == 0 and len(report.refused) == 1
    stored = get_deal(app, team["manager"], deal.id)
    assert (stored.title, stored.amount) == ("Альфа", Decimal("1000.00"))
    row = manager.row("Deals", deal.id)
    assert row["Title"] == "Альфа" and float(row["Amount"]) == 1000
    note = row["Rapport says"]
    assert "Title" in note and "Amount" in note and "formula" in note
    assert [e.action for e in audit_entries(app, "deal", deal.id)] == ["create"]


def test_the_managers_own_columns_keep_their_formulas(app, team, deals, manager):
    grid = manager.side.grid("Deals")
    grid[0].append("Doubled")
    grid[1] += [None] * (len(grid[0]) - 1 - len(grid[1])) + [manager.side.typed("=2*2")]
    manager.side.put("Deals", grid)
    manager.edit("Deals", deals[1].id, "Amount", 1234)
    manager.side.sync()
    assert get_deal(app, team["manager"], deals[1].id).amount == Decimal("1234.00")
    doubled = manager.side.grid("Deals")[1][len(grid[0]) - 1]
    assert str(doubled) == "=2*2"
    assert manager.notes("Deals") == []


# --- 10. duplicates --------------------------------------------------------------------


def test_a_new_customer_row_like_a_stored_customer_is_added_with_a_word(app, team, deals, manager):
    from rapport.core.domain.actor import Actor
    from rapport.core.services.customers import list_customers, update_customer

    stored = deals[0].customer_id
    update_customer(app, team["ivan"], stored, {"phones": ["+7 912 345 67 89"]})
    manager.side.sync()
    manager.add_row("Customers", {"Name": "Ромашка, склад", "Phones": "8 912 345 67 89"})
    report = manager.side.sync()
    assert report.created == 1
    [warned] = report.warnings
    assert f"#{stored} ООО Ромашка" in warned
    [row] = [r for r in manager.rows("Customers") if r["Name"] == "Ромашка, склад"]
    assert f"#{stored} ООО Ромашка" in row["Rapport says"] and "+79123456789" in row["Rapport says"]
    assert manager.side.sync().warnings == []  # said once, and the note stays until cleared
    assert manager.notes("Customers") == [row["Rapport says"]]
    names = [c.name for c in list_customers(app, Actor.system(), limit=100)]
    assert names.count("Ромашка, склад") == 1


def test_notes_are_written_in_the_teams_language(app, team, russian, manager):
    manager.edit("Сделки", russian.id, "Сумма", "=1000*2")
    manager.edit("Сделки", russian.id, "Ответственный", "Nobody")
    manager.side.sync()
    note = manager.row("Сделки", russian.id)["Rapport сообщает"]
    assert "«Сумма»: формула не принимается как значение" in note
    assert "Не сохранено: Ответственный: 'Nobody' — не пользователь" in note
