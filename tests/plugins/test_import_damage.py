"""Damaged import files (issue 16): every byte decodes, a bad row is refused on its own with
its line, and the report says exactly what was stored."""

import pytest

from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.fields import FieldSpec
from rapport.core.markers import hookimpl
from rapport.core.services.customers import list_customers
from rapport.plugins.contacts.importing import plan_import, run_import
from rapport.plugins.contacts.tabular import read_source


def import_bytes(app, actor, data, name="clients.csv", **options):
    table = read_source(data, name)
    plan = plan_import(app, table, options.pop("mapping", None))
    return table, run_import(app, actor, plan, **options)


def stored_names(app, actor):
    return sorted(c.name for c in list_customers(app, actor, limit=1000))


def test_every_byte_decodes_even_those_windows_1251_leaves_undefined():
    every = bytes(b for b in range(256) if b not in b'\r\n",;\t|')
    table = read_source(b"Name\nAnna\x98\n" + every + b"\n", "x.csv")
    assert [row.line for row in table.rows] == [2, 3]
    assert table.rows[0].values["Name"].startswith("Anna")


def test_a_utf8_file_with_a_few_windows_1251_lines_is_decoded_line_by_line(app, team):
    data = (
        "Name\nЕщё Один\n".encode() + "Анна Кузнецова\n".encode("cp1251") + "Борис Ёлкин\n".encode()
    )
    table, report = import_bytes(app, team["ivan"], data)
    assert table.encoding == "utf-8"
    assert [row.values["Name"] for row in table.rows] == [
        "Ещё Один",
        "Анна Кузнецова",
        "Борис Ёлкин",
    ]
    assert report.created == 3
    [(line, note)] = report.notes
    assert line == 3 and "Windows-1251" in note
    assert stored_names(app, team["ivan"]) == ["Анна Кузнецова", "Борис Ёлкин", "Ещё Один"]


def test_a_wholly_windows_1251_file_is_named_so_without_a_note_per_row():
    table = read_source("Имя\nАнна\nБорис\n".encode("cp1251"), "x.csv")
    assert table.encoding == "cp1251" and table.notes == []
    assert [row.values["Имя"] for row in table.rows] == ["Анна", "Борис"]


def test_a_huge_cell_refuses_its_row_only(app, team):
    data = b"Name;Notes\nAnna;short\nBoris;" + b"x" * 200_000 + b"\nCarl;ok\n"
    _, report = import_bytes(app, team["ivan"], data)
    assert report.created == 2
    [(line, reason)] = report.failed
    assert line == 3 and "longer than" in reason
    assert stored_names(app, team["ivan"]) == ["Anna", "Carl"]


@pytest.mark.parametrize(
    ("broken", "stored"),
    [
        # Never closed: that line alone is refused, the next ones are read again.
        ('"Boris;+7 912 000 11 22;Kyiv\nCarl;+7 495 123 45 67;Minsk\n', ["Anna", "Carl", "Dora"]),
        # Closed on a later line, or closed right but with a row inside: both lines refused.
        ('"Boris;+7 912 000 11 22;Kyiv\nCarl;"+7 495 123 45 67";Minsk\n', ["Anna", "Dora"]),
        ('Boris;"+7 912 000 11 22;Kyiv\nCarl;+7 495 123 45 67;Minsk";x\n', ["Anna", "Dora"]),
    ],
)
def test_an_unclosed_quote_is_reported_with_its_line_never_imported_merged(
    app, team, broken, stored
):
    data = (
        "Name;Phone;City\nAnna;+7 912 345 67 89;Moscow\n" + broken + "Dora;+7 912 111 22 33;Oslo\n"
    )
    _, report = import_bytes(app, team["ivan"], data.encode(), mapping={"City": "address"})
    assert report.created == len(stored) and report.rows == len(stored) + 1
    [(line, reason)] = report.failed
    assert line == 3 and "quote opened on line 3" in reason
    assert stored_names(app, team["ivan"]) == stored


