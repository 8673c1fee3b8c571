"""The new-deal dialog reads amounts as the rep writes them, never a thousand times off."""

from decimal import Decimal

import pytest

from rapport.core.services.customers import create_customer
from rapport.core.services.deals import list_deals

IVAN = 1002


async def new_deal(chat, customer_id, language):
    await chat.say(IVAN, f"/card {customer_id}", language)
    await chat.say(IVAN, f"/newdeal {customer_id}", language)
    await chat.say(IVAN, "Весенний заказ", language)


@pytest.mark.parametrize(
    ("typed", "language", "stored"),
    [
        ("7,500", "en", "7500"),
        ("45.000", "ru", "45000"),
        ("45.000", "uk", "45000"),
        ("1,250,000", "ru", "1250000"),
        ("1,250,000", "en", "1250000"),
        ("1 250 000,50", "ru", "1250000.50"),
    ],
)
async def test_an_amount_with_thousands_separators_is_stored_as_meant(
    app, team, chat, typed, language, stored
):
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    await new_deal(chat, customer.id, language)
    await chat.say(IVAN, typed, language)
    [deal] = list_deals(app, team["manager"])
    assert deal.amount == Decimal(stored)


async def test_an_amount_that_could_be_a_thousand_times_off_is_asked_back(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    await new_deal(chat, customer.id, "ru")
    await chat.say(IVAN, "7,500", "ru")
    assert "«7,500» — это 7500 или 7,5?" in session.last(IVAN).text
    assert list_deals(app, team["manager"]) == []
    await chat.say(IVAN, "-5", "ru")  # refused by the service: still on the amount step
    assert "Сумма" in session.last(IVAN).text
    await chat.say(IVAN, "7500", "ru")
    [deal] = list_deals(app, team["manager"])
    assert deal.amount == Decimal(7500)
