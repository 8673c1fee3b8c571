import pytest

from rapport.core.domain.enums import Channel, CustomerKind, FieldType
from rapport.core.domain.errors import ConcurrentChange, InvalidInput, NotFound, PermissionDenied
from rapport.core.domain.fields import FieldSpec
from rapport.core.markers import hookimpl
from rapport.core.services.customers import (
    create_customer,
    get_customer,
    list_customers,
    merge_customers,
    update_customer,
)
from rapport.core.services.deals import create_deal
from rapport.core.services.interactions import list_interactions, log_interaction
from tests.helpers import audit_entries, count_customers


def test_rep_creates_organisation_with_contact_person(app, team):
    ivan = team["ivan"]
    company = create_customer(
        app,
        ivan,
        {"name": "  ООО Ромашка ", "phones": ["8 912 345-67-89"], "emails": ["Zakaz@Romashka.RU"]},
    )
    person = create_customer(
        app,
        ivan,
        {
            "name": "Анна Кузнецова",
            "kind": "person",
            "organisation_id": company.id,
            "position": "закупщик",
        },
    )
    assert company.name == "ООО Ромашка"
    assert company.phones == ["+79123456789"]
    assert company.emails == ["Zakaz@romashka.ru"]
    assert company.owner_id == ivan.user_id
    assert person.kind is CustomerKind.PERSON and person.organisation_id == company.id
    [entry] = audit_entries(app, "customer", company.id)
    assert (entry.actor_id, entry.channel, entry.action) == (ivan.user_id, "bot", "create")
    assert entry.changes["name"] == {"old": None, "new": "ООО Ромашка"}


def test_every_problem_is_reported_at_once_and_nothing_is_written(app, team):
    with pytest.raises(InvalidInput) as error:
        create_customer(
            app,
            team["ivan"],
            {
                "name": "Acme",
                "phones": ["+7 999"],
                "emails": ["not-an-email"],
                "fields": {"turnover": 5},
            },
        )
    message = str(error.value)
    assert "phones.0: '+7 999' is too short" in message
    assert "emails.0: 'not-an-email' is not an e-mail address" in message
    assert "fields.turnover: is not a customer field" in message
    assert count_customers(app) == 0
    assert audit_entries(app, "customer") == []


def test_empty_name_and_unknown_keys_are_named(app, team):
    with pytest.raises(InvalidInput) as error:
        create_customer(app, team["ivan"], {"name": "   ", "colour": "red"})
    assert "name: must not be empty" in str(error.value)
    assert "colour: is not a known field" in str(error.value)


def test_contact_person_must_point_to_an_organisation(app, team):
    person = create_customer(app, team["ivan"], {"name": "Private Person", "kind": "person"})
    with pytest.raises(InvalidInput, match=f"organisation_id: #{person.id} is not an organisation"):
        create_customer(
            app, team["ivan"], {"name": "X", "kind": "person", "organisation_id": person.id}
        )
    with pytest.raises(InvalidInput, match=r"organisation_id: there is no customer #999"):
        create_customer(app, team["ivan"], {"name": "X", "kind": "person", "organisation_id": 999})