def test_a_multi_line_address_in_quotes_is_still_one_row():
    table = read_source(b'Name;Address\nAnna;"Moscow\nTverskaya 1"\nBoris;Kyiv\n', "x.csv")
    assert [row.problem for row in table.rows] == [None, None]
    assert table.rows[0].values["Address"] == "Moscow\nTverskaya 1"
    assert table.rows[1].line == 4
    notes = read_source(b'Name,Notes\nAnna,"Call back, Monday\nthen mail, if no"\n', "x.csv")
    assert [row.problem for row in notes.rows] == [None]


def card(*lines):
    return "BEGIN:VCARD\r\nVERSION:2.1\r\n" + "".join(f"{x}\r\n" for x in lines) + "END:VCARD\r\n"


def test_an_unknown_vcard_charset_falls_back_and_names_the_card(app, team):
    vcf = card("FN:Boris") + card("N;CHARSET=X-NOSUCH;ENCODING=QUOTED-PRINTABLE:=41=6E=6E=61;;;")
    _table, report = import_bytes(app, team["ivan"], vcf.encode(), name="c.vcf")
    assert report.created == 2
    [(line, note)] = report.notes
    assert line == 5 and "X-NOSUCH" in note
    assert stored_names(app, team["ivan"]) == ["Anna", "Boris"]


def test_a_nested_vcard_keeps_the_outer_card(app, team):
    vcf = (
        "BEGIN:VCARD\r\nFN:Outer Card\r\nBEGIN:VCARD\r\nFN:Inner Card\r\nEND:VCARD\r\n"
        "TEL:+7 912 345 67 89\r\nEND:VCARD\r\n"
    )
    _, report = import_bytes(app, team["ivan"], vcf.encode(), name="c.vcf")
    assert report.created == 2 and not report.failed
    assert [line for line, _ in report.notes] == [3]
    people = {c.name: c for c in list_customers(app, team["ivan"])}
    assert people["Outer Card"].phones == ["+79123456789"] and people["Inner Card"].phones == []


def test_control_characters_refuse_their_row_and_every_other_row_is_stored(app, team):
    data = (
        b"Name;Phone;Region;Company;Tags\n"
        b"Good One;;;;\n"
        b"Bad\x00Name;;;;\n"
        b"Bad Phone;+7 912\x1b 345 67 89;;;\n"
        b"Good Two;;;;\n"
        b"Bad Region;;North\x07;;\n"
        b"Bad Company;;;Acme\x00;\n"
        b"Bad Tag;;;;vip\x01\n"
        b"Good Three;;;;\n"
    )
    _, report = import_bytes(app, team["ivan"], data, chunk_size=2)
    assert report.created == 3
    assert [line for line, _ in report.failed] == [3, 4, 6, 7, 8]
    reasons = [reason for line, reason in report.failed if line != 4]  # 4: not a phone number
    assert all("control character" in reason for reason in reasons), report.failed
    assert stored_names(app, team["ivan"]) == ["Good One", "Good Three", "Good Two"]


def test_control_characters_in_a_vcard_refuse_that_card(app, team):
    vcf = card("FN:Good") + card("FN:Bad\x00Card") + card("FN:Fine", "NOTE:a\x1bb")
    _, report = import_bytes(app, team["ivan"], vcf.encode(), name="c.vcf")
    assert report.created == 1 and [line for line, _ in report.failed] == [5, 9]
    assert stored_names(app, team["ivan"]) == ["Good"]


class Figures:
    @hookimpl
    def register_fields(self, register):
        register(
            FieldSpec(entity="customer", name="turnover", type=FieldType.MONEY, label="Turnover")
        )
        register(
            FieldSpec(entity="customer", name="headcount", type=FieldType.NUMBER, label="Headcount")
        )


@pytest.mark.parametrize(
    "value", ["1e30", "Infinity", "-Infinity", "NaN", "sNaN", "1" * 29, "1e999999999", "-5"]
)
@pytest.mark.parametrize("column", ["Turnover", "Headcount"])
def test_numbers_out_of_range_refuse_their_row(make_app, team, value, column):
    app = make_app(plugins=[("figures", Figures())])
    if value == "-5" and column == "Headcount":
        value = "1" * 40
    data = f"Name;{column}\nFirst;10\nSecond;{value}\nThird;20\n".encode()
    _, report = import_bytes(app, team["ivan"], data)
    assert report.created == 2
    [(line, _)] = report.failed
    assert line == 3
    assert stored_names(app, team["ivan"]) == ["First", "Third"]


