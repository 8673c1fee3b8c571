"""A refusal reads in the reader's language and names fields as they know them."""

from __future__ import annotations

import pytest

from rapport import hookimpl
from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.fields import FieldSpec
from rapport.core.explain import explain
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal

IVAN = 1002


class Turnover:
    @hookimpl
    def register_fields(self, register):
        register(
            FieldSpec(
                entity="customer",
                name="turnover",
                type=FieldType.MONEY,
                label="Turnover",
                labels={"ru": "Оборот", "uk": "Оборот"},
            )
        )


def refusal(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value


def test_a_plugins_field_is_named_by_its_label_in_each_language(make_app, admin):
    app = make_app(plugins=[("turnover", Turnover())])
    error = refusal(
        lambda: create_customer(app, admin, {"name": "Acme", "fields": {"turnover": "-5"}})
    )
    assert str(error) == "fields.turnover: cannot be negative"  # the key, for programs
    assert explain(app, error, "en") == "Turnover: cannot be negative"
    assert explain(app, error, "ru") == "Оборот: не может быть отрицательным"
    assert explain(app, error, "uk") == "Оборот: не може бути від’ємним"


@pytest.mark.parametrize(
    ("amount", "english", "russian"),
    [
        ("-1", "Amount: must be at least 0", "Сумма: должно быть не меньше 0"),
        ("Infinity", "Amount: 'Infinity' is not a number", "Сумма: 'Infinity' — не число"),
        ("1e30", "Amount: '1e30' is not a number", "Сумма: '1e30' — не число"),  # nobody types it
        (
            "1" * 27,
            f"Amount: '{'1' * 27}' is too large",
            f"Сумма: '{'1' * 27}' — слишком большое число",
        ),
    ],
)
def test_a_bad_amount_is_refused_in_words_not_a_traceback(app, admin, amount, english, russian):
    customer = create_customer(app, admin, {"name": "Acme"})
    error = refusal(
        lambda: create_deal(
            app, admin, {"title": "T", "customer_id": customer.id, "amount": amount}
        )
    )
    assert (explain(app, error, "en"), explain(app, error, "ru")) == (english, russian)


def test_control_characters_never_reach_the_database(app, admin):
    error = refusal(lambda: create_customer(app, admin, {"name": "\x01\x02"}))
    assert explain(app, error, "ru") == "Название: содержит управляющий символ"
    error = refusal(lambda: create_customer(app, admin, {"name": "Acme", "address": "a\x00b"}))
    assert explain(app, error, "en") == "Address: contains a control character"
    pasted = create_customer(app, admin, {"name": "ООО\tРомашка\n"})
    assert pasted.name == "ООО Ромашка"


async def test_the_bot_explains_a_refusal_in_the_reps_language(app, team, chat):
    await chat.share_contact(IVAN, "12", "Nobody")
    english = chat.replies(IVAN)[-1]
    assert english == "Not done: Phones: '12' is too short"
    chat.session.clear()
    russian_rep = chat.person(IVAN, "ru")
    await chat.feed(chat.updates.message(russian_rep, contact=_contact("12")))
    assert chat.replies(IVAN)[-1] == "Не сделано: Телефоны: '12' — слишком короткий номер"


def _contact(phone: str):
    from aiogram.types import Contact

    return Contact(phone_number=phone, first_name="Nobody")


def test_the_cli_speaks_the_teams_language(cli, tmp_path):
    cli("init", "--admin", "Anna")
    (tmp_path / "rapport.toml").write_text('language = "ru"\n', encoding="utf-8")
    output = cli("users", "add", "Ivan", "--timezone", "Mars/Base", code=1)
    assert "Error: Часовой пояс: не часовой пояс, например Europe/Moscow" in output


class Industry:
    @hookimpl
    def register_fields(self, register):
        register(
            FieldSpec(
                entity="customer",
                name="sector",
                type=FieldType.CHOICE,
                label="Sector",
                labels={"ru": "Сектор"},
                choices=("retail", "wholesale"),
                choice_labels={"ru": {"retail": "Розница", "wholesale": "Опт"}},
            )
        )


def test_a_choice_is_typed_and_shown_by_its_label_and_stored_by_its_value(make_app, admin):
    from rapport.core.services.cards import customer_card
    from rapport.plugins.contacts.card_text import render_card

    app = make_app(plugins=[("industry", Industry())])
    customer = create_customer(app, admin, {"name": "Acme", "fields": {"sector": "опт"}})
    assert customer.fields["sector"] == "wholesale"
    card = customer_card(app, admin, customer.id)
    assert "Сектор: Опт" in render_card(app, card, "ru")
    assert "Sector: wholesale" in render_card(app, card, "en")
    error = refusal(
        lambda: create_customer(app, admin, {"name": "B", "fields": {"sector": "мелкий опт"}})
    )
    assert explain(app, error, "ru") == "Сектор: 'мелкий опт' — не из списка: Розница, Опт"
    assert explain(app, error, "en") == "Sector: 'мелкий опт' is not one of: retail, wholesale"
