"""Amounts as Russian, Ukrainian and English people type them: grouping separators are
never read as a decimal point, and what could be either is asked back, never guessed."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from rapport.core.domain.commands import NewDeal, parse_command
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.numbers import parse_decimal
from rapport.core.i18n import translate
from rapport.core.words import money


@pytest.mark.parametrize("language", ["ru", "uk", "en", None])
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("1,250,000", "1250000"),
        ("1.250.000", "1250000"),
        ("1 250 000", "1250000"),
        ("1\u00a0250\u00a0000", "1250000"),
        ("1\u202f250", "1250"),
        ("1'250'000", "1250000"),
        ("1’250", "1250"),
        ("1 000,50", "1000.50"),
        ("1\u00a0000.50", "1000.50"),
        ("1,000.50", "1000.50"),
        ("1.000,50", "1000.50"),
        ("7,5", "7.5"),
        ("7.50", "7.50"),
        ("0,500", "0.500"),
        ("1234.567", "1234.567"),
        ("150000", "150000"),
        ("-1 500", "-1500"),
        ("7 500 ₽", "7500"),
        ("$1,250.00", "1250"),
        (" 45 000 ", "45000"),
        (1500, "1500"),
        (Decimal("7.25"), "7.25"),
        (2.5, "2.5"),
    ],
)
def test_every_way_of_writing_an_amount_means_the_same_in_every_language(typed, meant, language):
    assert parse_decimal(typed, "amount", language) == Decimal(meant)


@pytest.mark.parametrize(
    ("typed", "language", "meant"),
    [
        ("7,500", "en", "7500"),  # the English thousands comma
        ("45.000", "ru", "45000"),  # the dot a Russian groups thousands with
        ("45.000", "uk", "45000"),
    ],
)
def test_a_lone_separator_before_three_digits_groups_thousands_where_it_is_no_decimal_point(
    typed, language, meant
):
    assert parse_decimal(typed, "amount", language) == Decimal(meant)


@pytest.mark.parametrize(
    ("typed", "language", "said"),
    [
        ("7,500", "ru", "«7,500» could be 7500 or 7,5: type 7500, or 7,50 with two decimals"),
        ("7,500", "uk", "«7,500» could be 7500 or 7,5: type 7500, or 7,50 with two decimals"),
        ("45.000", "en", "«45.000» could be 45000 or 45.0: type 45000, or 45.00 with two decimals"),
        ("7,500", None, "«7,500» could be 7500 or 7,5: type 7500, or 7,50 with two decimals"),
        ("45.000", None, "«45.000» could be 45000 or 45.0: type 45000, or 45.00 with two decimals"),
    ],
)
def test_what_could_be_a_factor_of_a_thousand_off_is_asked_back(typed, language, said):
    with pytest.raises(InvalidInput) as refused:
        parse_decimal(typed, "amount", language)
    assert [str(p.reason) for p in refused.value.problems] == [said]


@pytest.mark.parametrize(
    "typed",
    ["lots", "", "1,2,3", "12 34", "1,25,000", "1.000,000,00", "1e5", "Infinity", "NaN",
     "1,,000", "1 000 00", "7,", ",5", "１２３", "٣", "1 000.000 000", "--5", "5-"],
)  # fmt: skip
def test_what_is_no_amount_is_refused_as_such(typed):
    with pytest.raises(InvalidInput, match="is not a number"):
        parse_decimal(typed, "amount", "ru")


def test_the_refusal_reads_in_the_readers_language():
    with pytest.raises(InvalidInput) as refused:
        parse_decimal("7,500", "amount", "ru")
    [problem] = refused.value.problems
    assert translate(problem.reason, "ru").startswith("«7,500» — это 7500 или 7,5?")


def test_a_deal_typed_anywhere_is_read_by_the_same_parser():
    assert parse_command(NewDeal, {"title": "x", "customer_id": 1, "amount": "1,250,000"}).amount
    assert parse_command(NewDeal, {"title": "x", "customer_id": 1, "amount": "7 500"}).amount == (
        Decimal("7500.00")
    )
    with pytest.raises(InvalidInput, match="could be 7500 or 7,5"):
        parse_command(NewDeal, {"title": "x", "customer_id": 1, "amount": "7,500"})


LANGUAGES = st.sampled_from(["ru", "uk", "en", None])
GROUPS = st.sampled_from([" ", "\u00a0", "\u202f", "'", "’", ",", "."])


@given(whole=st.integers(min_value=0, max_value=10**12), cents=st.integers(0, 99),
       group=GROUPS, language=LANGUAGES)  # fmt: skip
def test_an_amount_grouped_and_with_cents_reads_back_exactly(whole, cents, group, language):
    decimal = "." if group == "," else ","
    grouped = f"{whole:,}".replace(",", group)
    typed = f"{grouped}{decimal}{cents:02d}"
    assert parse_decimal(typed, "amount", language) == Decimal(f"{whole}.{cents:02d}")


@given(whole=st.integers(min_value=1000, max_value=10**12), group=GROUPS, language=LANGUAGES)
def test_a_grouped_whole_amount_is_never_off_by_a_thousand(whole, group, language):
    typed = f"{whole:,}".replace(",", group)
    try:
        assert parse_decimal(typed, "amount", language) == whole
    except InvalidInput as refused:  # asked back: only a lone separator before 3 digits
        assert "could be" in str(refused) and whole < 10**6


@given(text=st.text(max_size=30), language=LANGUAGES)
def test_any_text_is_an_amount_or_a_domain_refusal(text, language):
    try:
        number = parse_decimal(text, "amount", language)
    except InvalidInput:
        return
    assert number.is_finite()


READERS = st.sampled_from(["ru", "uk", "en"])
CURRENCIES = st.sampled_from(["RUB", "UAH", "USD", "EUR", "KZT"])
AMOUNTS = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)


@given(amount=AMOUNTS, currency=CURRENCIES, language=READERS)
def test_an_amount_as_the_bot_shows_it_reads_back_equal(amount, currency, language):
    """A rep copies a total from a card or a report into the dialog: it is the same sum,
    whichever currency sign or code Babel wrote around it for the reader's language."""
    for shown in (
        money(amount, currency, language),
        format_currency(amount, currency, locale=language),
        format_decimal(amount, locale=language, decimal_quantization=False),
        format_decimal(amount, locale=language, format="#,##0.00"),
    ):
        assert parse_decimal(shown, "amount", language) == amount, shown


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("RUB 45,000.00", "45000"), ("45 000 руб.", "45000"), ("7 500 грн", "7500"),
     ("1 250 000,75 UAH", "1250000.75"), ("USD1,234.50", "1234.50"), ("15 000 р.", "15000"),
     ("15 000 ₸", "15000"), ("€ 99,90", "99.90")],
)  # fmt: skip
def test_a_currency_written_around_an_amount_is_not_part_of_it(typed, meant):
    assert parse_decimal(typed, "amount", "ru") == Decimal(meant)


@pytest.mark.parametrize("typed", ["RUB", "45 000 RUBLES", "12 AB3", "руб 5 руб", "5 RUB RUB"])
def test_letters_that_are_no_currency_around_an_amount_are_refused(typed):
    with pytest.raises(InvalidInput, match="is not a number"):
        parse_decimal(typed, "amount", "ru")
