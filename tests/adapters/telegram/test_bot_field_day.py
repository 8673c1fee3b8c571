"""A rep's day in the field, through the real dispatcher: each step in a few taps."""

from aiogram.types import PhotoSize

from rapport.core.services.customers import create_customer, list_customers
from rapport.core.services.deals import create_deal, get_deal, list_deals
from rapport.core.services.interactions import list_interactions
from rapport.plugins.tasks.services import list_tasks

IVAN, SOFIA, OLGA = 1002, 1004, 1001


def texts(session, chat_id):
    return "\n".join(session.texts(chat_id))


async def test_a_shared_contact_becomes_a_customer_once(app, team, chat, session):
    await chat.share_contact(IVAN, "+7 912 345-67-89", "Пётр", "Смирнов")
    [customer] = list_customers(app, team["ivan"])
    assert customer.name == "Пётр Смирнов" and customer.phones == ["+79123456789"]
    assert "New customer added: Пётр Смирнов." in texts(session, IVAN)
    assert "<b>Пётр Смирнов</b>" in session.last(IVAN).text
    await chat.share_contact(IVAN, "89123456789", "Петя")  # the same phone, written otherwise
    assert len(list_customers(app, team["manager"])) == 1
    await chat.share_contact(SOFIA, "+79123456789", "Петя")  # another team's rep
    assert "already a customer of a colleague" in session.last(SOFIA).text
    assert len(list_customers(app, team["manager"])) == 1


