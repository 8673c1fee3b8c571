"""A rep's whole day through the real dispatcher, in Russian and in Ukrainian: every reply
and every button is read for English words and raw keys, and each daily job is counted
in taps and messages from the main menu."""

import re

import pytest
from aiogram.types import PhotoSize

from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal
from rapport.core.services.users import set_preferences
from rapport.plugins.tasks.services import create_task

IVAN = 1002
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
ALLOWED = {
    "Ivan", "Rep", "Olga", "Manager", "Petr", "Sofia", "Nina", "Novak",  # people's names
    "Rapport",  # the product
    "Acme", "RFM", "SLA", "SMS", "Telegram", "WhatsApp", "mail", "vip",
    "example", "com", "primfish",  # an e-mail address
    "RUB", "UAH", "USD", "EUR",  # currency codes (ISO 4217), as Babel writes them in uk
}  # fmt: skip
"""Words that are names, brands or the rep's own typing, not the bot speaking English."""
MENU = {"ru": ("🔎 Клиенты", "✅ Сегодня", "💼 Мои сделки", "📊 Отчёты"),
        "uk": ("🔎 Клієнти", "✅ Сьогодні", "💼 Мої угоди", "📊 Звіти")}  # fmt: skip


def english_in(text: str) -> list[str]:
    text = re.sub(r"/\w+", " ", text)  # commands are commands in every language
    text = re.sub(r"<[^>]+>", " ", text)  # the bot's own markup
    return [w for w in WORD.findall(text) if w not in ALLOWED]


class Day:
    """The rep's side of the chat, counting what they did for each job."""

    def __init__(self, chat, session, language):
        self.chat, self.session, self.language = chat, session, language
        self.steps = 0

    async def say(self, text):
        self.steps += 1
        await self.chat.say(IVAN, text, self.language)

    async def tap(self, label):
        self.steps += 1
        await self.chat.tap(IVAN, label)

    async def job(self, actions):
        self.steps = 0
        for kind, value in actions:
            await (self.say(value) if kind == "say" else self.tap(value))
        return self.steps


@pytest.mark.parametrize("language", ["ru", "uk"])
async def test_a_reps_day_reads_only_their_language(app, team, chat, session, language):
    set_preferences(app, team["ivan"], language=language)
    customer = create_customer(app, team["ivan"], {
        "name": "Щербакова Наталья", "kind": "person", "phones": ["+7 924 123-45-67"],
        "emails": ["n@primfish.example.com"]})  # fmt: skip
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id,
                                           "amount": 45000})  # fmt: skip
    create_task(app, team["ivan"], {"title": "Перезвонить", "customer_id": customer.id,
                                    "due": "сегодня в 23:00"})  # fmt: skip
    search, today, deals, reports = MENU[language]
    day = Day(chat, session, language)
    words = {"ru": ("Звонок", "Дозвонился", "Визит", "Взял заказ", "Демонстрация", "Готово",
                    "Отложить", "Воронка"),
             "uk": ("Дзвінок", "Додзвонився", "Візит", "Взяв замовлення", "Демонстрація",
                    "Виконано", "Відкласти", "Воронка")}[language]  # fmt: skip
    call, reached, visit, order, demo, done, snooze, funnel = words
    jobs = {
        "find by a misspelled name": [("say", search), ("say", "Щербокова")],
        "find by phone digits": [("say", "89241234567")],
        "find by part of an e-mail": [("say", "primfish")],
        "log a call with its outcome": [("say", f"/card {customer.id}"), ("tap", call),
                                        ("tap", reached)],
        "note": [("say", "Просили прайс к пятнице")],
        "log a visit": [("say", f"/card {customer.id}"), ("tap", visit), ("tap", order)],
        "new customer from a shared contact": [],
        "move a deal": [("say", f"/card {customer.id}"), ("tap", "Поставка"), ("tap", demo)],
        "my deals by stage": [("say", deals)],
        "today's tasks, done": [("say", today), ("tap", done)],
        "snooze": [("say", f"/task {customer.id} завтра в 10 — отправить КП"), ("say", today),
                   ("tap", snooze)],
        "the funnel": [("say", reports), ("tap", funnel)],
    }  # fmt: skip
    counted = {}
    for name, actions in jobs.items():
        if name == "new customer from a shared contact":
            await chat.share_contact(IVAN, "+7 912 345-67-89", "Пётр", "Смирнов")
            counted[name] = 1
            continue
        counted[name] = await day.job(actions)
    photo = [PhotoSize(file_id="AgAC", file_unique_id="u", width=9, height=9)]
    await chat.send(IVAN, photo=photo, caption="Витрина")
    assert max(counted.values()) <= 3, counted
    said = [*session.texts(IVAN), *(label for m in session.sent(IVAN) for label in
                                    _labels(m))]  # fmt: skip
    english = {word for text in said for word in english_in(text)}
    assert english == set(), sorted(english)
    assert deal.id


def _labels(message):
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", None) or getattr(markup, "keyboard", None) or []
    return [button.text for row in rows for button in row]
