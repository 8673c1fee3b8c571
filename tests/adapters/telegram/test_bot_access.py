"""Who gets in: registered people, invited people; strangers are told how to get in."""

from rapport.adapters.telegram.invites import create_invite
from rapport.core.services.users import user_by_telegram_id


async def test_a_stranger_is_turned_away_with_their_id_and_sees_no_data(chat, session):
    await chat.say(777, "Ромашка")
    await chat.press(777, "r:/card 1")
    texts = session.texts(777)
    assert "Ask your admin for an invite link, or give them your Telegram id: 777" in texts[0]
    assert len(texts) == 1  # the pressed button was answered with an alert, nothing sent


async def test_an_invite_link_registers_a_colleague_once(app, team, chat, session):
    invite = create_invite(app, team["manager"], "Nina Novak")
    await chat.say(555, f"/start {invite.token}", language="ru")
    assert "Добро пожаловать в Rapport, Nina Novak!" in session.texts(555)[-1]
    nina = user_by_telegram_id(app, 555)
    assert nina.role == "rep" and nina.team == "north" and nina.language == "ru"
    await chat.say(556, f"/start {invite.token}")
    assert "used already or has expired" in session.texts(556)[-1]


async def test_a_manager_cannot_invite_an_admin(app, team, chat, session):
    await chat.say(1001, "/invite admin Mallory")
    assert "Not done: A manager may invite reps to their own team only." in session.texts(1001)[-1]


async def test_a_deactivated_person_hears_their_access_was_closed(app, team, chat, admin):
    from rapport.core.services.users import set_active

    set_active(app, admin, team["petr"].user_id, False)
    for typed in ("/start", "/start SOMECODE", "hello"):
        await chat.say(1003, typed)
        assert chat.replies(1003)[-1] == (
            "Your access to Rapport was closed. Ask your admin if this is a mistake."
        )


async def test_a_bad_stored_time_zone_does_not_lock_a_rep_out(app, team, chat):
    from sqlalchemy import update

    from rapport.core.db.tables import UserRow
    from rapport.core.services.uow import UnitOfWork

    with UnitOfWork(app) as uow:  # stored before time zones were checked
        uow.session.execute(update(UserRow).where(UserRow.id == team["ivan"].user_id)
                            .values(timezone="Mars/Base"))  # fmt: skip
        uow.commit()
    await chat.say(1002, "/tasks")
    assert "something went wrong" not in chat.replies(1002)[-1]
