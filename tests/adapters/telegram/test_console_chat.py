"""The console chat drives the very same handlers: buttons become numbers, menus letters."""

import pytest

from rapport.adapters.telegram.console import Console, console_person
from rapport.core.domain.errors import NotFound, PermissionDenied
from rapport.core.services.customers import get_customer, list_customers
from rapport.core.services.interactions import list_interactions
from rapport.core.services.users import set_active


async def test_trying_the_bot_in_a_terminal(app, team, admin):
    printed: list[str] = []
    person = console_person(app)
    assert person.display_name == "Anna Admin"  # the first admin, who has no Telegram id
    console = Console(app, person, printed.append)
    await console.type("/start")
    assert printed[0] == "Hello, Anna Admin! What are we doing today?"
    assert printed[1].startswith("  a) 🔎 Customers  b) 💼 My deals")
    await console.type("contact +79123456789 Пётр")
    [customer] = list_customers(app, admin)
    assert customer.name == "Пётр"
    assert "  1) 📞 Call done" in printed
    await console.type("1")  # "Call done"
    await console.type("1")  # "Reached"
    [call] = list_interactions(app, admin, customer_id=customer.id)
    assert call.kind == "call" and call.outcome == "reached"
    await console.type("b")  # the menu's "My deals"
    assert printed[-1] == "No open deals. Open a customer and tap “New deal”."


async def test_the_console_chat_answers_after_a_restart(app, team, admin):
    person = console_person(app)
    await Console(app, person, [].append).type("/start")  # yesterday's session
    printed: list[str] = []
    restarted = Console(app, person, printed.append)  # today: a new process, same database
    await restarted.type("/start")
    await restarted.type("/help")
    assert printed[0] == "Hello, Anna Admin! What are we doing today?"
    assert printed[-1].startswith("What I can do:")


async def test_a_number_typed_to_a_question_is_its_answer_not_an_old_button(app, team, admin):
    printed: list[str] = []
    console = Console(app, console_person(app), printed.append)
    await console.type("/start")
    await console.type("contact +79123456789 Пётр")
    [customer] = list_customers(app, admin)
    await console.type(f"/edit {customer.id}")  # a list of fields, numbered
    await console.type("2")  # "Phones": the question has no buttons
    await console.type("3")  # meant as the answer (too short for a phone), not button 3
    assert printed[-1].startswith("Not done: Phones")
    await console.type("+7 912 000-11-22")
    assert get_customer(app, admin, customer.id).phones == ["+79120001122"]


async def test_the_console_chat_is_the_person_named_with_as(app, team, admin):
    assert console_person(app, "Ivan Rep").display_name == "Ivan Rep"
    with pytest.raises(NotFound):
        console_person(app, "Nobody")
    set_active(app, admin, team["petr"].user_id, active=False)
    with pytest.raises(PermissionDenied):
        console_person(app, "Petr Rep")


async def test_a_language_chosen_in_settings_applies_to_the_next_line(app, team, admin):
    printed: list[str] = []
    console = Console(app, console_person(app), printed.append)
    await console.type("/start")
    await console.type("/settings")
    [button] = [line for line in printed if line.endswith(") Українська")]
    await console.type(button.split(")")[0].strip())  # its number presses it
    await console.type("/help")
    assert printed[-1].startswith("Що я вмію:")


def test_log_lines_go_to_a_file_while_the_console_chat_runs(tmp_path, capsys):
    import logging

    from rapport.core.logs import configure_logging, logs_to_file

    configure_logging("INFO", ["s3cr3t-token"])
    with logs_to_file(tmp_path / "rapport.log"):
        logging.getLogger("rapport.test").warning("sheet runner restarted (token s3cr3t-token)")
    logging.getLogger("rapport.test").warning("after the chat")
    logged = (tmp_path / "rapport.log").read_text()
    assert "sheet runner restarted (token ***)" in logged
    assert "sheet runner restarted" not in capsys.readouterr().err


async def test_a_refusal_comes_in_the_language_the_person_chose(app, team, admin):
    """The team speaks English; the person switched to Ukrainian: an unknown language or a
    name with a control character is refused in Ukrainian, like every other reply."""
    printed: list[str] = []
    console = Console(app, console_person(app), printed.append)
    await console.type("/start")
    await console.type("/lang uk")
    await console.type("/lang klingon")
    assert printed[-1].startswith("Не зроблено:"), printed[-1]
    await console.type("/newcustomer")
    await console.type("\x1b[A;;;")
    assert printed[-1].startswith("Не зроблено:"), printed[-1]
