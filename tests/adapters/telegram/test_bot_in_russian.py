"""A Russian rep reads Russian: stage names, amounts and lost reasons in their language."""

from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, get_deal
from rapport.core.services.users import set_preferences

IVAN = 1002


def a_deal(app, team):
    """Ivan chose Russian in /settings (so every tap is answered in it), and has a deal."""
    set_preferences(app, team["ivan"], language="ru")
    customer = create_customer(app, team["ivan"], {"name": "Берёзка"})
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id,
                                           "amount": 45000})  # fmt: skip
    return customer, deal


async def test_stages_and_amounts_read_in_russian(app, team, chat, session):
    customer, _deal = a_deal(app, team)
    await chat.say(IVAN, "💼 Мои сделки", "ru")
    assert session.buttons(IVAN)[0][0] == "Лид: 1 · 45\u00a0000"
    await chat.tap(IVAN, "Лид")
    await chat.tap(IVAN, "Поставка")
    shown = session.last(IVAN).text
    assert "Этап: Лид" in shown and "45\u00a0000,00\u00a0₽" in shown
    labels = [label for label, _ in session.buttons(IVAN)]
    assert "→ Демонстрация" in labels and "🏆 Выиграна" in labels
    await chat.tap(IVAN, "Демонстрация")
    assert "Демонстрация" in session.last(IVAN).text
    await chat.say(IVAN, f"/card {customer.id}", "ru")
    card = session.last(IVAN).text
    assert "45\u00a0000,00\u00a0₽" in card and "Lead" not in card and "Demonstration" not in card


async def test_a_lost_reason_is_said_and_offered_in_russian(app, team, chat, session):
    _, deal = a_deal(app, team)
    await chat.say(IVAN, f"/lost {deal.id}", "ru")
    labels = [label for label, _ in session.buttons(IVAN)]
    assert "цена" in labels and "конкурент" in labels
    await chat.say(IVAN, f"/lost {deal.id} дорого", "ru")
    closed = get_deal(app, team["manager"], deal.id)
    assert closed.status == "lost" and closed.lost_reason == "price"
    assert "закрыта как проигранная: цена" in session.last(IVAN).text


async def test_a_logged_visit_reads_in_russian_on_the_card(app, team, chat, session):
    customer, _deal = a_deal(app, team)
    await chat.say(IVAN, f"/card {customer.id}", "ru")
    await chat.tap(IVAN, "Визит")
    await chat.tap(IVAN, "Встретились")
    await chat.say(IVAN, f"/card {customer.id}", "ru")
    latest = session.last(IVAN).text.split("<b>Последнее</b>")[1]
    assert "визит: Встретились" in latest and "met" not in latest


async def test_reports_are_listed_titled_and_headed_in_russian(app, team, chat, session):
    a_deal(app, team)
    await chat.say(IVAN, "📊 Отчёты", "ru")
    labels = [label for label, _ in session.buttons(IVAN)]
    assert "Воронка" in labels and "Причины проигрыша" in labels
    await chat.tap(IVAN, "Воронка")
    [photo] = chat.photos(IVAN)
    table = photo.caption.splitlines()
    assert table[0] == "Воронка" and table[1].startswith("этап | дошли | сумма")
    assert table[2].startswith("Лид | 1")
