"""Twelve months of a distributor's life, so a new user sees Rapport at work in one command.

Everything goes through the service layer, as a real team's data would: the audit log,
the stage history and the plugins' hooks all see it, each at the moment it happened (the
clock is set back while the past is written). The customers follow the patterns the
rules know — steady buyers, bargain hunters, novelty seekers, partners, key accounts
drifting to a competitor, newcomers, accounts that cost more than they earn, prospects —
so every motivation segment and relationship strategy shows up with its reasons. Each
plugin adds its own part through the ``load_demo`` hook (products, plans, tags, tasks).
The data is the same on every run (seeded).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel, CustomerKind, Direction, InteractionKind, Role
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, move_deal
from rapport.core.services.interactions import log_interaction
from rapport.core.services.pipelines import ensure_default_pipeline
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import actor_for, add_user

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

SEED = 2026
TEAM = (
    ("Olga Smirnova", Role.MANAGER, "north", "ru"),
    ("Ivan Petrov", Role.REP, "north", "ru"),
    ("Maria Kovalenko", Role.REP, "north", "uk"),
    ("Dmitry Sokolov", Role.REP, "south", "ru"),
    ("Elena Orlova", Role.REP, "south", "en"),
)
"""Two teams: north with its manager, south without one (its escalations go to admins)."""
FIRST = ("Ромашка", "Лилия", "Восток", "Север", "Уралхим", "Техно", "Вектор", "Альфа",
         "Бриз", "Гранит", "Дельта", "Заря", "Кедр", "Луч", "Меридиан", "Орион", "Полюс",
         "Радуга", "Сокол", "Титан")  # fmt: skip
FORMS = ("ООО «{}»", "АО «{}-Снаб»", "ТОВ «{} Агро»", "ИП {}ов", "Торговый дом «{}»")
CITIES = ("Самара", "Череповец", "Київ", "Тула", "Казань", "Пермь", "Новосибирск", "Сочи")
PEOPLE = ("Анна Кузнецова", "Игорь Волков", "Оксана Шевченко", "Павел Фёдоров", "Sergey Orlov",
          "Лилия Гарипова", "Nikolai Belov", "Артём Лебедев", "Юлия Ким", "Mikhail Popov",
          "Татьяна Зайцева", "Виктор Николаев", "Светлана Егорова", "Andrei Pavlov",
          "Елена Морозова")  # fmt: skip
FIRST_NAMES = (("Анна", "f"), ("Игорь", "m"), ("Оксана", "f"), ("Павел", "m"), ("Юлия", "f"),
               ("Сергей", "m"), ("Татьяна", "f"), ("Артём", "m"), ("Светлана", "f"),
               ("Николай", "m"), ("Лилия", "f"), ("Виктор", "m"))  # fmt: skip
SURNAMES = (("Кузнецов", "Кузнецова"), ("Волков", "Волкова"), ("Шевченко", "Шевченко"),
            ("Морозов", "Морозова"), ("Лебедев", "Лебедева"))  # fmt: skip
POSITIONS = ("закупщик", "директор по закупкам", "главный инженер", "владелец", "CFO")
DEALS = ("Поставка оборудования", "Расходные материалы", "Годовой сервисный контракт",
         "Пилотный проект", "License renewal")  # fmt: skip
PROFILES = ("stable", "bargain", "novelty", "partner", "key", "key_lost", "slipping", "new",
            "costly", "growing", "prospect", "prospect")  # fmt: skip
"""What each organisation's year looks like; repeated over the customers, in this order."""
ORGANISATIONS = 60
PRIVATE_PERSONS = 30
LOST_REASONS = ("price: дороже, чем у конкурента", "no budget: нет бюджета в этом году",
                "timing: вернуться осенью")  # fmt: skip
SOURCES = ("recommendation", "website", "exhibition", "cold call", "advertising")
INDUSTRIES = ("Строительство", "Агро", "Медицина", "Логистика", "Розница", "HoReCa")
CONSENTS: tuple[list[str], ...] = (["call", "visit"], ["email"], ["call", "email", "telegram"],
                                   ["visit"], [])  # fmt: skip
DAY = timedelta(days=1)


@dataclass(frozen=True)
class DemoSummary:
    users: int
    customers: int
    deals: int
    interactions: int


@dataclass
class _Counts:
    customers: int = 0
    deals: int = 0
    interactions: int = 0


def load_demo(app: App, admin: Actor) -> DemoSummary:
    """Add the team, its customers and a year of their history; all of it or, if anything
    is refused, none of it. Then every plugin adds its part, and runs its nightly work once
    so scores, segments and nudges are there from the start (the plugins' part)."""
    with UnitOfWork(app) as uow:
        summary = _load(app, admin)
        app.hooks.load_demo(app, admin)
        uow.commit()
    return summary


