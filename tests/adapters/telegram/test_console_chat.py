"""The console chat drives the very same handlers: buttons become numbers, menus letters."""

from rapport.adapters.telegram.console import Console, console_person
from rapport.core.services.customers import list_customers
from rapport.core.services.interactions import list_interactions


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
