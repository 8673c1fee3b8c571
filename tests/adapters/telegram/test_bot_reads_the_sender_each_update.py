"""Each update reads its sender as stored now: a role, a language or a closed access
changed from another channel (the CLI, the web, another bot instance) applies to the very
next update, though the bot reads the sender in the same trip as its claim."""

from rapport.core.services.users import set_active, set_preferences, set_role


async def test_a_new_role_and_language_apply_to_the_next_update(app, team, chat, admin):
    await chat.say(1002, "/approve 1")
    assert chat.replies(1002)[-1] == "/approve is for managers."
    set_preferences(app, team["ivan"], language="uk")
    set_role(app, admin, team["ivan"].user_id, "manager")
    await chat.say(1002, "/approve 1")
    assert chat.replies(1002)[-1] == "Немає запиту #1."  # a manager's answer, in Ukrainian


async def test_access_closed_between_two_updates_refuses_the_second(app, team, chat, admin):
    await chat.say(1003, "/tasks")
    set_active(app, admin, team["petr"].user_id, False)
    await chat.say(1003, "/tasks")
    assert chat.replies(1003)[-1] == (
        "Your access to Rapport was closed. Ask your admin if this is a mistake."
    )


async def test_a_redelivered_update_is_handled_once(app, team, chat):
    update = chat.contact_update(1002, "+79120003344", "Анна")
    await chat.feed(update)
    await chat.feed(update)
    assert [t for t in chat.replies(1002) if t.startswith("New customer")] == [
        "New customer added: Анна."
    ]
