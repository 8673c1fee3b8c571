import pytest

from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.values import normalize_currency, normalize_email, normalize_phone


@pytest.mark.parametrize(
    "typed",
    ["8 (912) 345-67-89", "+7 912 345 67 89", "89123456789", "+7-912-345-67-89"],
)
def test_phone_typed_any_way_is_stored_in_e164(typed):
    assert normalize_phone(typed, "RU") == "+79123456789"


def test_local_number_is_read_in_the_teams_region():
    assert normalize_phone("050 123 4567", "UA") == "+380501234567"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("+7 999", "too short"), ("call me", "not a phone number"), ("+7 912 345 67 89 12", "")],
)
def test_bad_phone_is_refused_with_the_field_and_the_reason(typed, reason):
    with pytest.raises(InvalidInput) as error:
        normalize_phone(typed, "RU", field="phones.0")
    assert str(error.value).startswith("phones.0: ")
    assert reason in str(error.value)
    assert repr(typed) in str(error.value)


def test_email_domain_is_normalised_and_garbage_refused():
    assert normalize_email(" Anna@Example.COM ") == "Anna@example.com"
    with pytest.raises(InvalidInput, match=r"emails: 'anna@' is not an e-mail address"):
        normalize_email("anna@")


def test_currency_must_be_iso_4217():
    assert normalize_currency("rub") == "RUB"
    with pytest.raises(InvalidInput, match=r"currency: 'XYZ' is not a known ISO 4217"):
        normalize_currency("XYZ")