def test_update_records_old_and_new_values_and_the_channel(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme", "address": "Moscow"})
    updated = update_customer(app, ivan.via(Channel.SHEET), customer.id, {"address": "Kazan"})
    assert updated.address == "Kazan" and updated.version == customer.version + 1
    entry = audit_entries(app, "customer", customer.id)[-1]
    assert entry.channel == "sheet"
    assert entry.changes == {"address": {"old": "Moscow", "new": "Kazan"}}


def test_an_edit_that_changes_nothing_is_not_recorded(app, team):
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    same = update_customer(app, team["ivan"], customer.id, {"name": "Acme"})
    assert same.version == customer.version
    assert len(audit_entries(app, "customer", customer.id)) == 1


def test_stale_edit_from_another_channel_is_detected_not_lost(app, team):
    ivan = team["ivan"]
    customer = create_customer(app, ivan, {"name": "Acme", "address": "Moscow"})
    # The manager's sheet was synced at version 1; the rep changes the record in the bot.
    update_customer(app, ivan, customer.id, {"address": "Kazan"}, expected_version=customer.version)
    with pytest.raises(ConcurrentChange, match=r"changed by someone else"):
        update_customer(
            app,
            team["manager"].via(Channel.SHEET),
            customer.id,
            {"address": "Samara"},
            expected_version=customer.version,
        )
    assert get_customer(app, ivan, customer.id).address == "Kazan"


def test_rep_sees_own_customers_manager_the_team_admin_all(app, admin, team):
    ivan_customer = create_customer(app, team["ivan"], {"name": "Ivan's customer"})
    create_customer(app, team["petr"], {"name": "Petr's customer"})
    create_customer(app, team["sofia"], {"name": "Sofia's customer"})

    def names(actor):
        return sorted(c.name for c in list_customers(app, actor))

    assert names(team["ivan"]) == ["Ivan's customer"]
    assert names(team["manager"]) == ["Ivan's customer", "Petr's customer"]
    assert len(names(admin)) == 3
    with pytest.raises(NotFound):
        get_customer(app, team["petr"], ivan_customer.id)
    with pytest.raises(NotFound):
        update_customer(app, team["sofia"], ivan_customer.id, {"name": "Mine now"})


def test_rep_cannot_hand_a_customer_to_someone_else(app, team):
    with pytest.raises(PermissionDenied, match=r"ask a manager"):
        create_customer(app, team["ivan"], {"name": "Acme", "owner_id": team["petr"].user_id})
    customer = create_customer(app, team["ivan"], {"name": "Acme"})
    moved = update_customer(app, team["manager"], customer.id, {"owner_id": team["petr"].user_id})
    assert moved.owner_id == team["petr"].user_id
    with pytest.raises(PermissionDenied, match=r"not in your team"):
        update_customer(app, team["manager"], customer.id, {"owner_id": team["sofia"].user_id})


def test_search_by_cyrillic_name_phone_tail_and_email(app, team):
    ivan = team["ivan"]
    romashka = create_customer(
        app,
        ivan,
        {"name": "ООО «Ромашка»", "phones": ["+7 912 345 67 89"], "emails": ["info@romashka.ru"]},
    )
    create_customer(app, ivan, {"name": "Acme Ltd", "phones": ["+7 495 123 45 67"]})

    def found(query):
        return [c.id for c in list_customers(app, ivan, query=query)]

    assert found("ромашка") == [romashka.id]
    assert found("РОМАШКА") == [romashka.id]
    assert found("6789") == [romashka.id]
    assert found("romashka.ru") == [romashka.id]
    assert found("ромашка 6789") == [romashka.id]


def test_custom_fields_declared_by_a_plugin_are_validated_and_stored(make_app, admin):
    class Banking:
        @hookimpl
        def register_fields(self, register):
            register(
                FieldSpec(
                    entity="customer", name="turnover", type=FieldType.MONEY, label="Turnover"
                )
            )
            register(
                FieldSpec(
                    entity="customer",
                    name="region",
                    type=FieldType.CHOICE,
                    label="Region",
                    choices=("North", "South"),
                )
            )

    app = make_app(plugins=[("banking", Banking())])
    actor = admin
    customer = create_customer(
        app,
        actor,
        {"name": "Bank client", "fields": {"turnover": "1 500 000,50", "region": "north"}},
    )
    assert customer.fields == {"turnover": 1500000.5, "region": "North"}
    with pytest.raises(InvalidInput, match=r"fields.region: 'West' is not one of: North, South"):
        update_customer(app, actor, customer.id, {"fields": {"region": "West"}})
    cleared = update_customer(app, actor, customer.id, {"fields": {"region": None}})
    assert cleared.fields == {"turnover": 1500000.5}
    entry = audit_entries(app, "customer", customer.id)[-1]
    assert entry.changes == {"fields.region": {"old": "North", "new": None}}


def test_merge_keeps_everything_of_both_records(app, team):
    ivan = team["ivan"]
    kept = create_customer(
        app, ivan, {"name": "Romashka LLC", "phones": ["+7 912 345 67 89"], "address": "Samara"}
    )
    duplicate = create_customer(
        app,
        ivan,
        {
            "name": "ООО Ромашка",
            "phones": ["+7 912 000 11 22"],
            "emails": ["info@romashka.ru"],
            "address": "Самара, Ленина 1",
        },
    )
    contact = create_customer(
        app, ivan, {"name": "Анна", "kind": "person", "organisation_id": duplicate.id}
    )
    log_interaction(app, ivan, {"customer_id": kept.id, "kind": "call", "summary": "first"})
    log_interaction(app, ivan, {"customer_id": duplicate.id, "kind": "visit", "summary": "second"})
    deal = create_deal(app, ivan, {"title": "Supply", "customer_id": duplicate.id, "amount": 1000})

    merged = merge_customers(app, ivan.via(Channel.SHEET), kept.id, duplicate.id)

    assert merged.phones == ["+79123456789", "+79120001122"]
    assert merged.emails == ["info@romashka.ru"]
    assert merged.address == "Samara"
    assert {i.summary for i in list_interactions(app, ivan, kept.id)} == {"first", "second"}
    assert get_customer(app, ivan, contact.id).organisation_id == kept.id
    from rapport.core.services.deals import get_deal

    assert get_deal(app, ivan, deal.id).customer_id == kept.id
    old = get_customer(app, ivan, duplicate.id)
    assert old.archived and old.merged_into_id == kept.id
    assert [c.id for c in list_customers(app, ivan, query="1122")] == [kept.id]
    entry = audit_entries(app, "customer", kept.id)[-1]
    assert entry.action == "merge" and entry.channel == "sheet"
    assert entry.changes["discarded"]["address"] == {
        "kept": "Samara",
        "discarded": "Самара, Ленина 1",
    }
    assert entry.changes["discarded"]["name"]["discarded"] == "ООО Ромашка"
    assert entry.changes["moved"] == {"interactions": 1, "deals": 1, "contact_persons": 1}
    with pytest.raises(InvalidInput, match=r"was merged into"):
        update_customer(app, ivan, duplicate.id, {"name": "revive"})


def test_a_deactivated_user_is_shut_out_but_their_records_stay(app, admin, team):
    from rapport.core.domain.enums import Channel
    from rapport.core.services.users import actor_for, find_user, set_active

    customer = create_customer(app, team["ivan"], {"name": "Ivan's customer"})
    set_active(app, admin, team["ivan"].user_id, False)
    with pytest.raises(PermissionDenied, match="no longer an active user"):
        actor_for(find_user(app, team["ivan"].user_id), Channel.BOT)
    assert [c.id for c in list_customers(app, team["manager"])] == [customer.id]
    with pytest.raises(PermissionDenied):
        set_active(app, team["manager"], team["petr"].user_id, False)
