"""A realistic sample data set, so a new user sees Rapport at work in one command.

Everything goes through the service layer, as a real team's data would: the audit log,
the stage history and the plugins' hooks all see it. The data is the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

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

TEAM = (
    ("Olga Smirnova", Role.MANAGER, "north", "ru"),
    ("Ivan Petrov", Role.REP, "north", "ru"),
    ("Maria Kovalenko", Role.REP, "north", "uk"),
    ("Dmitry Sokolov", Role.REP, "south", "ru"),
)
ORGANISATIONS = (
    ("ООО «Ромашка»", "Самара, ул. Ленина, 12", ("Анна Кузнецова", "закупщик")),
    ("АО «СеверСталь-Снаб»", "Череповец, пр. Победы, 3", ("Игорь Волков", "директор по закупкам")),
    ("Bright Dental Clinic", "Kazan, Baumana 45", ("Elena Morozova", "office manager")),
    ("ТОВ «Київ Агро»", "Київ, вул. Хрещатик, 1", ("Оксана Шевченко", "головний агроном")),
    ("ИП Фёдоров", "Тула, ул. Советская, 8", ("Павел Фёдоров", "владелец")),
    ("Nord Logistics", "Saint Petersburg, Nevsky 100", ("Sergey Orlov", "CFO")),
    ("Салон красоты «Лилия»", "Екатеринбург, ул. Малышева, 5", ("Лилия Гарипова", "владелица")),
    ("Volga Pharma", "Nizhny Novgorod, Rozhdestvenskaya 21", ("Nikolai Belov", "head of supply")),
    ("ООО «ТехноСервис»", "Новосибирск, Красный пр., 77", ("Артём Лебедев", "инженер")),
    ("Дилерский центр «Восток»", "Владивосток, ул. Светланская, 9", ("Юлия Ким", "менеджер")),
    ("GreenLeaf Cafe", "Sochi, Kurortny 50", ("Mikhail Popov", "owner")),
    ("АО «Уралхим-Трейд»", "Пермь, ул. Сибирская, 30", ("Татьяна Зайцева", "главный бухгалтер")),
)
PEOPLE = ("Виктор Николаев", "Светлана Егорова", "Andrei Pavlov")
DEALS = (
    "Поставка оборудования",
    "Годовой сервисный контракт",
    "Пилотный проект",
    "License renewal",
)
PATHS = (
    ("lead",),
    ("lead", "info_sent"),
    ("lead", "info_sent", "demo"),
    ("lead", "info_sent", "demo", "reference_visit", "trial"),
    ("lead", "info_sent", "demo", "trial", "negotiation"),
    ("lead", "info_sent", "demo", "trial", "negotiation", "won"),
    ("lead", "info_sent", "demo", "negotiation", "won"),
    ("lead", "info_sent", "lost"),
)
LOST_REASONS = (
    "price: цена выше, чем у конкурента",
    "no budget: нет бюджета в этом году",
    "competitor: выбрали другого поставщика",
)
OUTCOMES = ("interested", "call back later", "sent a proposal", "no answer", "agreed on a visit")


@dataclass(frozen=True)
class DemoSummary:
    users: int
    customers: int
    deals: int
    interactions: int


def load_demo(app: App, admin: Actor) -> DemoSummary:
    """Add a sales team with customers, deals at every stage, and their history; all of
    it or, if anything is refused, none of it.
    """
    with UnitOfWork(app) as uow:
        summary = _load(app, admin)
        uow.commit()
    return summary


def _load(app: App, admin: Actor) -> DemoSummary:
    rng = random.Random(2026)
    ensure_default_pipeline(app)
    reps = []
    for name, role, team, language in TEAM:
        user = add_user(
            app, admin, {"display_name": name, "role": role, "team": team, "language": language}
        )
        reps.append(actor_for(user, Channel.SYSTEM))
    sellers = [rep for rep in reps if rep.role is Role.REP]
    customers = deals = interactions = 0
    for index, (org_name, address, (contact, position)) in enumerate(ORGANISATIONS):
        rep = sellers[index % len(sellers)]
        organisation = create_customer(
            app,
            rep,
            {
                "name": org_name,
                "address": address,
                "phones": [_phone(rng)],
                "emails": [f"info{index}@example.com"],
            },
        )
        person = create_customer(
            app,
            rep,
            {
                "name": contact,
                "kind": CustomerKind.PERSON,
                "organisation_id": organisation.id,
                "position": position,
                "phones": [_phone(rng)],
            },
        )
        customers += 2
        for days_ago in sorted(rng.sample(range(1, 90), rng.randint(2, 6)), reverse=True):
            log_interaction(
                app,
                rep,
                {
                    "customer_id": organisation.id,
                    "kind": rng.choice(
                        [
                            InteractionKind.CALL,
                            InteractionKind.VISIT,
                            InteractionKind.EMAIL,
                            InteractionKind.MEETING,
                        ]
                    ),
                    "direction": rng.choice([Direction.OUTBOUND, Direction.INBOUND]),
                    "summary": f"Разговор с {person.name}: обсудили потребности и сроки",
                    "outcome": rng.choice(OUTCOMES),
                    "duration_minutes": rng.choice([5, 10, 15, 30, 45, 60]),
                    "occurred_at": app.clock() - timedelta(days=days_ago),
                },
            )
            interactions += 1
        for path in rng.sample(PATHS, rng.randint(1, 3)):
            deal = create_deal(
                app,
                rep,
                {
                    "title": f"{rng.choice(DEALS)} — {org_name}",
                    "customer_id": organisation.id,
                    "amount": Decimal(rng.randrange(50, 5000) * 1000),
                    "expected_close": (app.clock() + timedelta(days=rng.randint(7, 120))).date(),
                },
            )
            for stage in path[1:]:
                reason = rng.choice(LOST_REASONS) if stage == "lost" else None
                deal = move_deal(app, rep, deal.id, stage, lost_reason=reason)
            deals += 1
    for name in PEOPLE:
        create_customer(
            app,
            sellers[0],
            {"name": name, "kind": CustomerKind.PERSON, "phones": [_phone(rng)]},
        )
        customers += 1
    return DemoSummary(len(reps), customers, deals, interactions)


def _phone(rng: random.Random) -> str:
    digits = [rng.randint(10, 99), rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)]
    return "+7 9{} {}-{}-{}".format(*digits)
