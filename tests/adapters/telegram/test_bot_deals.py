"""A rep's deals in the bot: stages labelled by pipeline, totals never mixing currencies."""

from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal
from rapport.core.services.pipelines import list_pipelines, save_pipeline

IVAN = 1002
SERVICE = [
    {"key": "lead", "name": "Lead", "probability": 0.1},
    {"key": "quote", "name": "Quote", "probability": 0.5},
    {"key": "done", "name": "Done", "probability": 1, "outcome": "won"},
    {"key": "dropped", "name": "Dropped", "probability": 0, "outcome": "lost"},
]


async def test_my_deals_names_the_pipeline_of_each_stage_when_there_are_two(
    app, team, admin, chat, session
):
    service = save_pipeline(app, admin, "Service", SERVICE)
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    ivan = team["ivan"]
    create_deal(app, ivan, {"title": "Supply", "customer_id": customer.id, "amount": 1500})
    create_deal(
        app,
        ivan,
        {"title": "Repair", "customer_id": customer.id, "amount": 300, "pipeline_id": service.id},
    )
    await chat.say(IVAN, "💼 My deals")
    assert [label for label, _ in session.buttons(IVAN)] == [
        "Sales / Lead: 1 · 1,500",
        "Service / Lead: 1 · 300",
    ]
    await chat.tap(IVAN, "Service / Lead")
    assert [label for label, _ in session.buttons(IVAN)] == ["Repair — 300"]


async def test_my_deals_in_one_pipeline_stay_unlabelled_and_currencies_apart(
    app, team, chat, session
):
    assert len(list_pipelines(app)) == 1
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    ivan = team["ivan"]
    create_deal(app, ivan, {"title": "Local", "customer_id": customer.id, "amount": 1500})
    create_deal(
        app,
        ivan,
        {"title": "Export", "customer_id": customer.id, "amount": 100, "currency": "USD"},
    )
    await chat.say(IVAN, "💼 My deals")
    assert [label for label, _ in session.buttons(IVAN)] == ["Lead: 2 · 1,500 RUB + 100 USD"]