@contextlib.contextmanager
def as_of(app: App, moment: datetime) -> Iterator[None]:
    """Write as of ``moment``: stage changes, the audit log and hooks see that time (the
    demo writes its past this way; a plugin's ``load_demo`` may too)."""
    now = app.clock
    app.clock = lambda: moment
    try:
        yield
    finally:
        app.clock = now


def _load(app: App, admin: Actor) -> DemoSummary:
    rng = random.Random(SEED)
    ensure_default_pipeline(app)
    people = []
    for name, role, team, language in TEAM:
        user = add_user(
            app, admin, {"display_name": name, "role": role, "team": team, "language": language}
        )
        people.append(actor_for(user, Channel.SYSTEM))
    reps = [person for person in people if person.role is Role.REP]
    counts = _Counts()
    today = app.clock()
    for index in range(ORGANISATIONS):
        rep = reps[index % len(reps)]
        profile = PROFILES[index % len(PROFILES)]
        with as_of(app, today - timedelta(days=380 - index)):
            organisation = _organisation(app, rep, index, rng)
        counts.customers += 2
        _year(app, rep, organisation.id, profile, today, rng, counts)
    for index in range(PRIVATE_PERSONS):
        rep = reps[index % len(reps)]
        with as_of(app, today - timedelta(days=rng.randint(5, 200))):
            person = create_customer(app, rep, {
                "name": f"{PEOPLE[index % len(PEOPLE)]} ({CITIES[index % len(CITIES)]})",
                "kind": CustomerKind.PERSON, "phones": [_phone(rng)],
                **_fields(app, "customer", {"consent": CONSENTS[index % len(CONSENTS)]}),
            })  # fmt: skip
            counts.customers += 1
            _contact(app, rep, person.id, today - timedelta(days=rng.randint(1, 60)), rng, counts)
    return DemoSummary(len(people), counts.customers, counts.deals, counts.interactions)


def _organisation(app: App, rep: Actor, index: int, rng: random.Random) -> Any:
    name = FORMS[index % len(FORMS)].format(FIRST[index % len(FIRST)])
    if index >= len(FIRST) * len(FORMS) // 5:
        name = f"{name} {CITIES[index % len(CITIES)]}"
    city = CITIES[index % len(CITIES)]
    fields = _fields(app, "customer", {
        "source": SOURCES[index % len(SOURCES)], "industry": INDUSTRIES[index % len(INDUSTRIES)],
        "region": "Север" if rep.team == "north" else "Юг",
        "consent": CONSENTS[index % len(CONSENTS)],
    })  # fmt: skip
    organisation = create_customer(app, rep, {
        "name": name, "address": f"{city}, ул. Ленина, {index + 1}", "phones": [_phone(rng)],
        "emails": [f"info{index}@example.com"], **fields,
    })  # fmt: skip
    create_customer(app, rep, {
        "name": _contact_name(index), "kind": CustomerKind.PERSON,
        "organisation_id": organisation.id, "position": POSITIONS[index % len(POSITIONS)],
        "phones": [_phone(rng)],
    })  # fmt: skip
    return organisation