async def test_call_done_with_its_outcome_then_a_note_and_a_photo(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    await chat.say(IVAN, f"/card {customer.id}")
    await chat.tap(IVAN, "Call done")
    await chat.tap(IVAN, "Call back")
    await chat.say(IVAN, "Просили перезвонить в пятницу, ждут прайс")
    photo = [PhotoSize(file_id="AgACphoto", file_unique_id="u1", width=90, height=90)]
    await chat.send(IVAN, photo=photo, caption="Витрина")
    logged = list_interactions(app, team["manager"], customer_id=customer.id)
    by_kind = {(i.kind, i.outcome, i.summary) for i in logged}
    assert ("call", "call_back", "") in by_kind
    assert ("note", None, "Просили перезвонить в пятницу, ждут прайс") in by_kind
    [photo_note] = [i for i in logged if i.fields.get("attachment")]
    assert photo_note.fields["attachment"] == "photo:AgACphoto" and photo_note.summary == "Витрина"
    assert "Note saved on ООО Ромашка." in texts(session, IVAN)


async def test_a_location_checks_in_at_the_customer_and_is_offered_next_time(
    app, team, chat, session
):
    customer = create_customer(app, team["ivan"], {"name": "Магазин у дома"})
    await chat.share_location(IVAN, 55.7558, 37.6173)
    assert "No customer I know of is near" in session.last(IVAN).text
    await chat.tap(IVAN, "Магазин у дома")
    [visit] = list_interactions(app, team["manager"], customer_id=customer.id)
    assert visit.kind == "visit" and visit.fields == {"latitude": 55.7558, "longitude": 37.6173}
    await chat.share_location(IVAN, 55.7560, 37.6175)  # back the next week, 25 m away
    assert session.last(IVAN).text == "Where are you?"
    assert session.buttons(IVAN)[0][0] == "Магазин у дома (26 m)"


async def test_deals_by_stage_moved_with_a_tap_and_a_new_one_in_a_short_dialog(
    app, team, chat, session
):
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(
        app, team["ivan"], {"title": "Поставка", "customer_id": customer.id, "amount": 1500}
    )
    await chat.say(IVAN, "💼 My deals")
    await chat.tap(IVAN, "Lead: 1")
    await chat.tap(IVAN, "Поставка")
    await chat.tap(IVAN, "Demonstration")
    assert get_deal(app, team["manager"], deal.id).stage_id != deal.stage_id
    await chat.say(IVAN, f"/card {customer.id}")
    await chat.tap(IVAN, "New deal")
    await chat.say(IVAN, "Весенний заказ")
    await chat.say(IVAN, "сто тысяч")
    assert "'сто тысяч' is not a number" in session.last(IVAN).text
    await chat.say(IVAN, "100 000")
    assert "Deal created." in texts(session, IVAN)
    assert "<b>Весенний заказ</b>" in session.last(IVAN).text


async def test_a_forged_or_stale_button_reaches_nothing_the_person_may_not_see(
    app, team, chat, session
):
    customer = create_customer(app, team["ivan"], {"name": "Секретный клиент"})
    await chat.press(SOFIA, f"r:/card {customer.id}")
    assert session.last(SOFIA).text == f"Not done: No customer #{customer.id}."
    await chat.press(SOFIA, "x:garbage")
    await chat.press(SOFIA, f"l:call:{customer.id}:reached")
    assert "Секретный" not in texts(session, SOFIA)
    assert list_interactions(app, team["manager"], customer_id=customer.id) == []


async def test_user_text_is_escaped_and_long_replies_are_split(app, team, chat, session):
    customer = create_customer(app, team["ivan"], {"name": "<b>Bold</b> & Co"})
    await chat.say(IVAN, f"/card {customer.id}")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in session.last(IVAN).text
    for n in range(60):
        create_customer(app, team["ivan"], {"name": f"Bold branch {n} " + "x" * 80})
    await chat.say(IVAN, "/find Bold")
    assert all(len(t) <= 4096 for t in session.texts(IVAN))


async def test_bad_input_gets_a_helpful_answer_and_the_bot_keeps_serving(app, team, chat, session):
    await chat.say(IVAN, "/frobnicate")
    assert "I don't know /frobnicate. /help lists what I can do." in session.last(IVAN).text
    await chat.send(
        IVAN,
        sticker={
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        },
    )
    assert "I can't use this." in session.last(IVAN).text
    await chat.share_contact(IVAN, "12", "Nobody")
    assert session.last(IVAN).text.startswith("Not done: Phones:")
    await chat.say(IVAN, "x" * 5000)  # a search for something that is not there
    assert "Nothing found" in session.last(IVAN).text
    await chat.say(IVAN, "/help")
    assert "/find" in session.last(IVAN).text


async def test_each_update_is_handled_once_even_if_delivered_twice(app, team, chat, session):
    update = chat.contact_update(IVAN, "+79120001122", "Анна")
    await chat.feed(update)
    await chat.feed(update)
    assert len(list_customers(app, team["ivan"])) == 1
    assert len(session.texts(IVAN)) == 2  # "added" and the card, once


async def test_handled_update_ids_are_forgotten_after_two_days(app, team, chat, clock):
    from datetime import timedelta

    from rapport.adapters.telegram.hooks import forget_handled_updates

    await chat.say(IVAN, "/help")
    assert forget_handled_updates(app) == 0
    clock.now += timedelta(days=3)
    assert forget_handled_updates(app) == 1


async def test_after_a_call_the_rep_taps_what_it_was_about(app, team, chat, session):
    from rapport.adapters.telegram.running import RUNNING
    from rapport.core.services.users import set_preferences

    set_preferences(app, team["ivan"], language="ru")
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    RUNNING[app] = chat.bot
    await app.start()
    try:
        await chat.say(IVAN, f"/card {customer.id}")
        await chat.tap(IVAN, "Звонок сделан")
        await chat.tap(IVAN, "Дозвонился")
        await app.hooks.drain()
    finally:
        await app.stop()
        del RUNNING[app]
    assert "О чём был разговор?" in session.texts(IVAN)[-2:]  # with "saved", in either order
    await chat.tap(IVAN, "цена")
    [call] = list_interactions(app, team["manager"], customer_id=customer.id)
    assert call.fields["topic"] == "price"
    assert session.last(IVAN).text == "Записал: тема — цена."
    await chat.say(IVAN, f"/topic {call.id} жалоба")  # changed one's mind: typed, in words
    [call] = list_interactions(app, team["manager"], customer_id=customer.id)
    assert call.fields["topic"] == "complaint"


async def test_an_order_taken_at_a_visit_becomes_a_won_sale_in_the_reports(
    app, team, chat, session
):
    from rapport.adapters.telegram.running import RUNNING
    from rapport.core.domain.enums import StageOutcome
    from rapport.plugins.sales.lines import lines_of

    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "ООО Ромашка"})
    RUNNING[app] = chat.bot
    await app.start()
    try:
        await chat.say(IVAN, f"/card {customer.id}")
        await chat.tap(IVAN, "Visit done")
        await chat.tap(IVAN, "Order taken")
        await app.hooks.drain()
        asked = session.texts(IVAN)[-3:]  # with "saved" and "What was it about?", any order
        assert any(text.startswith("Order taken: record it as a sale.") for text in asked), asked
        await chat.say(IVAN, f"/order {customer.id} Кирпич М150 1000 45,50")
    finally:
        await app.stop()
        del RUNNING[app]
    assert session.texts(IVAN)[-1].startswith("Sale recorded: «Order ")
    [deal] = list_deals(app, ivan, customer_id=customer.id)
    assert deal.status is StageOutcome.WON and deal.amount == 45500
    assert [line.product for line in lines_of(app, ivan, deal.id)] == ["Кирпич М150"]
    assert [t for t in list_tasks(app, ivan) if t.source == "opportunity"] == []
    # …and the sale is in every report that counts sales
    from rapport.plugins.loyalty.service import profile_of, recalculate
    from rapport.plugins.sales.plans import set_plan

    set_plan(app, team["manager"], f"{app.clock():%Y-%m}", "amount", 100_000,
             owner_id=ivan.user_id)  # fmt: skip
    for report_id, wanted in (("sales.products", "Кирпич М150"), ("sales.top_customers",
                              "ООО Ромашка"), ("sales.reps", "Ivan Rep"),
                              ("sales.plan", "45500")):  # fmt: skip
        built = app.registry.reports[report_id].build(app, ivan, {})
        assert wanted in repr(built.rows), (report_id, built.rows)
    recalculate(app)
    assert profile_of(app, ivan, customer.id).f > 0  # RFM counts it: a buyer now
