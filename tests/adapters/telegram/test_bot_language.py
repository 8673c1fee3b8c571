"""A language typed in the chat: ``/lang uk``, ``/lang русский``, or one Rapport lacks."""

from rapport.core.services.users import get_user


async def test_a_typed_lang_switches_the_persons_language(app, team, chat, session):
    await chat.say(1002, "/lang uk")
    assert session.texts(1002)[-1] == "Готово: тепер я розмовляю українською."
    assert get_user(app, team["ivan"].user_id).language == "uk"
    await chat.say(1002, "/lang Русский")  # by its own name
    assert session.texts(1002)[-1] == "Готово: теперь я говорю по-русски."
    await chat.say(1002, "/language en")
    assert session.texts(1002)[-1] == "Done: I speak English now."


async def test_an_unknown_language_is_refused_in_the_persons_language(app, team, chat, session):
    await chat.say(1002, "/lang ru")
    await chat.say(1002, "/lang klingon")
    assert session.texts(1002)[-1] == "Не сделано: Язык: 'klingon' — не из списка: en, ru, uk"
    assert get_user(app, team["ivan"].user_id).language == "ru"


async def test_lang_alone_shows_the_settings(chat, session):
    await chat.say(1002, "/lang")
    assert session.texts(1002)[-1].startswith("Language: English. Time zone: ")
