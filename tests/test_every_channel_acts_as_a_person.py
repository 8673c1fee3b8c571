"""The bot, the sheet and the CLI each act as a person, with that person's rights."""

from __future__ import annotations

from rapport.adapters.telegram.running import RUNNING
from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal, get_deal
from rapport.plugins.sales.approvals import pending_requests
from rapport.plugins.tasks.services import create_task, list_tasks
from rapport.testing.chat import Chat
from rapport.testing.workbook import Workbook
from tests.helpers import audit_entries

IVAN, OLGA = 1002, 1001


def supply(app, rep):
    customer = create_customer(app, rep, {"name": "ООО Ромашка"})
    return create_deal(
        app, rep, {"title": "Поставка", "customer_id": customer.id, "amount": 150000}
    )


async def test_a_rep_asks_for_a_discount_in_the_bot_and_a_manager_approves_with_a_tap(app, team):
    chat = Chat(app)
    RUNNING[app] = chat.bot
    await app.start()
    try:
        deal = supply(app, team["ivan"])
        await chat.say(IVAN, f"/discount {deal.id} 20 they have an offer at 18%")
        assert chat.replies(IVAN)[-1] == (
            "Sent for approval as request #1: a manager decides, and you will hear."
        )
        await app.hooks.drain()
        assert chat.replies(OLGA)[-1] == (
            "Request #1: Ivan Rep asks for a 20% discount on «Поставка» (ООО Ромашка, "
            "RUB\u00a0150,000.00) in the bot: they have an offer at 18%"
        )
        assert [label for label, _ in chat.session.buttons(OLGA)] == ["Approve", "Reject"]
        assert get_deal(app, team["ivan"], deal.id).fields.get("discount_percent") is None
        await chat.tap(OLGA, "Approve")
        await app.hooks.drain()
        assert chat.replies(OLGA)[-1] == "Request #1 approved."
        heard = chat.replies(IVAN)[-2:]  # the verdict, and the change to his deal
        assert any(t.startswith("Olga Manager approved your request: a 20%") for t in heard)
        assert "Olga Manager changed your deal “Поставка”: Discount, %." in heard
        assert get_deal(app, team["ivan"], deal.id).fields["discount_percent"] == 20
        [*_, change] = audit_entries(app, "deal", deal.id)
        assert (change.actor_name, change.channel) == ("Olga Manager", "bot")
        await chat.say(IVAN, f"/discount {deal.id} 5")  # within a rep's own limit: at once
        assert chat.replies(IVAN)[-1] == f"Deal #{deal.id}: 5% discount given."
    finally:
        del RUNNING[app]
        await app.stop()


def test_sheet_edits_are_made_by_its_editor_with_the_editors_limits(make_app, team, tmp_path):
    from rapport.core.settings import SheetsSettings

    app = make_app(sheets=SheetsSettings(path=tmp_path / "rapport.xlsx", editor="Olga Manager"))
    deal = supply(app, team["ivan"])
    workbook = Workbook(app, tmp_path / "rapport.xlsx")
    assert workbook.sync().editor == "Olga Manager"
    workbook.edit("Deals", deal.id, "Discount, %", 90)  # above a manager's 25%
    workbook.edit("Deals", deal.id, "Title", "Поставка Q2")
    report = workbook.sync()
    stored = get_deal(app, team["ivan"], deal.id)
    assert stored.fields.get("discount_percent") is None  # waits for an admin
    [request] = pending_requests(app, team["manager"])
    assert request.payload == {"discount_percent": 90.0}
    assert request.requested_by == team["manager"].user_id
    assert "sent to a manager for approval" in workbook.read("Deals", deal.id, "Rapport says")
    assert report.refused  # said in `rapport sync` too
    workbook.edit("Deals", deal.id, "Discount, %", 15)  # within her limit: applied as her
    workbook.sync()
    [*_, change] = audit_entries(app, "deal", deal.id)
    assert (change.actor_id, change.channel) == (team["manager"].user_id, "sheet")
    assert get_deal(app, team["ivan"], deal.id).fields["discount_percent"] == 15
    assert len(pending_requests(app, team["manager"])) == 1  # the 90% was asked once


def test_the_cli_acts_as_the_person_it_is_told(cli):
    cli("demo")
    as_rep = cli("--as", "Dmitry Sokolov", "search", "Ромашка")
    assert as_rep.startswith("(от имени: Dmitry Sokolov, менеджер)")  # the team reads ru
    assert "Ромашка" not in as_rep  # a north customer: not his to see
    refused = cli("--as", "Dmitry Sokolov", "users", "role", "Ivan Petrov", "manager", code=1)
    assert "Error: Это может только администратор." in refused  # the demo team speaks ru
    assert "Error: Нет пользователя 'Nobody'." in cli("--as", "Nobody", "tasks", "list", code=1)


def calls_of(audit: str, person: str) -> int:
    rows = [line.split(" | ") for line in audit.splitlines()]
    return sum(int(row[2]) for row in rows if row[:2] == [person, "звонок"])  # the team reads ru


def test_minutes_marked_done_from_the_cli_are_the_assignees(cli):
    cli("demo")
    before = cli("report", "tasks.time_audit")
    added = cli("tasks", "add", "1", "завтра в 10", "Позвонить", "--assignee", "Ivan Petrov")
    task_id = added.splitlines()[-1].split(":")[0].removeprefix("Задача #")
    cli("tasks", "done", task_id, "--minutes", "25")  # by the admin, for Ivan
    after = cli("report", "tasks.time_audit")
    assert calls_of(after, "Ivan Petrov") == calls_of(before, "Ivan Petrov") + 25
    admin = [line for line in after.splitlines() if line.startswith(("root", "Anna"))]
    assert admin == []


def test_consent_decides_how_a_follow_up_reaches_the_customer(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "ООО Ромашка", "fields": {"consent": ["email"]}})
    from rapport.core.domain.errors import InvalidInput

    try:
        create_task(app, ivan, {"title": "Позвонить", "kind": "call", "customer_id": customer.id,
                                "due": "завтра в 10"})  # fmt: skip
    except InvalidInput as error:
        assert "agreed to be contacted only by email" in str(error)
    else:
        raise AssertionError("a call task was planned against the customer's consent")
    from rapport.core.domain.actor import Actor

    automatic = create_task(
        app, Actor.system("tasks: no contact"),
        {"title": "Key-account check-in call", "kind": "call", "customer_id": customer.id,
         "assignee_id": ivan.user_id, "due": "завтра в 10"},
        source="no_contact", dedupe_key="t",
    )  # fmt: skip
    assert automatic is not None and automatic.kind == "email"
    assert automatic.title == (
        "Key-account check-in call — by email: the customer agreed to email only"
    )
    assert [t.kind for t in list_tasks(app, ivan)] == ["email"]


def test_a_managers_workbook_holds_only_what_the_manager_may_see(make_app, team, tmp_path):
    from rapport.core.services.customers import create_customer
    from rapport.core.settings import SheetsSettings

    app = make_app(sheets=SheetsSettings(path=tmp_path / "rapport.xlsx", editor="Olga Manager"))
    supply(app, team["ivan"])
    south = create_customer(app, team["sofia"], {"name": "Южный склад", "phones": ["+79990001122"]})
    workbook = Workbook(app, tmp_path / "rapport.xlsx")
    workbook.sync()
    shown = repr([workbook.rows("Customers"), workbook.rows("Deals")])
    assert "Южный склад" not in shown and "+79990001122" not in shown
    assert "Поставка" in shown  # north's deal is there
    assert south.id
