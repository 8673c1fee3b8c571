from datetime import date

import pytest

from rapport.core.domain.errors import InvalidInput, NotFound
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import create_customer, merge_customers
from rapport.plugins.contacts.dates import add_date, dates_of, next_occurrence, remove_date
from rapport.plugins.contacts.segments import save_segment
from rapport.plugins.contacts.tags import set_tags
from tests.helpers import audit_entries


def test_tags_are_normalised_audited_and_refused_when_malformed(app, team):
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    assert set_tags(app, team["ivan"], customer.id, add=["  VIP ", "Key   Account"]) == [
        "key account",
        "vip",
    ]
    assert set_tags(app, team["ivan"], customer.id, remove=["vip"]) == ["key account"]
    entry = audit_entries(app, "customer", customer.id)[-1]
    assert entry.changes == {"tags": {"old": ["key account", "vip"], "new": ["key account"]}}
    with pytest.raises(InvalidInput, match="no commas"):
        set_tags(app, team["ivan"], customer.id, add=["a,b"])
    with pytest.raises(NotFound):
        set_tags(app, team["sofia"], customer.id, add=["mine"])


def test_the_card_shows_tags_segments_consent_and_dates_coming_up(app, team, clock):
    ivan = team["ivan"]
    customer = create_customer(
        app,
        ivan,
        {
            "name": "Acme",
            "fields": {"birthday": "1985-03-20", "consent": ["email"], "region": "North"},
        },
    )
    set_tags(app, ivan, customer.id, add=["vip"])
    add_date(app, ivan, customer.id, "Company anniversary", "05.03.2010")
    add_date(app, ivan, customer.id, "Contract renewal", "2026-09-01", yearly=False)
    save_segment(app, team["manager"], "North", "region = North")
    [section] = [s for s in customer_card(app, ivan, customer.id).sections if s.title == "Contact"]
    # consent is a field: every card lists it with the other fields set, under its label
    assert section.lines == (
        "Tags: vip",
        "Segments: North",
        "Coming up: Company anniversary on 2026-03-05",
        "Coming up: birthday on 2026-03-20",
    )


def test_dates_are_validated_and_removable(app, team):
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    with pytest.raises(InvalidInput, match="is not a date"):
        add_date(app, team["ivan"], customer.id, "Founded", "the spring")
    with pytest.raises(InvalidInput, match="say what the date is"):
        add_date(app, team["ivan"], customer.id, " ", "2020-01-01")
    row = add_date(app, team["ivan"], customer.id, "Founded", "2020-01-01")
    remove_date(app, team["ivan"], row.id)
    assert dates_of(app, team["ivan"], customer.id) == []
    assert [e.action for e in audit_entries(app, "customer", customer.id)][-2:] == [
        "date_added",
        "date_removed",
    ]


def test_next_occurrence_handles_leap_days_and_one_off_dates():
    assert next_occurrence(date(2000, 2, 29), True, date(2026, 2, 1)) == date(2026, 2, 28)
    assert next_occurrence(date(2000, 5, 1), True, date(2026, 6, 1)) == date(2027, 5, 1)
    assert next_occurrence(date(2026, 5, 1), False, date(2026, 6, 1)) is None


def test_merging_keeps_tags_and_dates_of_both(app, team):
    ivan = team["ivan"]
    kept = create_customer(app, ivan, {"name": "Romashka"})
    twin = create_customer(app, ivan, {"name": "Ромашка"})
    set_tags(app, ivan, kept.id, add=["vip"])
    set_tags(app, ivan, twin.id, add=["vip", "dealer"])
    add_date(app, ivan, twin.id, "Founded", "2010-03-05")
    merge_customers(app, ivan, kept.id, twin.id)
    assert set_tags(app, ivan, kept.id) == ["dealer", "vip"]
    assert [d.label for d in dates_of(app, ivan, kept.id)] == ["Founded"]
