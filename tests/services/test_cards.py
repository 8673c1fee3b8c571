from datetime import timedelta
from decimal import Decimal

from rapport import hookimpl
from rapport.core.domain.enums import Channel
from rapport.core.extensions import TimelineEntry
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import create_customer, update_customer
from rapport.core.services.deals import create_deal, move_deal
from rapport.core.services.interactions import log_interaction


def test_card_has_the_whole_history_and_the_key_facts(make_app, team, clock):
    class Tasks:
        @hookimpl
        def customer_timeline(self, app, customer):
            return [
                TimelineEntry(at=clock.now - timedelta(hours=1), kind="task", title="Call back")
            ]

    app = make_app(plugins=[("todo", Tasks())])
    ivan = team["ivan"]
    company = create_customer(app, ivan, {"name": "ООО Ромашка"})
    anna = create_customer(
        app, ivan, {"name": "Анна", "kind": "person", "organisation_id": company.id}
    )
    log_interaction(
        app,
        ivan,
        {
            "customer_id": anna.id,
            "kind": "call",
            "summary": "Спросила про цены",
            "occurred_at": clock.now - timedelta(days=3),
        },
    )
    clock.advance(days=1)
    won = create_deal(app, ivan, {"title": "Поставка", "customer_id": company.id, "amount": 1000})
    move_deal(app, ivan, won.id, "won")
    clock.advance(days=1)
    create_deal(app, ivan, {"title": "Сервис", "customer_id": company.id, "amount": 250})
    create_deal(
        app,
        ivan,
        {"title": "Service, EUR", "customer_id": company.id, "amount": 10, "currency": "EUR"},
    )
    update_customer(app, ivan.via(Channel.SHEET), company.id, {"address": "Самара"})

    card = customer_card(app, team["manager"], company.id)

    assert card.owner_name == "Ivan Rep"
    assert [p.name for p in card.contact_persons] == ["Анна"]
    assert card.facts.last_won_deal.title == "Поставка"
    assert card.facts.open_deals == 2
    assert card.facts.open_amount == {"RUB": Decimal("250.00"), "EUR": Decimal("10.00")}
    assert card.facts.last_contact_at == clock.now - timedelta(days=5)
    kinds = [(e.kind, e.title) for e in card.timeline]
    assert ("interaction", "call with Анна") in kinds
    assert ("deal", "deal «Поставка» moved") in kinds
    assert ("change", "changed in the spreadsheet") in kinds
    assert ("task", "Call back") in kinds
    assert [e.at for e in card.timeline] == sorted((e.at for e in card.timeline), reverse=True)
    moved = next(e for e in card.timeline if e.title == "deal «Поставка» moved")
    assert moved.detail == "Lead → Won" and moved.author == "Ivan Rep"


def test_a_colleague_added_after_a_card_was_read_is_named_on_the_next(app, team, act_as):
    """Names are kept between cards (a name never changes); a new colleague's id is not
    known yet, so the users are read again."""
    ivan = team["ivan"]
    shop = create_customer(app, ivan, {"name": "Ромашка"})
    assert customer_card(app, team["manager"], shop.id).owner_name == "Ivan Rep"
    nina = act_as("rep", team="north", name="Nina Novak")
    theirs = create_customer(app, nina, {"name": "Лютик"})
    card = customer_card(app, team["manager"], theirs.id)
    assert card.owner_name == "Nina Novak"
    assert card.timeline[0].author == "Nina Novak"
