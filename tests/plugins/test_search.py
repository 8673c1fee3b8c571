import pytest

from rapport.core.services.customers import create_customer, merge_customers, update_customer
from rapport.plugins.contacts.search import search_customers


def names(app, actor, query):
    return [hit.customer.name for hit in search_customers(app, actor, query)]


def test_a_rep_finds_customers_however_they_type(app, team):
    ivan = team["ivan"]
    romashka = create_customer(
        app,
        ivan,
        {"name": "ООО «Ромашка»", "phones": ["+7 912 345 67 89"], "emails": ["zakaz@romashka.ru"]},
    )
    create_customer(app, ivan, {"name": "Иванов Пётр", "phones": ["+7 495 111 22 33"]})
    create_customer(
        app, ivan, {"name": "Анна Кузнецова", "kind": "person", "organisation_id": romashka.id}
    )
    create_customer(app, ivan, {"name": "Acme Trading LLC"})

    assert names(app, ivan, "иванов")[0] == "Иванов Пётр"
    assert names(app, ivan, "ivanov")[0] == "Иванов Пётр"
    assert names(app, ivan, "Ivanow")[0] == "Иванов Пётр"
    assert names(app, ivan, "ромашко")[0] == "ООО «Ромашка»"  # a typo
    assert names(app, ivan, "romashka")[:2] == ["ООО «Ромашка»", "Анна Кузнецова"]  # its people too
    assert names(app, ivan, "6789") == ["ООО «Ромашка»"]
    assert names(app, ivan, "+7 912 345") == ["ООО «Ромашка»"]
    assert names(app, ivan, "zakaz@") == ["ООО «Ромашка»"]
    assert names(app, ivan, "акме")[0] == "Acme Trading LLC"
    assert names(app, ivan, "xyzzy") == []


def test_search_shows_only_what_the_role_allows(app, team, admin):
    create_customer(app, team["ivan"], {"name": "Ромашка Север"})
    create_customer(app, team["sofia"], {"name": "Ромашка Юг"})
    assert names(app, team["ivan"], "ромашка") == ["Ромашка Север"]
    assert names(app, team["manager"], "ромашка") == ["Ромашка Север"]
    assert sorted(names(app, admin, "ромашка")) == ["Ромашка Север", "Ромашка Юг"]
    assert names(app, team["petr"], "ромашка") == []


def test_the_index_follows_changes_made_by_another_process(make_app, admin):
    here, elsewhere = make_app(), make_app()
    assert names(here, admin, "ромашка") == []
    first = create_customer(elsewhere, admin, {"name": "Ромашка"})
    second = create_customer(elsewhere, admin, {"name": "Romashka Ltd"})
    assert sorted(names(here, admin, "ромашка")) == ["Romashka Ltd", "Ромашка"]
    update_customer(elsewhere, admin, second.id, {"name": "Лютик"})
    assert names(here, admin, "лютик") == ["Лютик"]
    merge_customers(elsewhere, admin, first.id, second.id)
    assert names(here, admin, "лютик") == []


def test_find_and_card_commands_answer_in_any_adapter(app, team):
    from rapport.core.domain.errors import NotFound
    from rapport.core.extensions import CommandRequest
    from rapport.core.services.interactions import log_interaction

    ivan = team["ivan"]
    company = create_customer(
        app,
        ivan,
        {"name": "ООО «Ромашка»", "phones": ["+7 912 345 67 89"], "fields": {"region": "Поволжье"}},
    )
    log_interaction(
        app, ivan, {"customer_id": company.id, "kind": "visit", "summary": "Показали образцы"}
    )
    find = app.registry.commands["find"].handler(CommandRequest(app, ivan, "ромашка"))
    assert find.text == f"ООО «Ромашка» (#{company.id})"
    assert find.options == (
        ("ООО «Ромашка»", f"/card {company.id}"),
        ("➕ New customer «ромашка»", "/newcustomer ромашка"),  # it may be another one
    )
    card = app.registry.commands["card"].handler(CommandRequest(app, ivan, str(company.id)))
    assert "☎ +79123456789" in card.text and "Region: Поволжье" in card.text
    assert "visit: Показали образцы" in card.text and "Owner: Ivan Rep" in card.text
    with pytest.raises(NotFound):
        app.registry.commands["card"].handler(CommandRequest(app, team["sofia"], str(company.id)))
    assert (
        "Send /card and the number"
        in app.registry.commands["card"].handler(CommandRequest(app, ivan, "x")).text
    )


async def test_the_name_index_is_built_at_start_before_anyone_searches(app, team):
    from rapport.plugins.contacts.search import name_index

    create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    await app.start()
    await app.stop()  # waits for the index built in the background
    assert [e.name_key for e in name_index(app).entries.values()] != []


def test_after_a_quiet_month_a_logged_call_does_not_make_searches_read_everyone(app, team, clock):
    """The index looks again from its last look (less a few seconds' slack), not from the
    newest customer: after an import or a quiet month, calls and notes move what it
    watches without touching a customer, and each search re-read every customer."""
    from rapport.core.services.interactions import log_interaction
    from rapport.plugins.contacts.search import name_index

    ivan = team["ivan"]
    shop = create_customer(app, ivan, {"name": "Ромашка"})
    search_customers(app, ivan, "Ромашка")
    clock.advance(days=30)
    log_interaction(app, ivan, {"customer_id": shop.id, "kind": "call"})
    search_customers(app, ivan, "Ромашка")
    assert name_index(app).watermark == clock.now  # the next look reads from here on
    update_customer(app, ivan, shop.id, {"name": "Лютик"})
    assert [hit.customer.id for hit in search_customers(app, ivan, "Лютик")] == [shop.id]
