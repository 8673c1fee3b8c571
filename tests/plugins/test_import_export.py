import csv
import io

import pytest
from click.testing import CliRunner

from rapport.core.domain.errors import InvalidInput
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import create_customer, list_customers
from rapport.plugins.contacts.exporting import export_customers
from rapport.plugins.contacts.importing import plan_import, run_import
from rapport.plugins.contacts.tabular import read_source
from rapport.plugins.contacts.tags import set_tags
from tests.helpers import count_customers

RUSSIAN_EXCEL = (
    "ФИО;Компания;Должность;Телефон;E-mail;Откуда узнал о нас;Теги;Колонка менеджера\r\n"
    "Анна Кузнецова;ООО «Ромашка»;закупщик;8 (912) 345-67-89;anna@romashka.ru;exhibition;vip;x\r\n"
    "Игорь Волков;ООО «Ромашка»;директор;+7 912 000-11-22;;website;;y\r\n"
    "Пётр Сидоров;;;+7 999;not-an-email;radio;;z\r\n"
    "Анна К.;;;89123456789;;;;\r\n"
    ";;;;;;;\r\n"
    "Ольга Смирнова;АО «Север»;бухгалтер;+7 495 123 45 67;olga@sever.ru;;vip, dealer;\r\n"
).encode("cp1251")


def import_bytes(app, actor, data, name="clients.csv", **options):
    table = read_source(data, name)
    plan = plan_import(app, table, options.pop("mapping", None))
    return table, run_import(app, actor, plan, **options)


def test_a_russian_excel_file_imports_with_every_problem_reported_by_line(app, team):
    table, report = import_bytes(app, team["ivan"], RUSSIAN_EXCEL)
    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert report.rows == 5 and report.created == 3 and report.organisations_created == 2
    assert report.duplicates == [(5, "repeats line 2 (same phone +79123456789)")]
    [(line, reasons)] = report.failed
    assert line == 4
    assert "Phones: '+7 999' is too short" in reasons
    assert "E-mails: 'not-an-email' is not an e-mail address" in reasons
    assert "Where they heard of us: 'radio' is not one of" in reasons
    people = {c.name: c for c in list_customers(app, team["ivan"], limit=100)}
    assert sorted(people) == sorted(
        ["Анна Кузнецова", "АО «Север»", "Игорь Волков", "ООО «Ромашка»", "Ольга Смирнова"]
    )
    anna = people["Анна Кузнецова"]
    assert anna.organisation_id == people["ООО «Ромашка»"].id and anna.position == "закупщик"
    assert anna.phones == ["+79123456789"] and anna.fields == {"source": "exhibition"}
    assert people["Игорь Волков"].organisation_id == anna.organisation_id
    assert set_tags(app, team["ivan"], people["Ольга Смирнова"].id) == ["dealer", "vip"]


def test_rows_already_in_the_base_are_skipped_unless_asked(app, team):
    create_customer(app, team["sofia"], {"name": "Kuznetsova", "phones": ["+7 912 345 67 89"]})
    _, report = import_bytes(app, team["ivan"], RUSSIAN_EXCEL)
    assert (2, "already in the base as #1 (same phone +79123456789)") in report.duplicates
    before = count_customers(app)
    _, again = import_bytes(app, team["ivan"], RUSSIAN_EXCEL, allow_duplicates=True)
    assert again.created == 4 and count_customers(app) == before + 4


def test_missing_name_column_and_bad_mapping_are_explained(app, team):
    data = "Телефон;Почта\n+7 912 345 67 89;a@b.ru\n".encode()
    with pytest.raises(
        InvalidInput, match=r"no column holds the name.*the file has: Телефон, Почта"
    ):
        plan_import(app, read_source(data, "x.csv"))
    table = read_source(data, "x.csv")
    with pytest.raises(InvalidInput, match=r"'Phone2' is not a field"):
        plan_import(app, table, {"Телефон": "Phone2"})
    plan = plan_import(app, table, {"Почта": "name"})
    assert plan.mapping == {"Почта": "name", "Телефон": "phones"}


def test_columns_named_after_custom_field_labels_and_explicit_mapping(app, team):
    data = b"Client,Region,Mobile,Ignore me\nAcme,North,+7 912 345 67 89,zzz\n"
    table = read_source(data, "clients.csv")
    plan = plan_import(app, table, {"Ignore me": "-"})
    assert plan.mapping == {"Client": "name", "Region": "region", "Mobile": "phones"}
    report = run_import(app, team["ivan"], plan)
    assert report.created == 1
    [acme] = list_customers(app, team["ivan"])
    assert acme.fields == {"region": "North"}


