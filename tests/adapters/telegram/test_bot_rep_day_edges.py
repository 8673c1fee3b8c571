"""The rest of a rep's day that used to stumble: numbers written the local way, initials,
parts of an e-mail, a foreign phone, a field the team requires, odd digits, Cyrillic names."""

from rapport.core.services.customers import create_customer, get_customer, list_customers
from rapport.core.services.fields import define_field
from rapport.core.services.users import add_user, find_user, set_preferences

IVAN = 1002


async def test_a_phone_typed_the_local_way_an_initial_or_part_of_an_e_mail_finds_them(
    app, team, chat, session
):
    create_customer(app, team["ivan"], {"name": "Щербакова Наталья", "kind": "person",
                                        "phones": ["+7 924 123-45-67"],
                                        "emails": ["n.sh@primfish.ru"]})  # fmt: skip
    for typed in ("89241234567", "8 (924) 123-45-67", "Щербакова Н", "primfish", "4567"):
        await chat.say(IVAN, typed)
        assert "Щербакова Наталья (#1)" in session.last(IVAN).text, typed
    await chat.say(IVAN, "Щербакова К")  # another initial: someone else
    assert "Щербакова Наталья" not in session.last(IVAN).text


async def test_a_colleague_abroad_shared_as_a_contact_is_added_with_their_own_country(
    app, team, chat, session
):
    await chat.share_contact(IVAN, "14155552671", "John", "Smith")  # as Telegram sends it
    [customer] = list_customers(app, team["ivan"])
    assert customer.phones == ["+14155552671"]


async def test_a_field_the_team_requires_is_asked_before_a_shared_contact_is_added(
    app, team, admin, chat, session
):
    define_field(app, admin, {"entity": "customer", "name": "inn", "type": "text",
                              "label": "INN", "labels": {"ru": "ИНН"}, "required": True})  # fmt: skip
    set_preferences(app, team["ivan"], language="ru")
    await chat.share_contact(IVAN, "+7 912 345-67-89", "Пётр", "Смирнов")
    assert (
        session.last(IVAN).text == "ИНН — «Пётр Смирнов»? Это обязательное поле (/cancel — отмена)."
    )
    assert list_customers(app, team["ivan"]) == []
    await chat.say(IVAN, "7701234567", "ru")
    [customer] = list_customers(app, team["ivan"])
    assert customer.phones == ["+79123456789"] and customer.fields["inn"] == "7701234567"
    await chat.say(IVAN, f"/card {customer.id}", "ru")
    assert "ИНН: 7701234567" in session.last(IVAN).text  # custom fields show on the card


async def test_digits_python_reads_as_numbers_are_not_record_numbers(app, team, chat, session):
    for line in ("/card ²", "/card ١٢", "/deal 9223372036854775808", "/note ³ hi", "/edit ⁴"):
        await chat.say(IVAN, line)
        assert "went wrong" not in session.last(IVAN).text.lower(), line


def test_a_cyrillic_name_typed_in_any_case_finds_its_user(app, admin):
    add_user(app, admin, {"display_name": "Ольга Смирнова", "role": "manager"})
    assert find_user(app, "ольга смирнова").display_name == "Ольга Смирнова"
    assert find_user(app, "ОЛЬГА СМИРНОВА").display_name == "Ольга Смирнова"


async def test_an_edit_from_the_card_is_seen_on_the_card(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    await chat.say(IVAN, f"/edit {customer.id} region")
    await chat.say(IVAN, "North-West")
    assert get_customer(app, team["ivan"], customer.id).fields["region"] == "North-West"
    await chat.say(IVAN, f"/card {customer.id}")
    assert "Region: North-West" in session.last(IVAN).text


async def test_a_button_nobody_knows_is_answered_and_one_without_its_message_still_works(
    app, team, chat, session
):
    from aiogram.methods import AnswerCallbackQuery
    from aiogram.types import CallbackQuery, Update

    from rapport.adapters.telegram.keyboards import Run

    await chat.press(IVAN, "zz:from-an-old-version")
    [answer] = [c for c in session.calls if isinstance(c, AnswerCallbackQuery)]
    assert answer.text == "This button is out of date." and answer.show_alert
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    gone = CallbackQuery(id="77", from_user=chat.person(IVAN), chat_instance="c",
                         data=Run(line=f"/card {customer.id}").pack(), message=None)  # fmt: skip
    await chat.feed(Update(update_id=987_654, callback_query=gone))
    assert "<b>Acme</b>" in session.last(IVAN).text  # sent to the presser's own chat
