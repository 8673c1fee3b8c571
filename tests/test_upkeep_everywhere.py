"""Keeping records right from the chat and the CLI: /set, /merge, /tag, /untag,
/interactions, /drop, /products, /product, /unproduct, through the one command-line
runner the bot, the console chat and `rapport do` share."""

import asyncio
from datetime import timedelta

import pytest

from rapport.core.command_lines import run_command_line
from rapport.core.domain.errors import InvalidInput, NotFound, PermissionDenied
from rapport.core.services.customers import create_customer, get_customer, list_customers
from rapport.core.services.deals import create_deal, get_deal
from rapport.core.services.interactions import list_interactions, log_interaction
from rapport.plugins.tasks.reminders import queue_due_reminders
from rapport.plugins.tasks.services import create_task, list_tasks
from tests.helpers import audit_entries, waiting_notifications


def run(app, actor, line):
    return asyncio.run(run_command_line(app, actor, line))


def test_a_rep_sets_phones_custom_fields_and_consent_by_their_russian_names(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "ООО Ромашка"})
    reply = run(app, ivan, f"/set {customer.id} телефон +7 912 000-11-22, 8 (343) 111-22-33")
    assert reply.text.startswith("ООО Ромашка (#1): ")
    run(app, ivan, f"/set {customer.id} Отрасль Строительство")
    run(app, ivan, f"/set {customer.id} consent email")
    run(app, ivan, f"/set {customer.id} День рождения 01.02.1990")
    stored = get_customer(app, ivan, customer.id)
    assert stored.phones == ["+79120001122", "+73431112233"]
    assert stored.fields["industry"] == "Строительство"
    assert stored.fields["consent"] == ["email"]
    assert stored.fields["birthday"] == "1990-02-01"
    [*_, last] = audit_entries(app, "customer", customer.id)
    assert (last.actor_id, last.channel.value) == (ivan.user_id, "bot")