def test_a_vcard_from_a_phone_imports_with_cyrillic_and_folded_lines(app, team):
    vcf = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9A=D1=83=D0=B7=D0=BD=D0=B5=D1=86=D0=BE=D0=B2=D0=B0;=D0=90=D0=BD=\r\n"
        b"=D0=BD=D0=B0;;;\r\n"
        b"TEL;CELL:+7 912 345 67 89\r\nTEL;WORK:8 495 123 45 67\r\n"
        b"EMAIL:anna@romashka.ru\r\nORG:Romashka;Sales\r\nBDAY:1985-03-20\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Igor\r\n  Volkov\r\nitem1.TEL:+7 912 000 11 22\r\n"
        b"NOTE:likes\\, tea\r\nEND:VCARD\r\n"
    )
    table, report = import_bytes(app, team["ivan"], vcf, name="contacts.vcf")
    assert table.kind == "vcard" and report.created == 2 and not report.failed
    people = {c.name: c for c in list_customers(app, team["ivan"])}
    anna = people["Анна Кузнецова"]
    assert anna.phones == ["+79123456789", "+74951234567"]
    assert anna.fields["birthday"] == "1985-03-20"
    assert (
        people["Romashka"].kind == "organisation" and anna.organisation_id == people["Romashka"].id
    )
    assert people["Igor Volkov"].fields["notes"] == "likes, tea"


def test_unreadable_files_are_refused_clearly():
    with pytest.raises(InvalidInput, match="file: is empty"):
        read_source(b"  \n", "x.csv")
    with pytest.raises(InvalidInput, match="has no END:VCARD"):
        read_source(b"BEGIN:VCARD\nFN:x\n", "x.vcf")
    with pytest.raises(InvalidInput, match="cannot be read as utf-8"):
        read_source("Имя\nАнна".encode("cp1251"), "x.csv", encoding="utf-8")


def test_export_is_formula_safe_and_imports_back_unchanged(app, team, make_app):
    ivan = team["ivan"]
    evil = create_customer(
        app,
        ivan,
        {
            "name": '=HYPERLINK("http://evil","click")',
            "phones": ["+7 912 345 67 89"],
            "fields": {"region": "@north"},
        },
    )
    set_tags(app, ivan, evil.id, add=["vip"])
    create_customer(app, team["sofia"], {"name": "Not Ivan's"})
    out = io.StringIO()
    assert export_customers(app, ivan, out) == 1
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    header, row = rows
    cells = dict(zip(header, row, strict=True))
    assert cells["Name"] == '\'=HYPERLINK("http://evil","click")'
    assert (
        cells["Phones"] == "'+79123456789"
        and cells["Region"] == "'@north"
        and cells["Tags"] == "vip"
    )
    # The same file goes back in as the same customer.
    other = make_app()
    _, report = import_bytes(
        other,
        team["manager"],
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        mapping={"ID": "-", "Kind": "kind", "Owner": "-"},
        allow_duplicates=True,
    )
    assert report.failed == []
    copy = [c for c in list_customers(other, team["manager"]) if c.id != evil.id][-1]
    assert (
        copy.name == evil.name
        and copy.phones == evil.phones
        and copy.fields == {"region": "@north"}
    )


def test_export_of_a_segment(app, team, tmp_path):
    create_customer(app, team["ivan"], {"name": "North", "fields": {"region": "North"}})
    create_customer(app, team["ivan"], {"name": "South", "fields": {"region": "South"}})
    out = io.StringIO()
    assert export_customers(app, team["manager"], out, segment="region = North") == 1
    assert "North" in out.getvalue() and "South;" not in out.getvalue()


def test_the_cli_import_shows_a_preview_a_progress_bar_and_a_report(
    app, team, tmp_path, monkeypatch, settings
):
    from rapport.core.cli import main

    path = tmp_path / "clients.csv"
    path.write_bytes(RUSSIAN_EXCEL)
    monkeypatch.setenv("RAPPORT_DATABASE_URL", settings.database_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    preview = runner.invoke(main, ["import", str(path), "--preview"])
    assert preview.exit_code == 0, preview.output
    assert "5 rows, cp1251, columns separated by ';'" in preview.output
    assert "ФИО                          -> name" in preview.output
    assert "Колонка менеджера            -> (not imported)" in preview.output
    assert count_customers(app) == 0
    report = tmp_path / "problems.csv"
    result = runner.invoke(
        main, ["import", str(path), "--yes", "--report", str(report), "--owner", "Ivan Rep"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Imported 3 of 5 rows" in result.output
        and "1 duplicates skipped, 1 rows refused" in result.output
    )
    assert "line 4: refused: " in result.output
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line;outcome;reason" and lines[1].startswith("4;refused;")
    card = customer_card(app, team["manager"], 1)
    assert card.customer.name == "ООО «Ромашка»"
