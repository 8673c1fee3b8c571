"""Any file a person may feed ``rapport import``: Rapport's own refusal, or a report that
says exactly what was stored.

Hypothesis writes CSV text (cells of any characters, quotes, delimiters and line breaks,
in UTF-8, Windows-1251 or UTF-16) and raw bytes after a valid header. Reading, planning
and importing either raise one of Rapport's errors or import; every row the report counts
as imported is stored under the name the file gave it, and no other row is.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rapport.core.db.tables import CustomerRow
from rapport.core.domain.errors import RapportError
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.importing import plan_import, run_import
from rapport.plugins.contacts.tabular import read_source

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = "Name;Phone;Notes;Tags;Company\n"
CELL = st.text(max_size=40) | st.sampled_from(
    ['"', '""', '"a;b"', "\x00", "\x98", "a\nb", "+7 912 345 67 89", "x" * 200, "1e30", "=1+1"]
)
ROW = st.lists(CELL, max_size=5).map(";".join)
TEXT = st.lists(ROW, max_size=8).map(lambda rows: HEADER + "\n".join(rows))
ENCODED = st.tuples(TEXT, st.sampled_from(["utf-8", "cp1251", "utf-16"])).map(
    lambda pair: pair[0].encode(pair[1], "replace")
)
FILES = ENCODED | st.binary(max_size=300).map(lambda data: HEADER.encode() + data)
VCARD_LINE = st.sampled_from(
    ["BEGIN:VCARD", "END:VCARD", "VERSION:2.1", "FN:Anna", "TEL:+7 912 345 67 89", " folded"]
) | st.builds(
    "{}:{}".format,
    st.sampled_from(["FN", "N", "ORG", "TEL", "EMAIL", "NOTE", "BDAY",
                     "N;CHARSET=X-NOSUCH;ENCODING=QUOTED-PRINTABLE",
                     "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE"]),
    st.text(max_size=30),
)  # fmt: skip
VCARDS = st.lists(VCARD_LINE, max_size=20).map(
    lambda lines: "BEGIN:VCARD\r\n" + "\r\n".join(lines) + "\r\nEND:VCARD\r\n"
)


NAME, ORG = ("Name", "name"), ("Company", "organisation")


def stored_name(values):
    """The name a row is stored under: its name, or else its organisation's."""
    cell = next((values[key].strip() for key in NAME + ORG if values.get(key, "").strip()), "")
    return " ".join(cell.split())


def max_id(app):
    with UnitOfWork(app, read_only=True) as uow:
        return uow.session.scalar(select(func.coalesce(func.max(CustomerRow.id), 0)))


def names_after(app, first_id):
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(select(CustomerRow.name).where(CustomerRow.id > first_id))
        return sorted(rows)


@FUZZ
@given(data=FILES)
def test_any_file_is_refused_clearly_or_imported_exactly_as_reported(app, team, data):
    imported_as_reported(app, team["ivan"], data, "fuzz.csv")


@FUZZ
@given(text=VCARDS, encoding=st.sampled_from(["utf-8", "cp1251"]))
def test_any_vcard_file_is_refused_clearly_or_imported_exactly_as_reported(
    app, team, text, encoding
):
    imported_as_reported(app, team["ivan"], text.encode(encoding, "replace"), "fuzz.vcf")


def imported_as_reported(app, actor, data, filename):
    before = max_id(app)
    try:
        table = read_source(data, filename)
        report = run_import(app, actor, plan_import(app, table), chunk_size=3)
    except RapportError as exc:
        event(f"refused: {type(exc).__name__}")
        assert max_id(app) == before
        return
    skipped = {line for line, _ in report.failed + report.duplicates}
    expected = sorted(stored_name(row.values) for row in table.rows if row.line not in skipped)
    assert report.created == len(expected) == report.rows - len(skipped)
    stored, imported = Counter(names_after(app, before)), Counter(expected)
    assert not imported - stored  # every row counted as imported is stored under its name
    # Besides the rows: the organisations they name, created once (and counted) for them.
    organisations = stored - imported
    assert organisations.total() == report.organisations_created
    named = {" ".join(row.values.get(key, "").split()) for row in table.rows for key in ORG}
    assert set(organisations) <= named
    event(f"imported some: {report.created > 0}; refused some: {bool(report.failed)}")
