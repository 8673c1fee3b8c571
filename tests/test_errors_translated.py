"""A refusal reaches a Russian or Ukrainian reader without a word of English in it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pydantic import Field

from rapport.core.domain.commands import Command, parse_command
from rapport.core.domain.errors import InvalidInput, RapportError
from rapport.core.explain import explain
from rapport.core.services.customers import create_customer, merge_customers
from rapport.core.services.deals import create_deal
from rapport.core.services.users import find_user, get_user, set_preferences, set_role
from rapport.plugins.contacts.segments import save_segment
from rapport.plugins.contacts.tags import normalize_tag
from rapport.plugins.loyalty.service import override_segment
from rapport.plugins.sales.plans import set_plan
from rapport.plugins.tasks.costs import add_marketing_cost
from rapport.plugins.tasks.services import cancel_task, complete_task, create_task

QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»")
CODES = {"rep", "manager", "admin", "en", "ru", "uk"}
"""What an admin types as it is, in any language: roles and languages by their codes."""


def english_in(text: str) -> list[str]:
    """The Latin-letter words left once the values a person typed (quoted) and the codes
    they type are taken out."""
    return [word for word in re.findall(r"[A-Za-z]+", QUOTED.sub("", text)) if word not in CODES]


def refused(call) -> RapportError:
    with pytest.raises(RapportError) as caught:
        call()
    return caught.value


@pytest.fixture
def russian(act_as):
    return act_as("manager", team="north", name="Ольга", language="ru")


def refusals(app, admin, russian) -> dict[str, RapportError]:
    customer = create_customer(app, russian, {"name": "Ромашка"})
    task = create_task(app, russian, {"title": "Позвонить", "customer_id": customer.id,
                                      "assignee_id": russian.user_id, "due": "завтра в 10"})  # fmt: skip
    assert task is not None
    complete_task(app, russian, task.id)
    return {
        "negative amount": refused(
            lambda: create_deal(
                app, russian, {"title": "Поставка", "customer_id": customer.id, "amount": "-5"}
            )
        ),
        "unknown user id": refused(lambda: get_user(app, 9999)),
        "unknown user name": refused(lambda: find_user(app, "Никто")),
        "task already done": refused(lambda: complete_task(app, russian, task.id)),
        "task done, then cancelled": refused(lambda: cancel_task(app, russian, task.id)),
        "merge into itself": refused(
            lambda: merge_customers(app, russian, customer.id, customer.id)
        ),
        "unknown pipeline": refused(
            lambda: create_deal(
                app, russian, {"title": "Поставка", "customer_id": customer.id, "pipeline_id": 999}
            )
        ),
        "unknown segment": refused(
            lambda: override_segment(app, russian, customer.id, "cheap", None)
        ),
        "unknown role": refused(lambda: set_role(app, admin, russian.user_id, "boss")),
        "unknown language": refused(lambda: set_preferences(app, russian, language="de")),
        "last admin": refused(lambda: set_role(app, admin, admin.user_id, "rep")),
        "filter cut short": refused(lambda: save_segment(app, russian, "Крупные", "name =")),
        "filter on no field": refused(lambda: save_segment(app, russian, "Крупные", "oborot > 1")),
        "unknown plan metric": refused(lambda: set_plan(app, russian, "2026-03", "profit", "100")),
        "cost of nothing": refused(
            lambda: add_marketing_cost(app, russian, customer.id, "0", "Выставка")
        ),
        "tag with a comma": refused(lambda: normalize_tag("a,b")),
    }


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_a_refusal_reads_without_english_words(app, admin, russian, language):
    said = {case: explain(app, error, language) for case, error in
            refusals(app, admin, russian).items()}  # fmt: skip
    english = {case: (text, english_in(text)) for case, text in said.items() if english_in(text)}
    assert english == {}


def test_the_english_stays_as_it_was(app, admin, russian):
    errors = refusals(app, admin, russian)
    assert str(errors["unknown user id"]) == "No user #9999."
    assert str(errors["unknown user name"]) == "No user 'Никто'."
    assert str(errors["task already done"]).endswith("is already done")
    assert str(errors["unknown role"]) == "role: 'boss' is not one of: rep, manager, admin"


def test_a_task_says_its_status_in_the_readers_words(app, admin, russian):
    error = refusals(app, admin, russian)["task already done"]
    assert "уже выполнена" in explain(app, error, "ru")
    assert "вже виконано" in explain(app, error, "uk")


def test_a_segment_is_refused_with_the_segments_named_as_the_reader_says_them(app, admin, russian):
    error = refusals(app, admin, russian)["unknown segment"]
    assert "низкая цена" in explain(app, error, "ru")
    assert "низька ціна" in explain(app, error, "uk")
    assert str(error).endswith("is not one of: lowest_price, novelty_seeker, belonging, stability")


class Line(Command):
    quantity: int = Field(ge=1, le=10)
    price: int = Field(gt=0, multiple_of=5)
    product: str = Field(max_length=5)
    note: bool
    day: date


@pytest.mark.parametrize(
    ("data", "english"),
    [
        ({"quantity": 0}, "Quantity: must be at least 1"),
        ({"quantity": 11}, "Quantity: must be at most 10"),
        ({"quantity": "много"}, "Quantity: must be a number"),
        ({"quantity": 2.5}, "Quantity: must be a whole number"),
        ({"price": 0}, "Price: must be more than 0"),
        ({"price": 7}, "Price: must be a multiple of 5"),
        ({"product": "телевизор"}, "Product: is longer than 5 characters"),
        ({"note": "maybe"}, "Note: must be yes or no"),
        ({"day": "вчера?"}, "Date: is not a date (write it as 2026-03-31 or 31.03.2026)"),
        ({"colour": "red"}, "Colour: is not a known field"),
    ],
)
@pytest.mark.parametrize("language", ["ru", "uk"])
def test_pydantics_refusals_are_said_in_the_readers_words(data, english, language):
    good = {"quantity": 1, "price": 5, "product": "чай", "note": True, "day": "2026-03-01"}
    with pytest.raises(InvalidInput) as caught:
        parse_command(Line, {**good, **data})
    assert explain(None, caught.value, "en") == english
    assert english_in(explain(None, caught.value, language)) in ([], ["Colour"])


def test_a_missing_value_is_required_in_the_readers_words():
    with pytest.raises(InvalidInput) as caught:
        parse_command(Line, {})
    said = explain(None, caught.value, "ru")
    assert said.count("обязательно") == 5 and english_in(said) == []


def test_the_cli_says_the_database_is_not_ready_in_the_teams_language(cli, tmp_path):
    (tmp_path / "rapport.toml").write_text('language = "uk"\n', encoding="utf-8")
    output = cli("users", "list", code=1)
    assert "Error: У базі даних ще немає схеми Rapport. Виконайте `rapport init`" in output
