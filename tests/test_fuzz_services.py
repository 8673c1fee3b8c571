"""Whatever a person types into any use case: a clear refusal, or exactly what they meant.

Hypothesis feeds the public service functions text (control characters, NUL, scripts,
huge pastes), numbers (infinite, enormous, negative, with every separator), dates and
record ids (zero, negative, beyond 64 bits). Each call either raises one of Rapport's own
errors (which every channel explains to the person) or stores a value that reads back
as given, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rapport.api as api
from rapport.core.domain.errors import RapportError
from rapport.plugins.contacts import api as contacts_api
from rapport.plugins.sales import api as sales_api
from rapport.plugins.tasks import api as tasks_api

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.text(min_size=0, max_size=300) | st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\x01\x02", "ООО «Ромашка»\n", "=1+1", "\t", "x" * 20_000]
)
NUMBER = (
    st.decimals(allow_nan=True, allow_infinity=True).map(str)
    | st.integers(min_value=-(10**30), max_value=10**30).map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(str)
    | st.sampled_from(["1 500,50", "1,500.50", "7,500", "45.000", "1e30", "-0", "", "abc"])
)
RECORD_ID = st.integers(min_value=-(2**70), max_value=2**70)
DAY = st.dates(min_value=date(1, 1, 1)).map(str) | TEXT


@pytest.fixture
def rep(app, team):
    return team["ivan"]


def refused_or(call, check=None):
    """Run ``call``: Rapport's own refusal is fine; anything else is a bug."""
    try:
        result = call()
    except RapportError:
        return None
    if check is not None:
        check(result)
    return result


@FUZZ
@given(name=TEXT, address=TEXT, phone=TEXT, email=TEXT)
def test_any_customer_is_refused_clearly_or_stored_as_given(app, rep, name, address, phone, email):
    data = {"name": name, "address": address, "phones": [phone], "emails": [email]}
    stored = refused_or(lambda: api.create_customer(app, rep, data))
    if stored is not None:
        again = api.get_customer(app, rep, stored.id)
        assert again.name == " ".join(name.split())
        assert again.address == (address.strip() or None)
        assert again == stored


@FUZZ
@given(title=TEXT, amount=NUMBER, currency=TEXT, close=DAY)
def test_any_deal_is_refused_clearly_or_stored_as_given(app, rep, title, amount, currency, close):
    customer = api.create_customer(app, rep, {"name": "Acme"})
    data = {"title": title, "customer_id": customer.id, "amount": amount, "currency": currency,
            "expected_close": close}  # fmt: skip
    stored = refused_or(lambda: api.create_deal(app, rep, data))
    if stored is not None:
        again = api.get_deal(app, rep, stored.id)
        assert again.amount == stored.amount and again.amount.is_finite()
        assert Decimal(0) <= again.amount < Decimal(10) ** 15
        assert again.title == " ".join(title.split())


@FUZZ
@given(summary=TEXT, minutes=st.integers(min_value=-(2**40), max_value=2**40), kind=TEXT)
def test_any_interaction_is_refused_clearly_or_stored_as_given(app, rep, summary, minutes, kind):
    customer = api.create_customer(app, rep, {"name": "Acme"})
    data = {"customer_id": customer.id, "kind": kind or "call", "summary": summary,
            "duration_minutes": minutes}  # fmt: skip
    stored = refused_or(lambda: api.log_interaction(app, rep, data))
    if stored is not None:
        [again] = api.list_interactions(app, rep, customer.id)
        assert again.summary == summary.strip() and again.duration_minutes == minutes


@FUZZ
@given(record=RECORD_ID)
def test_any_record_number_is_found_or_not_found(app, rep, record):
    refused_or(lambda: api.get_customer(app, rep, record))
    refused_or(lambda: api.get_deal(app, rep, record))
    refused_or(lambda: api.list_interactions(app, rep, record))
    refused_or(lambda: api.history(app, rep, "deal", record))
    refused_or(lambda: tasks_api.complete_task(app, rep, record))
    refused_or(lambda: api.update_customer(app, rep, record, {"address": "x"}))


@FUZZ
@given(title=TEXT, due=TEXT)
def test_any_task_is_refused_clearly_or_planned(app, rep, title, due):
    customer = api.create_customer(app, rep, {"name": "Acme"})
    data = {"title": title, "customer_id": customer.id, "due": due}
    refused_or(lambda: tasks_api.create_task(app, rep, data))


@FUZZ
@given(tags=st.lists(TEXT, max_size=4), label=TEXT, day=DAY)
def test_any_tag_or_date_is_refused_clearly_or_kept(app, rep, tags, label, day):
    customer = api.create_customer(app, rep, {"name": "Acme"})
    refused_or(lambda: contacts_api.set_tags(app, rep, customer.id, add=tags))
    refused_or(lambda: contacts_api.add_date(app, rep, customer.id, label, day))


@FUZZ
@given(product=TEXT, quantity=NUMBER, price=NUMBER, percent=NUMBER)
def test_any_deal_line_or_discount_is_refused_clearly_or_kept(
    app, rep, product, quantity, price, percent
):
    customer = api.create_customer(app, rep, {"name": "Acme"})
    deal = api.create_deal(app, rep, {"title": "Supply", "customer_id": customer.id})
    line = {"product": product, "quantity": quantity, "price": price}
    kept = refused_or(lambda: sales_api.set_deal_lines(app, rep, deal.id, [line]))
    if kept is not None:
        assert api.get_deal(app, rep, deal.id).amount.is_finite()
    refused_or(lambda: sales_api.request_discount(app, rep, deal.id, percent))
