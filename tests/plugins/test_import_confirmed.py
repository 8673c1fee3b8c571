"""Imports are per row, never half (issue 16): a row is stored with everything it brings or
not at all, nothing is committed from a file the person has not confirmed, and the report
says exactly what was stored, even when the import stops midway."""

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, OperationalError

from rapport.core.cli import main
from rapport.core.db.tables import AuditRow, CustomerRow
from rapport.core.markers import hookimpl
from rapport.core.services import customers
from rapport.core.services.customers import list_customers
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts import importing
from rapport.plugins.contacts.importing import plan_import, run_import
from rapport.plugins.contacts.tables import TagRow
from rapport.plugins.contacts.tabular import read_source

FIVE = (
    b"Name;Phone;Tags\n"
    b"Anna;+7 912 000 00 01;vip\n"
    b"Boris;+7 912 000 00 02;\n"
    b"Carl;+7 912 000 00 03;vip\n"
    b"Dora;+7 912 000 00 04;\n"
    b"Eve;+7 912 000 00 05;\n"
)


def plan(app, data=FIVE):
    return plan_import(app, read_source(data, "clients.csv"))


def stored_names(app, actor):
    return sorted(c.name for c in list_customers(app, actor, limit=1000))


def count(app, table, *where):
    with UnitOfWork(app, read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(table).where(*where))


def test_a_row_the_database_refuses_is_refused_alone_and_the_rest_are_stored(
    app, team, monkeypatch
):
    identifiers = customers._identifiers

    def refusing(customer_id, phones, emails):
        if "+79120000003" in phones:
            raise DataError("INSERT INTO core_customer_phones", {}, ValueError("refused"))
        return identifiers(customer_id, phones, emails)

    monkeypatch.setattr(customers, "_identifiers", refusing)
    report = run_import(app, team["ivan"], plan(app), chunk_size=2)
    assert report.created == 4
    [(line, reason)] = report.failed
    assert line == 4 and "could not be stored" in reason
    assert stored_names(app, team["ivan"]) == ["Anna", "Boris", "Dora", "Eve"]
    customer_changes = count(app, AuditRow, AuditRow.entity == "customer")
    assert customer_changes == 4 + 1  # each creation, and Anna's tag


class Told:
    def __init__(self):
        self.created = []

    @hookimpl
    def after_customer_created(self, app, customer, actor):
        self.created.append(customer.name)


def test_a_row_is_stored_with_its_tags_or_not_at_all(make_app, team, monkeypatch):
    told = Told()
    app = make_app(plugins=[("told", told)])
    insert_tags = importing._insert_tags

    def refusing(uow, rows):
        if uow.session.get(CustomerRow, rows[0]["customer_id"]).name == "Carl":
            raise OperationalError("INSERT INTO contacts_tags", {}, RuntimeError("disk full"))
        return insert_tags(uow, rows)

    monkeypatch.setattr(importing, "_insert_tags", refusing)
    report = run_import(app, team["ivan"], plan(app), chunk_size=2)
    assert report.stopped is None
    [(line, reason)] = report.failed
    assert line == 4 and "disk full" in reason
    assert report.created == 4
    assert stored_names(app, team["ivan"]) == ["Anna", "Boris", "Dora", "Eve"]
    assert count(app, TagRow) == 1
    assert sorted(told.created) == ["Anna", "Boris", "Dora", "Eve"]


@pytest.fixture
def cli(app, admin, tmp_path, monkeypatch, settings):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", settings.database_url)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "clients.csv"
    path.write_bytes(FIVE + b'"Frank;+7 912 000 00 06;\n')
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, ["import", str(path), *args], **kw)


def test_the_cli_asks_before_storing_and_a_no_stores_nothing(cli, app, admin):
    declined = cli(input="n\n")
    assert declined.exit_code == 1, declined.output
    asked = declined.output.index("Import the 5 readable rows of 6?")
    assert "line 7: cannot be read: " in declined.output[:asked]
    assert "Nothing was imported." in declined.output
    unattended = cli()  # a script that forgot --yes
    assert unattended.exit_code == 1
    assert "Nothing was imported: answer at a terminal, or pass --yes." in unattended.output
    assert stored_names(app, admin) == []
    assert count(app, AuditRow, AuditRow.entity == "customer") == 0
    accepted = cli(input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Imported 5 of 6 rows" in accepted.output
    assert stored_names(app, admin) == ["Anna", "Boris", "Carl", "Dora", "Eve"]


def test_a_stopped_chunk_leaves_nothing_behind_not_even_its_organisations(app, team, monkeypatch):
    real = importing.create_customers

    def failing(app, actor, rows, **options):
        if any(row["name"] == "Dora" for row in rows):
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))
        return real(app, actor, rows, **options)

    monkeypatch.setattr(importing, "create_customers", failing)
    data = (
        FIVE.replace(b"Tags", b"Company")
        .replace(b"vip", b"Acme")
        .replace(b"+7 912 000 00 04;", b"+7 912 000 00 04;Globex")
    )
    report = run_import(app, team["ivan"], plan(app, data), chunk_size=2)
    assert report.stopped is not None and report.stopped[0] == 4
    assert stored_names(app, team["ivan"]) == ["Acme", "Anna", "Boris"]
    assert (report.created, report.organisations_created) == (2, 1)
