"""Any file a person may feed ``rapport import``: Rapport's own refusal, or a report that
says exactly what was stored.

Hypothesis writes CSV text (cells of any characters, quotes, delimiters and line breaks,
in UTF-8, Windows-1251 or UTF-16) and raw bytes after a valid header. Reading, planning
and importing either raise one of Rapport's errors or import; every row the report counts
as imported is stored under the name the file gave it, and no other row is. Valid rows
(in either encoding, one file mixing both) among lines of garbage are each stored exactly:
name, phone, e-mail, tags and a money field as the file gave them.
"""

from __future__ import annotations

import string
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rapport.core.db.tables import CustomerRow
from rapport.core.domain.enums import FieldType
from rapport.core.domain.errors import RapportError
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Customer
from rapport.core.markers import hookimpl
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.contacts.importing import plan_import, run_import
from rapport.plugins.contacts.tabular import read_source
from rapport.plugins.contacts.tags import tags_of

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


class Turnover:
    @hookimpl
    def register_fields(self, register):
        register(
            FieldSpec(entity="customer", name="turnover", type=FieldType.MONEY, label="Turnover")
        )


# Cyrillic without Ё/ё: a Windows-1251 line of these letters is never valid UTF-8, so a
# file mixing both encodings reads back exactly (Ё's bytes could pass for UTF-8).
LETTERS = string.ascii_letters + "".join(chr(c) for c in range(ord("А"), ord("я") + 1))
WORD = st.text(LETTERS, min_size=1, max_size=12)
VALID = st.fixed_dictionaries(
    {
        "name": st.lists(WORD, min_size=1, max_size=3).map(" ".join),
        "tags": st.lists(st.sampled_from(["vip", "опт", "new"]), unique=True, max_size=2),
        "turnover": st.decimals(min_value=0, max_value=10**9, places=2) | st.none(),
        "encoding": st.sampled_from(["utf-8", "cp1251"]),
    }
)
NO_ROWS_BROKEN = st.characters(blacklist_characters='"\r\n', blacklist_categories=("Cs",))
GARBAGE = st.text(NO_ROWS_BROKEN, max_size=60).map(lambda t: t.encode("utf-8")) | st.binary(
    max_size=60
).map(lambda b: bytes(c for c in b if c not in b'"\r\n'))


@pytest.fixture
def turnover_app(make_app):
    """Built once for all of a test's examples: each example's rows follow the last's."""
    return make_app(plugins=[("turnover", Turnover())])


def valid_line(number, row):
    cells = [row["name"], f"+7 912 {number:07d}", f"user{number}@example.com",
             ", ".join(row["tags"]), "" if row["turnover"] is None else str(row["turnover"])]  # fmt: skip
    return ";".join(cells).encode(row["encoding"])


@settings(FUZZ, max_examples=80)
@given(lines=st.lists(VALID.map(lambda row: ("valid", row)) | GARBAGE, min_size=1, max_size=20))
def test_valid_rows_among_garbage_are_stored_exactly(turnover_app, team, lines):
    app, before = turnover_app, max_id(turnover_app)
    data, valid = [b"Name;Phone;Email;Tags;Turnover"], {}
    for line in lines:
        if isinstance(line, tuple):
            valid[len(data) + 1] = line[1]
            line = valid_line(before * 100 + len(data) + 1, line[1])
        data.append(line)
    try:
        table = read_source(b"\n".join(data) + b"\n", "fuzz.csv")
        report = run_import(app, team["ivan"], plan_import(app, table), chunk_size=3)
    except RapportError as exc:
        event(f"refused: {type(exc).__name__}")
        assert max_id(app) == before
        return
    not_stored = {line for line, _ in report.failed + report.duplicates}
    assert report.created == report.rows - len(not_stored)
    if len(valid) == len(lines):
        assert not not_stored, report  # a file of valid rows imports whole
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(select(CustomerRow).where(CustomerRow.id > before))
        stored = [Customer.model_validate(row) for row in rows]
        tags = tags_of(uow.session, [c.id for c in stored])
    by_phone = {phone: customer for customer in stored for phone in customer.phones}
    for number, row in valid.items():
        if number in not_stored:
            continue
        unique = before * 100 + number
        customer = by_phone[f"+7912{unique:07d}"]
        assert customer.name == row["name"]
        assert customer.emails == [f"user{unique}@example.com"]
        assert sorted(tags.get(customer.id, [])) == sorted(row["tags"])
        turnover = customer.fields.get("turnover")
        assert (None if turnover is None else Decimal(str(turnover))) == row["turnover"]
    kept = len(valid) - len(not_stored & set(valid))
    event(
        f"valid rows stored: {'all' if kept == len(valid) else 'some'}; garbage: {len(lines) > len(valid)}"
    )