def test_the_cli_names_unreadable_rows_before_asking_and_guesses_in_the_report(
    app, admin, tmp_path, monkeypatch, settings
):
    from click.testing import CliRunner

    from rapport.core.cli import main

    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "Name;Phone\nЕщё Один;\n".encode()
        + b'"Boris;+7 912 000 11 22\n'
        + "Анна Кузнецова;\n".encode("cp1251")
    )
    monkeypatch.setenv("RAPPORT_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    preview = runner.invoke(main, ["import", str(path), "--preview"])
    assert preview.exit_code == 0, preview.output
    assert "line 3: cannot be read: a quote opened on line 3 is never closed" in preview.output
    assert "line 4: note: not UTF-8: read as Windows-1251" in preview.output
    report = tmp_path / "report.csv"
    result = runner.invoke(main, ["import", str(path), "--yes", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 of 3 rows" in result.output and "1 rows refused" in result.output
    assert "1 rows stored from a guess" in result.output
    assert "line 3: refused: a quote opened on line 3" in result.output
    assert "line 4: note: not UTF-8" in result.output
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(";")[:2] for line in lines[1:]] == [["3", "refused"], ["4", "note"]]
    assert stored_names(app, admin) == ["Анна Кузнецова", "Ещё Один"]


def test_an_unexpected_failure_stops_the_import_and_the_report_says_what_is_stored(
    app, team, monkeypatch
):
    import rapport.plugins.contacts.importing as importing

    real = importing.create_customers

    def failing(app, actor, rows, **options):
        if any(row["name"] == "Boom" for row in rows):
            raise RuntimeError("the database went away")
        return real(app, actor, rows, **options)

    monkeypatch.setattr(importing, "create_customers", failing)
    data = b"Name\nA\nB\nC\nBoom\nE\n"
    _, report = import_bytes(app, team["ivan"], data, chunk_size=2)
    assert report.created == 2 and report.stopped == (4, "the database went away")
    assert stored_names(app, team["ivan"]) == ["A", "B"]


def test_binary_spreadsheets_are_refused_as_such():
    with pytest.raises(InvalidInput, match="an Excel workbook"):
        read_source(b"PK\x03\x04\x14\x00\x06\x00rest of a zip", "clients.csv")
    with pytest.raises(InvalidInput, match="an Excel workbook"):
        read_source(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest of an xls", "clients.csv")


def test_the_cli_says_where_a_stopped_import_stopped(app, admin, tmp_path, monkeypatch, settings):
    from click.testing import CliRunner

    import rapport.plugins.contacts.importing as importing
    from rapport.core.cli import main

    def failing(app, actor, rows, **options):
        raise RuntimeError("server closed the connection unexpectedly\nSQL: INSERT ...")

    monkeypatch.setattr(importing, "create_customers", failing)
    monkeypatch.setenv("RAPPORT_DATABASE_URL", settings.database_url)
    path = tmp_path / "x.csv"
    path.write_bytes(b"Name\nA\nB\n")
    result = CliRunner().invoke(main, ["import", str(path), "--yes"])
    assert result.exit_code == 1, result.output
    assert "Imported 0 of 2 rows" in result.output
    assert (
        "Stopped at line 2: server closed the connection unexpectedly. "
        "Nothing from line 2 on was stored." in result.output
    )
    assert "Traceback" not in result.output


def test_a_windows_1251_line_in_a_utf8_vcard_file_names_its_card():
    vcf = card("FN:Ещё Один").encode() + card("FN:Анна").encode("cp1251")
    table = read_source(vcf, "c.vcf")
    assert [row.values["name"] for row in table.rows] == ["Ещё Один", "Анна"]
    assert table.notes == [(5, "not UTF-8: read as Windows-1251, check its letters")]
