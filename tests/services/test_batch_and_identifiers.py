import pytest
from alembic import command
from sqlalchemy import select, text

from rapport import hookimpl
from rapport.core.db.engine import make_engine
from rapport.core.db.migrate import alembic_config, upgrade
from rapport.core.db.tables import CustomerIdentifierRow
from rapport.core.domain.errors import InvalidInput, PermissionDenied, Vetoed
from rapport.core.services.customers import (
    create_customer,
    create_customers,
    find_by_identifier,
    merge_customers,
    update_customer,
)
from rapport.core.services.fields import define_field
from rapport.core.services.uow import UnitOfWork
from tests.helpers import audit_entries, count_customers


def identifiers(app):
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.execute(
            select(
                CustomerIdentifierRow.customer_id,
                CustomerIdentifierRow.kind,
                CustomerIdentifierRow.value,
            )
        )
        return sorted(tuple(r) for r in rows)


def test_phones_and_emails_are_indexed_through_every_change(app, team):
    ivan = team["ivan"]
    first = create_customer(
        app, ivan, {"name": "A", "phones": ["+7 912 345 67 89"], "emails": ["Sales@A.ru"]}
    )
    second = create_customer(app, ivan, {"name": "B", "phones": ["+7 912 000 11 22"]})
    update_customer(app, ivan, first.id, {"emails": ["info@a.ru"]})
    assert identifiers(app) == [
        (first.id, "email", "info@a.ru"),
        (first.id, "phone", "+79123456789"),
        (second.id, "phone", "+79120001122"),
    ]
    merge_customers(app, ivan, first.id, second.id)
    assert identifiers(app) == [
        (first.id, "email", "info@a.ru"),
        (first.id, "phone", "+79120001122"),
        (first.id, "phone", "+79123456789"),
    ]
    with UnitOfWork(app, read_only=True) as uow:
        assert find_by_identifier(uow.session, "phone", ["+79120001122", "+70000000000"]) == {
            "+79120001122": {first.id}
        }


def test_a_batch_creates_the_good_rows_and_reports_the_bad_ones(make_app, team):
    class NoTest:
        @hookimpl
        def validate_change(self, change):
            return "test records are not allowed" if change.after.get("name") == "Test" else None

    app = make_app(plugins=[("no_test", NoTest())])
    progress = []
    result = create_customers(
        app,
        team["ivan"],
        [
            {"name": "Good 1"},
            {"name": "", "phones": ["123"]},
            {"name": "Test"},
            {"name": "Good 2"},
            {"name": "Not mine", "owner_id": team["petr"].user_id},
        ],
        chunk_size=2,
        on_progress=progress.append,
    )
    assert [c.name for c in result.done] == ["Good 1", "Good 2"]
    assert [(f.index, type(f.error)) for f in result.failed] == [
        (1, InvalidInput),
        (2, Vetoed),
        (4, PermissionDenied),
    ]
    assert "name: must not be empty" in str(result.failed[0].error)
    assert "phones.0: '123'" in str(result.failed[0].error)
    assert progress == [2, 4, 5]
    assert count_customers(app) == 2
    assert len(audit_entries(app, "customer")) == 2


def test_an_admin_declares_a_field_that_every_process_then_validates(make_app, admin, team):
    app = make_app()
    other_process = make_app()
    with pytest.raises(PermissionDenied):
        define_field(
            app,
            team["manager"],
            {"entity": "customer", "name": "turnover", "type": "money", "label": "Turnover"},
        )
    define_field(
        app,
        admin,
        {
            "entity": "customer",
            "name": "turnover",
            "type": "money",
            "label": "Turnover",
            "labels": {"ru": "Оборот"},
        },
    )
    customer = create_customer(
        other_process, admin, {"name": "Bank client", "fields": {"turnover": "2 000 000"}}
    )
    assert customer.fields == {"turnover": 2000000}
    with pytest.raises(InvalidInput, match=r"fields.turnover: 'lots' is not a number"):
        create_customer(other_process, admin, {"name": "X", "fields": {"turnover": "lots"}})
    with pytest.raises(
        InvalidInput, match=r"customer already has a field 'turnover' \(from admin\)"
    ):
        define_field(
            other_process,
            admin,
            {"entity": "customer", "name": "turnover", "type": "text", "label": "T"},
        )
    with pytest.raises(InvalidInput, match=r"choices"):
        define_field(
            app,
            admin,
            {"entity": "customer", "name": "region", "type": "choice", "label": "Region"},
        )


def test_upgrading_an_existing_database_indexes_its_customers(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "core_0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO customers (kind, name, search_text, phones, emails, status, fields, archived,"
                " version, created_at, updated_at) VALUES ('person', 'Old', 'old', '[\"+79123456789\"]',"
                " '[\"Old@Mail.ru\"]', 'prospect', '{}', 0, 1, '2026-01-01', '2026-01-01')"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT kind, value FROM customer_identifiers ORDER BY kind")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("email", "old@mail.ru"), ("phone", "+79123456789")]


def test_use_cases_compose_into_one_transaction(make_app, team):
    from rapport.core.services.customers import get_customer, list_customers
    from tests.plugin_modules.recorder import Recorder

    recorder = Recorder()
    app = make_app(plugins=[("recorder", recorder)])
    ivan = team["ivan"]
    with UnitOfWork(app) as uow:
        first = create_customer(app, ivan, {"name": "First"})
        update_customer(app, ivan, first.id, {"address": "Kazan"})
        assert get_customer(app, ivan, first.id).address == "Kazan"  # sees its own writes
        assert "after_customer_created" not in recorder.names()  # not committed yet
        uow.commit()
    assert recorder.names()[-2:] == ["after_customer_created", "after_customer_updated"]
    assert [c.address for c in list_customers(app, ivan)] == ["Kazan"]
    with pytest.raises(InvalidInput), UnitOfWork(app) as uow:
        create_customer(app, ivan, {"name": "Second"})
        create_customer(app, ivan, {"name": ""})  # fails: the whole use case rolls back
        uow.commit()
    assert [c.name for c in list_customers(app, ivan)] == ["First"]
