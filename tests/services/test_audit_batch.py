"""A batch's audit entries store each change exactly as a single change's entry would."""

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.core.domain.enums import CustomerKind, CustomerStatus
from rapport.core.services import audit

plain_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=10),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.sampled_from([*CustomerKind, *CustomerStatus]),
)
values = st.recursive(
    plain_values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.frozensets(st.text(max_size=3), max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)
diffs = st.dictionaries(st.text(max_size=12), st.tuples(values, values), max_size=12)


@settings(max_examples=200, deadline=None)
@given(diffs)
def test_a_batch_entry_holds_what_a_single_entry_would(diff) -> None:
    assert audit._logged(diff) == audit.jsonable(audit.changes_of(diff))


def test_a_new_customers_values_are_stored_as_json() -> None:
    logged = audit._logged(
        {"kind": (None, CustomerKind.PERSON), "fields.since": (None, date(2026, 3, 1)),
         "fields.limit": (None, Decimal("10.50")), "at": (None, datetime(2026, 1, 1, tzinfo=UTC)),
         "phones": (None, ["+79123456789"])}
    )  # fmt: skip
    assert logged == {
        "kind": {"old": None, "new": "person"},
        "fields.since": {"old": None, "new": "2026-03-01"},
        "fields.limit": {"old": None, "new": "10.50"},
        "at": {"old": None, "new": "2026-01-01T00:00:00+00:00"},
        "phones": {"old": None, "new": ["+79123456789"]},
    }