def _year(app: App, rep: Actor, customer_id: int, profile: str, today: datetime,
          rng: random.Random, counts: _Counts) -> None:  # fmt: skip
    """The customer's orders, contacts and open deals over the year, as ``profile`` goes."""
    size = 40_000 if profile not in ("key", "key_lost") else 900_000
    orders: list[int] = {
        "stable": list(range(330, 0, -30)), "bargain": [150, 90, 30], "novelty": [100],
        "partner": [160, 100, 40], "key": list(range(340, 0, -25)),
        "key_lost": list(range(360, 150, -20)), "slipping": list(range(350, 150, -30)),
        "new": [30], "costly": [200, 60], "growing": [120, 50, 10], "prospect": [],
    }[profile]  # fmt: skip
    for days_ago in orders:
        discount = 10 if profile == "bargain" else 0
        amount = Decimal(size * rng.randint(8, 14) // 10)
        _deal(app, rep, customer_id, today - days_ago * DAY, amount, "won", rng, counts,
              discount=discount)  # fmt: skip
    contacts = {"stable": 3, "bargain": 8, "novelty": 8, "partner": 7, "key": 4,
                "key_lost": 2, "slipping": 2, "new": 3, "costly": 5, "growing": 4,
                "prospect": 4}[profile]  # fmt: skip
    topic = {"bargain": "price", "novelty": "new_products", "partner": "joint_work"}.get(profile)
    for number in range(contacts):
        when = today - timedelta(days=rng.randint(2, 170), hours=rng.randint(0, 8))
        minutes = 240 if profile == "costly" else rng.choice([10, 15, 30, 45])
        kind = InteractionKind.REQUEST if profile == "bargain" and number % 2 else None
        _contact(app, rep, customer_id, when, rng, counts, topic=topic, minutes=minutes,
                 kind=kind)  # fmt: skip
    if profile == "key_lost":
        _deal(app, rep, customer_id, today - 25 * DAY, Decimal(1_200_000), "lost", rng, counts,
              reason="competitor: выбрали другого поставщика")  # fmt: skip
    if profile in ("prospect", "growing", "novelty", "stable"):
        stage = rng.choice(("info_sent", "demo", "reference_visit", "trial", "negotiation"))
        started = today - timedelta(days=rng.randint(3, 45))
        _deal(app, rep, customer_id, started, Decimal(size * rng.randint(5, 30) // 10), stage,
              rng, counts)  # fmt: skip
    if profile == "prospect" and rng.random() < 0.5:
        _deal(app, rep, customer_id, today - 70 * DAY, Decimal(60_000), "lost", rng, counts,
              reason=rng.choice(LOST_REASONS))  # fmt: skip


PATH = ("info_sent", "demo", "trial", "negotiation")


def _deal(app: App, rep: Actor, customer_id: int, started: datetime, amount: Decimal,
          stage: str, rng: random.Random, counts: _Counts, *, discount: int = 0,
          reason: str | None = None) -> None:  # fmt: skip
    """A deal opened at ``started`` and walked through the stages a few days apart, up to
    ``stage`` (an order: straight to won within days, as repeat orders go)."""
    fields = _fields(app, "deal", {"discount_percent": discount} if discount else {})
    with as_of(app, started):
        deal = create_deal(app, rep, {
            "title": f"{rng.choice(DEALS)} {started:%m.%Y}", "customer_id": customer_id,
            "amount": amount, "expected_close": (started + 30 * DAY).date(), **fields,
        })  # fmt: skip
    counts.deals += 1
    steps = PATH[: PATH.index(stage) + 1] if stage in PATH else (*PATH[: rng.randint(0, 2)], stage)
    moment = started
    for step in steps:
        moment += timedelta(days=rng.randint(1, 6))
        with as_of(app, min(moment, app.clock())):
            move_deal(app, rep, deal.id, step, lost_reason=reason if step == "lost" else None)


def _contact(app: App, rep: Actor, customer_id: int, when: datetime, rng: random.Random,
             counts: _Counts, *, topic: str | None = None, minutes: int = 15,
             kind: InteractionKind | None = None) -> None:  # fmt: skip
    kind = kind or rng.choice((InteractionKind.CALL, InteractionKind.VISIT,
                               InteractionKind.MEETING, InteractionKind.EMAIL))  # fmt: skip
    if topic == "joint_work":
        kind = InteractionKind.MEETING
    with as_of(app, when):
        log_interaction(app, rep, {
            "customer_id": customer_id, "kind": kind, "occurred_at": when,
            "direction": rng.choice((Direction.OUTBOUND, Direction.INBOUND)),
            "summary": rng.choice(("обсудили потребности и сроки", "отправили прайс",
                                   "договорились о следующем шаге", "жалоб нет, всё устраивает")),
            "duration_minutes": minutes,
            **_fields(app, "interaction", {"topic": topic} if topic else {}),
        })  # fmt: skip
    counts.interactions += 1


def _fields(app: App, entity: str, wanted: dict[str, Any]) -> dict[str, Any]:
    """The custom fields a plugin declared (``source``, ``topic``…), filled; those no
    installed plugin declares are left out, so the demo loads with any set of plugins."""
    known = {spec.name for spec in app.registry.fields_for(entity)}  # type: ignore[arg-type]
    values = {name: value for name, value in wanted.items() if name in known and value}
    return {"fields": values} if values else {}


def _contact_name(index: int) -> str:
    """A contact person's name, different for each of the organisations (a sheet names a
    deal's customer by name, so the demo's are told apart)."""
    first, gender = FIRST_NAMES[index % len(FIRST_NAMES)]
    surname = SURNAMES[index // len(FIRST_NAMES) % len(SURNAMES)][gender == "f"]
    return f"{first} {surname}"


def _phone(rng: random.Random) -> str:
    digits = [rng.randint(10, 99), rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)]
    return "+7 9{} {}-{}-{}".format(*digits)
