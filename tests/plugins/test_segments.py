import pytest

from rapport.core.domain.errors import InvalidInput, NotFound, PermissionDenied
from rapport.core.services.customers import create_customer
from rapport.core.services.fields import define_field
from rapport.plugins.contacts.segments import (
    delete_segment,
    list_segments,
    save_segment,
    segment_members,
)
from rapport.plugins.contacts.tags import set_tags


@pytest.fixture
def bank(app, admin, team, clock):
    """Five customers of a bank's north team, segmented by turnover and region."""
    define_field(
        app,
        admin,
        {
            "entity": "customer",
            "name": "turnover",
            "type": "money",
            "label": "Turnover",
            "labels": {"ru": "Оборот"},
        },
    )
    ivan = team["ivan"]
    people = {}
    for name, turnover, region, extra in [
        ("Alpha", "2 500 000", "North", {"consent": "sms, email"}),
        ("Beta", "900 000", "North", {"consent": "call"}),
        ("Gamma", "1 200 000", "South", {}),
        ("Delta", None, "North", {"birthday": "1980-05-12"}),
        ("Epsilon", "5 000 000", None, {}),
    ]:
        fields = {k: v for k, v in {"turnover": turnover, "region": region, **extra}.items() if v}
        people[name] = create_customer(
            app,
            ivan,
            {"name": name, "fields": fields, "phones": [f"+7 912 000 00 {len(people):02d}"]},
        )
    set_tags(app, ivan, people["Alpha"].id, add=["VIP"])
    set_tags(app, ivan, people["Gamma"].id, add=["vip", "exhibition 2026"])
    clock.advance(days=10)
    create_customer(
        app, ivan, {"name": "Zeta", "fields": {"turnover": 3_000_000, "region": "North"}}
    )
    return people


def members(app, actor, expression):
    return sorted(c.name for c in segment_members(app, actor, expression)[1])


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("turnover > 1 000 000 and region = North", ["Alpha", "Zeta"]),
        ("оборот > 1000000 и region = North", ["Alpha", "Zeta"]),
        ("turnover >= 900000 and turnover < 2000000", ["Beta", "Gamma"]),
        ("region = North or turnover > 4 000 000", ["Alpha", "Beta", "Delta", "Epsilon", "Zeta"]),
        ("not region = North", ["Epsilon", "Gamma"]),
        ("region != North", ["Epsilon", "Gamma"]),
        ("region in (South, West)", ["Gamma"]),
        ("turnover is empty", ["Delta"]),
        ("region is not empty and tag = vip", ["Alpha", "Gamma"]),
        ("tag = VIP and not tag = 'exhibition 2026'", ["Alpha"]),
        ("tags is empty", ["Beta", "Delta", "Epsilon", "Zeta"]),
        ("consent = sms", ["Alpha"]),
        ("consent in (call, sms)", ["Alpha", "Beta"]),
        ("birthday < 01.01.1990", ["Delta"]),
        ("created = 2026-03-12", ["Zeta"]),
        ("created < 2026-03-12 and (name ~ lph or name ~ eta)", ["Alpha", "Beta"]),
        ("phone ~ 0003", ["Delta"]),
        ("owner = 'Ivan Rep' and region = South", ["Gamma"]),
        ("kind = organisation and status = prospect and region = South", ["Gamma"]),
    ],
)
def test_segments_select_exactly_the_right_customers(app, team, bank, expression, expected):
    assert members(app, team["manager"], expression) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("turnovr > 5", "there is no field 'turnovr' (did you mean 'turnover'?)"),
        ("turnover > lots", "turnover: 'lots' is not a number"),
        ("region > North", "'>' compares numbers and dates; Region is text"),
        ("turnover ~ 5", "'~' (contains) works on text"),
        ("region = North and", "the expression ends too early"),
        ("(region = North", "this '(' is never closed"),
        ("consent = fax", "'fax' is not one of: call, sms"),
        ("owner = Nobody", "there is no user 'Nobody'"),
        ("birthday > someday", "'someday' is not a date"),
    ],
)
def test_a_bad_expression_says_what_is_wrong(app, team, bank, expression, message):
    with pytest.raises(InvalidInput) as error:
        segment_members(app, team["manager"], expression)
    assert message in str(error.value)


def test_saved_segments_are_shared_and_respect_roles(app, team, admin, bank):
    save_segment(app, team["manager"], "Big north", "turnover > 1 000 000 and region = North")
    assert [s.name for s in list_segments(app)] == ["Big north"]
    assert members(app, team["ivan"], "Big north") == ["Alpha", "Zeta"]
    assert members(app, team["sofia"], "Big north") == []  # not her customers
    assert segment_members(app, team["manager"], "Big north", limit=1)[0] == 2
    with pytest.raises(PermissionDenied):
        save_segment(app, team["ivan"], "Mine", "region = North")
    with pytest.raises(InvalidInput, match="there is no field"):
        save_segment(app, team["manager"], "Broken", "regoin = North")
    save_segment(app, admin, "Big north", "turnover > 2 000 000")
    assert members(app, team["ivan"], "Big north") == ["Alpha", "Epsilon", "Zeta"]
    delete_segment(app, admin, "Big north")
    with pytest.raises(NotFound):
        delete_segment(app, admin, "Big north")
