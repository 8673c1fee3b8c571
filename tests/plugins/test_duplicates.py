import pytest

from rapport.core.services.customers import create_customer
from rapport.plugins.contacts.duplicates import PossibleDuplicates, add_customer, find_duplicates
from tests.helpers import count_customers


def test_a_shared_phone_is_caught_before_saving(app, team):
    ivan = team["ivan"]
    stored = create_customer(app, ivan, {"name": "Анна Кузнецова", "phones": ["+7 912 345 67 89"]})
    with pytest.raises(PossibleDuplicates) as error:
        add_customer(app, ivan, {"name": "Аня", "kind": "person", "phones": ["8 (912) 345-67-89"]})
    [duplicate] = error.value.duplicates
    assert duplicate.customer_id == stored.id and [str(r) for r in duplicate.reasons] == [
        "same phone +79123456789"
    ]
    assert f"#{stored.id} Анна Кузнецова (same phone +79123456789, owned by Ivan Rep)" in str(
        error.value
    )
    assert count_customers(app) == 1
    add_customer(
        app,
        ivan,
        {"name": "Аня", "kind": "person", "phones": ["8 912 345 67 89"]},
        allow_duplicates=True,
    )
    assert count_customers(app) == 2


def test_a_duplicate_the_rep_cannot_open_is_named_by_owner_only(app, team):
    create_customer(app, team["sofia"], {"name": "Secret Client", "emails": ["boss@client.ru"]})
    [duplicate] = find_duplicates(app, team["ivan"], {"name": "Boss", "emails": ["BOSS@client.ru"]})
    assert not duplicate.visible
    assert "a customer you cannot open" in duplicate.describe()
    assert "Secret Client" not in duplicate.describe() and "Sofia Rep" in duplicate.describe()


def test_similar_names_inside_one_organisation_and_among_organisations(app, team):
    ivan = team["ivan"]
    company = create_customer(app, ivan, {"name": "ООО «Ромашка»"})
    create_customer(
        app, ivan, {"name": "Кузнецова Анна", "kind": "person", "organisation_id": company.id}
    )
    [person] = find_duplicates(
        app, ivan, {"name": "Анна Кузнецова", "kind": "person", "organisation_id": company.id}
    )
    assert str(person.reasons[0]).startswith("similar name")
    [organisation] = find_duplicates(app, ivan, {"name": "Romashka LLC"})
    assert organisation.customer_id == company.id
    assert find_duplicates(app, ivan, {"name": "Лютик"}) == []
    assert find_duplicates(app, ivan, {"name": "Анна Кузнецова", "kind": "person"}) == []


def test_a_duplicate_is_described_in_the_readers_language(app, team):
    create_customer(app, team["sofia"], {"name": "Secret Client", "emails": ["boss@client.ru"]})
    [duplicate] = find_duplicates(app, team["ivan"], {"name": "Boss", "emails": ["boss@client.ru"]})
    assert duplicate.describe("ru") == (
        "#1 клиент, которого вам не открыть (тот же e-mail boss@client.ru, ответственный Sofia Rep)"
    )
