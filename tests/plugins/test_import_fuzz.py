"""Any file a person may feed ``rapport import``: Rapport's own refusal, or a report that
says exactly what was stored.

Hypothesis writes CSV text (cells of any characters, quotes, delimiters and line breaks,
in UTF-8, Windows-1251 or UTF-16) and raw bytes after a valid header. Reading, planning
and importing either raise one of Rapport's errors or import; every row the report counts
as imported is stored under the name the file gave it, and no other row is.
"""

from __future__ import annotations

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
HEADER = "Name;Phone;Notes;Tags\n"
CELL = st.text(max_size=40) | st.sampled_from(
    ['"', '""', '"a;b"', "\x00", "\x98", "a\nb", "+7 912 345 67 89", "x" * 200, "1e30", "=1+1"]
)
ROW = st.lists(CELL, max_size=5).map(";".join)
TEXT = st.lists(ROW, max_size=8).map(lambda rows: HEADER + "\n".join(rows))
ENCODED = st.tuples(TEXT, st.sampled_from(["utf-8", "cp1251", "utf-16"])).map(
    lambda pair: pair[0].encode(pair[1], "replace")
)
FILES = ENCODED | st.binary(max_size=300).map(lambda data: HEADER.encode() + data)


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
    before = max_id(app)
    try:
        table = read_source(data, "fuzz.csv")
        report = run_import(app, team["ivan"], plan_import(app, table), chunk_size=3)
    except RapportError as exc:
        event(f"refused: {type(exc).__name__}")
        assert max_id(app) == before
        return
    skipped = {line for line, _ in report.failed + report.duplicates}
    expected = sorted(
        " ".join(row.values.get("Name", "").split())
        for row in table.rows
        if row.line not in skipped
    )
    assert report.created == len(expected) == report.rows - len(skipped)
    assert names_after(app, before) == expected
    event(f"imported some: {bool(expected)}; refused some: {bool(report.failed)}")