def test_garbage_in_set_is_refused_and_changes_nothing(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme", "emails": ["a@acme.ru"]})
    with pytest.raises(NotFound, match="no field «shoe»"):
        run(app, ivan, f"/set {customer.id} shoe size 42")
    with pytest.raises(InvalidInput):
        run(app, ivan, f"/set {customer.id} email not-an-address")
    with pytest.raises(InvalidInput):
        run(app, ivan, f"/set {customer.id} name \x00")
    assert get_customer(app, ivan, customer.id).emails == ["a@acme.ru"]
    assert run(app, ivan, "/set").text.startswith("Write: /set 12 phone")


def test_merging_shows_what_it_will_do_then_keeps_everything(app, team):
    ivan = team["ivan"]
    kept = create_customer(app, ivan, {"name": "Ромашка", "phones": ["+79120001122"]})
    dupe = create_customer(app, ivan, {"name": "Ромашка ООО", "emails": ["r@romashka.ru"]})
    log_interaction(app, ivan, {"customer_id": dupe.id, "kind": "call", "summary": "Договорились"})
    preview = run(app, ivan, f"/merge {kept.id} {dupe.id}")
    assert "Moves 1 interaction(s), 0 deal(s), 0 contact person(s)." in preview.text
    assert ("Merge", f"/merge {kept.id} {dupe.id} yes") in preview.options
    assert list_interactions(app, ivan, dupe.id)  # a preview writes nothing
    run(app, ivan, f"/merge {kept.id} {dupe.id} yes")
    merged = get_customer(app, ivan, kept.id)
    assert merged.emails == ["r@romashka.ru"]
    history = run(app, ivan, f"/interactions {kept.id}").text
    assert "call: Договорились" in history


def test_a_rep_cannot_merge_or_edit_someone_elses_customer(app, team):
    theirs = create_customer(app, team["sofia"], {"name": "South Ltd"})
    mine = create_customer(app, team["ivan"], {"name": "North Ltd"})
    for line in (f"/merge {mine.id} {theirs.id} yes", f"/set {theirs.id} address Kazan",
                 f"/tag {theirs.id} vip"):  # fmt: skip
        with pytest.raises(NotFound):
            run(app, team["ivan"], line)
    assert get_customer(app, team["sofia"], theirs.id).address is None


def test_tags_come_and_go(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    assert run(app, ivan, f"/tag {customer.id} VIP, дилер").text == "Tags of #1: vip, дилер."
    assert run(app, ivan, f"/untag {customer.id} vip").text == "Tags of #1: дилер."


def test_a_dropped_task_is_cancelled_and_its_waiting_reminder_never_goes_out(app, team, clock):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    task = create_task(app, ivan, {"title": "Call", "customer_id": customer.id,
                                   "due": clock.now + timedelta(minutes=20)})  # fmt: skip
    queue_due_reminders(app)  # queued, no chat adapter took it yet
    assert [n for n in waiting_notifications(app) if n.kind == "reminder"]
    assert run(app, ivan, f"/drop {task.id} клиент закрылся").text == "Task #1 cancelled."
    assert [t.id for t in list_tasks(app, ivan)] == []
    assert [n for n in waiting_notifications(app) if n.kind == "reminder"] == []


def test_a_deals_products_make_its_amount(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": customer.id})
    with pytest.raises(InvalidInput, match="quantity: must be more than 0"):
        run(app, ivan, f"/product {deal.id} Кирпич М150 1 000 45,50")  # "000" pieces
    added = run(app, ivan, f"/product {deal.id} Кирпич М150 1000 45,50")
    assert "1. Кирпич М150 — 1,000 × RUB\xa045.50 = RUB\xa045,500.00" in added.text
    assert ("✖ 1. Кирпич М150", f"/unproduct {deal.id} 1") in added.options
    assert get_deal(app, ivan, deal.id).amount == 45500
    with pytest.raises(InvalidInput):
        run(app, ivan, f"/product {deal.id} Цемент 1e30 5")
    assert get_deal(app, ivan, deal.id).amount == 45500
    removed = run(app, ivan, f"/unproduct {deal.id} 1")
    assert "No products yet." in removed.text
    assert get_deal(app, ivan, deal.id).amount == 0  # not the total of lines no longer there


def test_a_command_given_only_its_record_asks_for_the_rest(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": customer.id})
    asked = {line: run(app, ivan, line).completes for line in (
        f"/product {deal.id}", f"/discount {deal.id}", f"/reassign {deal.id}",
        f"/lost {deal.id}", f"/tag {customer.id}", f"/date {customer.id}",
        f"/task {customer.id}", f"/edit {customer.id} phone")}  # fmt: skip
    assert asked == {
        f"/product {deal.id}": f"/product {deal.id}",
        f"/discount {deal.id}": f"/discount {deal.id}",
        f"/reassign {deal.id}": f"/reassign {deal.id}",
        f"/lost {deal.id}": f"/lost {deal.id}",
        f"/tag {customer.id}": f"/tag {customer.id}",
        f"/date {customer.id}": f"/date {customer.id}",
        f"/task {customer.id}": f"/task {customer.id}",
        f"/edit {customer.id} phone": f"/set {customer.id} phones",
    }


def test_a_number_longer_than_an_id_is_a_usage_not_a_crash(app, team):
    huge = "9" * 30
    for line, usage in (
        (f"/done {huge}", "Which task?"), (f"/snooze {huge} tomorrow", "Write: /snooze"),
        (f"/task {huge} tomorrow — call", "Write: /task"), (f"/move {huge}", "Write: /move"),
        (f"/lost {huge}", "Write: /lost"), (f"/discount {huge} 5", "Write: /discount"),
        (f"/reassign {huge} Petr", "Write: /reassign"), (f"/card {huge}", "Which customer?"),
        (f"/approve {huge}", "Which request?"),
    ):  # fmt: skip
        actor = team["manager"] if line.startswith("/approve") else team["ivan"]
        assert run(app, actor, line).text.startswith(usage), line


def test_a_lost_reason_typed_in_ukrainian_reads_back_in_ukrainian(app, team):
    from rapport.core.services.users import set_preferences

    set_preferences(app, team["ivan"], language="uk")
    ivan = team["ivan"].model_copy(update={"language": "uk"})
    customer = create_customer(app, ivan, {"name": "Acme"})
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": customer.id})
    reply = run(app, ivan, f"/lost {deal.id} ціна занадто висока")
    assert reply.text == f"Угоду #{deal.id} закрито як програну: ціна занадто висока."
    assert get_deal(app, ivan, deal.id).lost_reason == "price занадто висока"


def test_an_unknown_or_forbidden_command_is_refused_in_words(app, team):
    with pytest.raises(NotFound, match="I don't know /frobnicate"):
        run(app, team["ivan"], "/frobnicate")
    with pytest.raises(PermissionDenied, match="/approve is for managers"):
        run(app, team["ivan"], "/approve 1")


def test_the_cli_runs_the_same_commands_as_its_person(cli):
    cli("demo")
    reply = cli("--as", "Ivan Petrov", "do", "/set", "1", "телефон", "+79120001122")
    assert reply.startswith(
        "(от имени: Ivan Petrov, менеджер)\nООО «Ромашка» (#1): телефоны — сохранено."
    )
    assert "[Карточка] rapport do /card 1" in reply
    asked = cli("--as", "Ivan Petrov", "do", "/product", "3")
    assert "rapport do /product 3 …" in asked
    assert "Я не знаю /frob" in cli("do", "/frob", code=1)
    history = cli("history", "customer", "1")
    assert "Ivan Petrov из командной строки: изменён" in history  # the team reads ru


def test_a_yearly_date_is_kept_and_a_wrong_one_refused(app, team):
    from rapport.plugins.contacts.dates import dates_of

    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme"})
    reply = run(app, ivan, f"/date {customer.id} 15.06.2019 Годовщина фирмы")
    assert reply.text.startswith("Saved: Годовщина фирмы, 15.06.2019")
    with pytest.raises(InvalidInput):
        run(app, ivan, f"/date {customer.id} 31.02.2019 Ошибка")
    assert [d.label for d in dates_of(app, ivan, customer.id)] == ["Годовщина фирмы"]


def test_rapport_customers_merges_and_sets_under_the_names_a_cli_user_looks_for(cli):
    cli("demo")
    preview = cli("customers", "merge", "1", "4")
    assert "Объединить" in preview and "rapport do /merge 1 4 yes" in preview
    assert "Игорь Волков" in cli("search", "Волков")  # a preview merges nothing
    assert "объединён" in cli("customers", "merge", "1", "4", "--yes")
    assert "Отрасль — сохранено" in cli("customers", "set", "1", "Отрасль", "Строительство")
    assert "Error: Нет клиента #99999." in cli("customers", "interactions", "99999", code=1)


def test_likely_duplicates_are_listed_with_a_merge_each(app, team):
    ivan = team["ivan"]
    kept = create_customer(app, ivan, {"name": "ООО Ромашка", "phones": ["+79120001122"]})
    twin = create_customer(app, ivan, {"name": "Ромашка", "phones": ["+7 912 000-11-22"]})
    create_customer(app, ivan, {"name": "Совсем другой"})
    listed = run(app, ivan, f"/duplicates {kept.id}")
    assert f"#{twin.id} Ромашка (same phone +79120001122" in listed.text
    assert listed.options == ((f"Merge #{twin.id} into it", f"/merge {kept.id} {twin.id}"),)
    assert run(app, ivan, f"/duplicates {twin.id}").options[0][1] == f"/merge {twin.id} {kept.id}"


def test_a_customer_added_by_name_is_checked_for_duplicates_first(app, team):
    ivan = team["ivan"]
    kept = create_customer(app, ivan, {"name": "ООО «Ромашка»"})
    nothing = run(app, ivan, "/find Лютик")
    assert ("➕ New customer «Лютик»", "/newcustomer Лютик") in nothing.options
    assert run(app, ivan, "/newcustomer").completes == "/newcustomer"
    held = run(app, ivan, "/newcustomer Romashka LLC")
    assert "This looks like a customer you already have:" in held.text
    assert (f"Open #{kept.id}", f"/card {kept.id}") in held.options
    assert ("➕ Add anyway", "/newcustomer !Romashka LLC") in held.options
    assert len(list_customers(app, ivan)) == 1  # nothing added yet
    added = run(app, ivan, "/newcustomer !Romashka LLC")
    [new] = [c for c in list_customers(app, ivan) if c.id != kept.id]
    assert new.name == "Romashka LLC" and new.owner_id == ivan.user_id
    assert (f"Merge into #{kept.id}", f"/merge {kept.id} {new.id}") in added.options
    assert run(app, ivan, "/newcustomer Лютик").text == "New customer added: Лютик (#3)."
