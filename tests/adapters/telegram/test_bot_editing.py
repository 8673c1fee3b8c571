"""Upkeep from the card and the deal in a few taps: "Edit" → a field → the new value typed,
"Add product", "Discount", "Hand over", each a question the next text answers, through
the same use cases (rights, validation, audit) as the typed commands."""

from decimal import Decimal

from rapport.core.services.customers import create_customer, get_customer, list_customers
from rapport.core.services.deals import create_deal, get_deal
from rapport.core.services.users import set_preferences
from rapport.plugins.contacts.tags import get_tags
from rapport.plugins.sales.approvals import pending_requests
from rapport.plugins.sales.lines import lines_of
from tests.helpers import audit_entries

IVAN, SOFIA = 1002, 1004


async def test_a_russian_rep_edits_phones_consent_and_a_field_from_the_card(
    app, team, chat, session
):
    set_preferences(app, team["ivan"], language="ru")
    customer = create_customer(app, team["ivan"], {"name": "Берёзка", "phones": ["+79120000000"]})
    await chat.say(IVAN, f"/card {customer.id}", "ru")
    await chat.tap(IVAN, "Изменить")
    labels = [label for label, _ in session.buttons(IVAN)]
    assert {"Название", "Телефоны", "Согласие на контакт", "Отрасль", "Теги"} <= set(labels)
    await chat.tap(IVAN, "Телефоны")
    assert "телефоны — Берёзка: +79120000000." in session.last(IVAN).text
    await chat.say(IVAN, "+7 912 000-11-22, 8 (343) 111-22-33", "ru")
    assert "Берёзка (#1): телефоны — сохранено." in session.last(IVAN).text
    await chat.say(IVAN, f"/edit {customer.id} consent", "ru")
    assert "звонок, SMS, почта" in session.last(IVAN).text
    await chat.say(IVAN, "почта, визит", "ru")
    await chat.say(IVAN, f"/edit {customer.id} Отрасль", "ru")
    await chat.say(IVAN, "Строительство", "ru")
    stored = get_customer(app, team["ivan"], customer.id)
    assert stored.phones == ["+79120001122", "+73431112233"]
    assert stored.fields["consent"] == ["email", "visit"]
    assert stored.fields["industry"] == "Строительство"
    [*_, last] = audit_entries(app, "customer", customer.id)
    assert (last.actor_id, last.channel.value) == (team["ivan"].user_id, "bot")


async def test_a_refused_answer_leaves_the_question_open_and_a_dash_clears(
    app, team, chat, session
):
    customer = create_customer(app, team["ivan"], {"name": "Acme", "emails": ["a@acme.ru"]})
    await chat.say(IVAN, f"/edit {customer.id} email")
    await chat.say(IVAN, "not-an-address")
    assert session.last(IVAN).text.startswith("Not done:")
    assert get_customer(app, team["ivan"], customer.id).emails == ["a@acme.ru"]
    await chat.say(IVAN, "sales@acme.ru")
    assert get_customer(app, team["ivan"], customer.id).emails == ["sales@acme.ru"]
    await chat.say(IVAN, "Acme")  # answered: the next text is a search again
    assert "Acme (#1)" in session.last(IVAN).text
    await chat.say(IVAN, f"/edit {customer.id} address")
    await chat.say(IVAN, "-")
    assert "address cleared" in session.last(IVAN).text


