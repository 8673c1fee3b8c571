"""Text typed while a card is open: a search unless the rep asked to write a note.

A name typed to find someone must never land as a note on the customer seen last.
"""

from aiogram.types import PhotoSize

from rapport.core.services.customers import create_customer
from rapport.core.services.interactions import list_interactions

IVAN = 1002


def notes(app, team, customer_id):
    return [i.summary for i in list_interactions(app, team["manager"], customer_id=customer_id)]


async def test_search_after_a_card_was_opened_finds_the_customer(app, team, chat, session):
    berezka = create_customer(app, team["ivan"], {"name": "Берёзка"})
    create_customer(app, team["ivan"], {"name": "Щербакова Наталья"})
    await chat.say(IVAN, f"/card {berezka.id}")
    await chat.say(IVAN, "🔎 Customers")
    await chat.say(IVAN, "Щербакова")
    assert "Щербакова Наталья" in session.last(IVAN).text
    photo = [PhotoSize(file_id="AgAC", file_unique_id="u1", width=9, height=9)]
    await chat.send(IVAN, photo=photo)
    assert "Open a customer first" in session.last(IVAN).text
    assert not any("went wrong" in text for text in chat.replies(IVAN))
    assert notes(app, team, berezka.id) == []


async def test_a_name_typed_with_a_card_open_is_searched_not_saved_as_a_note(
    app, team, chat, session
):
    berezka = create_customer(app, team["ivan"], {"name": "Берёзка"})
    create_customer(app, team["ivan"], {"name": "Щербакова Наталья"})
    await chat.say(IVAN, f"/card {berezka.id}")
    await chat.say(IVAN, "Щербакова")
    assert "Щербакова Наталья" in session.last(IVAN).text
    assert notes(app, team, berezka.id) == []
    await chat.tap(IVAN, "Save as a note on Берёзка")  # what was meant, one tap away
    assert notes(app, team, berezka.id) == ["Щербакова"]
    assert "Note saved on Берёзка." in session.last(IVAN).text


async def test_the_note_button_on_the_card_takes_the_next_text_only(app, team, chat, session):
    berezka = create_customer(app, team["ivan"], {"name": "Берёзка"})
    create_customer(app, team["ivan"], {"name": "Щербакова Наталья"})
    await chat.say(IVAN, f"/card {berezka.id}")
    await chat.tap(IVAN, "Note")
    assert "Берёзка" in session.last(IVAN).text
    await chat.say(IVAN, "Ждут прайс к пятнице")
    assert "Note saved on Берёзка." in session.last(IVAN).text
    await chat.say(IVAN, "Щербакова")
    assert "Щербакова Наталья" in session.last(IVAN).text
    assert notes(app, team, berezka.id) == ["Ждут прайс к пятнице"]


async def test_the_search_button_cancels_a_note_the_rep_was_asked_for(app, team, chat, session):
    berezka = create_customer(app, team["ivan"], {"name": "Берёзка"})
    create_customer(app, team["ivan"], {"name": "Щербакова Наталья"})
    await chat.say(IVAN, f"/card {berezka.id}")
    await chat.tap(IVAN, "Call done")
    await chat.tap(IVAN, "No answer")
    await chat.say(IVAN, "🔎 Customers")
    await chat.say(IVAN, "Щербакова")
    assert "Щербакова Наталья" in session.last(IVAN).text
    assert notes(app, team, berezka.id) == [""]  # the call itself, no note
