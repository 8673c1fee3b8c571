import pytest
from pydantic import ValidationError

from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.fields import FieldSpec


def spec(type_, **extra):
    return FieldSpec(entity="customer", name="value", type=type_, label="Value", **extra)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1 000 000", 1000000), ("1\u00a0000,50", 1000.5), ("1,000.50", 1000.5), (42, 42)],
)
def test_numbers_read_as_russian_and_english_sheets_write_them(typed, stored):
    assert spec(FieldType.NUMBER).coerce(typed) == stored


def test_money_is_rounded_to_cents():
    assert spec(FieldType.MONEY).coerce("10,0051") == 10.01  # "10,005" could be ten thousand


@pytest.mark.parametrize("typed", ["31.03.2026", "2026-03-31", "31/03/2026"])
def test_dates_in_the_usual_forms(typed):
    assert spec(FieldType.DATE).coerce(typed) == "2026-03-31"


def test_impossible_date_says_how_to_write_one():
    with pytest.raises(InvalidInput, match=r"value: '31\.02\.2026' is not a date \(write it as"):
        spec(FieldType.DATE).coerce("31.02.2026")


def test_choice_matches_regardless_of_case_and_lists_the_options():
    field = spec(FieldType.CHOICE, choices=("North", "South"))
    assert field.coerce("north") == "North"
    with pytest.raises(InvalidInput, match=r"'West' is not one of: North, South"):
        field.coerce("West")


def test_multi_choice_from_a_comma_separated_cell():
    field = spec(FieldType.MULTI_CHOICE, choices=("sms", "email", "call"))
    assert field.coerce("Call, sms") == ["sms", "call"]


@pytest.mark.parametrize(("typed", "stored"), [("да", True), ("нет", False), ("yes", True)])
def test_boolean_in_russian_and_english(typed, stored):
    assert spec(FieldType.BOOLEAN).coerce(typed) is stored


def test_required_field_cannot_be_cleared():
    with pytest.raises(InvalidInput, match=r"value: is required"):
        spec(FieldType.TEXT, required=True).coerce("  ")


def test_plugin_validator_refuses_with_its_reason():
    field = spec(FieldType.NUMBER, validator=lambda v: "must be positive" if v <= 0 else None)
    with pytest.raises(InvalidInput, match=r"value: must be positive"):
        field.coerce("-5")


def test_a_declaration_that_cannot_work_is_refused_at_start():
    with pytest.raises(ValidationError, match=r"needs a list of choices"):
        spec(FieldType.CHOICE)
    with pytest.raises(ValidationError, match=r"lower-case letters"):
        FieldSpec(entity="customer", name="Turn over", type=FieldType.TEXT, label="x")