async def test_another_command_or_cancel_gives_the_question_up(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    await chat.say(IVAN, f"/edit {customer.id} name")
    await chat.say(IVAN, "/cancel")
    await chat.say(IVAN, "Globex")
    assert get_customer(app, team["ivan"], customer.id).name == "Acme"
    await chat.say(IVAN, f"/tag {customer.id}")
    await chat.say(IVAN, "/tasks")
    await chat.say(IVAN, "vip")
    assert get_tags(app, team["ivan"], customer.id) == []
    await chat.say(IVAN, f"/tag {customer.id}")
    await chat.say(IVAN, "vip, dealer")
    assert get_tags(app, team["ivan"], customer.id) == ["dealer", "vip"]


async def test_products_discount_and_hand_over_from_the_deal(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    deal = create_deal(app, team["ivan"], {"title": "Spring", "customer_id": customer.id})
    await chat.say(IVAN, f"/deal {deal.id}")
    await chat.tap(IVAN, "Add a product")
    await chat.say(IVAN, "Brick 10")  # no price: asked again, nothing stored
    await chat.say(IVAN, "Brick M150 1000 45.50")
    assert [line.product for line in lines_of(app, team["ivan"], deal.id)] == ["Brick M150"]
    assert get_deal(app, team["ivan"], deal.id).amount == Decimal("45500.00")
    await chat.tap(IVAN, "1. Brick M150")
    assert get_deal(app, team["ivan"], deal.id).amount == Decimal("0.00")
    await chat.say(IVAN, f"/deal {deal.id}")
    await chat.tap(IVAN, "Discount")
    await chat.say(IVAN, "45 a year's order up front")
    assert "waiting" in session.last(IVAN).text.lower() or "request" in session.last(IVAN).text
    await chat.say(IVAN, f"/deal {deal.id}")
    await chat.tap(IVAN, "Hand over")
    await chat.say(IVAN, "Petr Rep he covers the north")
    waiting = pending_requests(app, team["manager"])
    assert [r.kind for r in waiting] == ["discount", "reassign"]
    assert waiting[0].reason == "a year's order up front"
    assert waiting[1].reason == "he covers the north"


async def test_a_rep_cannot_edit_a_colleagues_customer_by_typing_the_line(app, team, chat, session):
    theirs = create_customer(app, team["sofia"], {"name": "South Ltd"})
    await chat.say(IVAN, f"/edit {theirs.id} name")
    await chat.say(IVAN, "Mine now")
    assert get_customer(app, team["sofia"], theirs.id).name == "South Ltd"
    assert "South Ltd" not in "\n".join(session.texts(IVAN))


async def test_a_shop_found_nowhere_is_added_from_the_search_in_one_tap(app, team, chat, session):
    set_preferences(app, team["ivan"], language="ru")
    await chat.say(IVAN, "Магазин Лютик", "ru")
    assert "ничего не найдено" in session.last(IVAN).text
    await chat.tap(IVAN, "Новый клиент")
    assert session.last(IVAN).text == "Новый клиент добавлен: Магазин Лютик (#1)."
    await chat.say(IVAN, "Лютик магазин", "ru")  # found now; adding it again is checked
    await chat.tap(IVAN, "Новый клиент")
    assert "Похоже на клиента, который уже есть:" in session.last(IVAN).text
    assert "Открыть #1" in [label for label, _ in session.buttons(IVAN)]
    assert len(list_customers(app, team["ivan"])) == 1


async def test_a_task_from_the_card_in_words_then_snoozed_from_today(app, team, chat, session):
    from rapport.plugins.tasks.services import list_tasks

    set_preferences(app, team["ivan"], language="ru")
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    await chat.say(IVAN, f"/card {customer.id}", "ru")
    await chat.tap(IVAN, "Задача")
    await chat.say(IVAN, "сегодня в 23:00 позвонить про договор", "ru")  # no dash needed
    [task] = list_tasks(app, team["ivan"])
    assert task.title == "позвонить про договор" and task.customer_id == customer.id
    await chat.say(IVAN, "/tasks", "ru")
    labels = [label for label, _ in session.buttons(IVAN)]
    assert f"Готово #{task.id}" in labels and f"Отложить #{task.id}" in labels
    await chat.tap(IVAN, f"Отложить #{task.id}")
    await chat.say(IVAN, "завтра в 10", "ru")
    [moved] = list_tasks(app, team["ivan"])
    assert moved.due_at > task.due_at


async def test_a_task_done_from_a_button_gets_its_result_in_one_more_tap(app, team, chat, session):
    from rapport.core.services.interactions import list_interactions
    from rapport.plugins.tasks.model import TaskStatus
    from rapport.plugins.tasks.services import create_task, list_tasks

    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    task = create_task(app, team["ivan"], {"title": "Call about the contract", "kind": "other",
                                           "customer_id": customer.id, "due": "today at 23:00"})  # fmt: skip
    await chat.say(IVAN, "/tasks")
    await chat.tap(IVAN, f"Done #{task.id}")
    await chat.tap(IVAN, "Add the result")  # asked for only when the rep says so
    await chat.say(IVAN, "they ordered 40 bags")
    [done] = list_tasks(app, team["ivan"], status=TaskStatus.DONE)
    assert done.result == "they ordered 40 bags"
    notes = [i.summary for i in list_interactions(app, team["ivan"], customer_id=customer.id)]
    assert "Call about the contract: they ordered 40 bags" in notes
