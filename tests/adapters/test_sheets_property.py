"""Random weeks of a manager and the reps working at once, on both backends: sheet edits,
renamed headers, rows moved, the service layer's edits of the same deals, writes that fail,
answers lost, a sync killed after its write, an older copy of the workbook saved over it.
Whatever the order, no change that did not collide with another is lost, and every
collision is logged (the database's value kept, the sheet's kept in the history)."""

from __future__ import annotations

from copy import copy as shallow_copy
from copy import deepcopy
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rapport.core.domain.errors import RapportError
from rapport.core.services.deals import get_deal, update_deal
from tests.adapters.sheet_sides import XlsxSide
from tests.helpers import audit_entries

FIELDS = {"title": "Title", "amount": "Amount"}
WORDS = st.text(alphabet="абвгдежзиклмнопрстуфхцчшщэюяabcdefghijklmnop", min_size=1,
                max_size=12)  # fmt: skip
FAULTS = ("retried", "down", "lost")
"""A write answered 503 once, refused for a whole cycle, or landed with its answer lost."""
AMOUNTS = st.integers(min_value=1, max_value=10_000_000)
STEP = st.one_of(
    st.tuples(st.just("sheet"), st.integers(0, 4), st.just("title"), WORDS),
    st.tuples(st.just("sheet"), st.integers(0, 4), st.just("amount"), AMOUNTS),
    st.tuples(st.just("rep"), st.integers(0, 4), st.just("amount"), AMOUNTS),
    st.tuples(st.just("rename"), st.integers(0, 4), st.sampled_from(("title", "amount")), WORDS),
    st.tuples(st.just("move"), st.integers(0, 4), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("fail"), st.just(0), st.sampled_from(FAULTS), st.just(0)),
    st.tuples(st.just("open"), st.just(0), st.just(""), st.just(0)),
    st.tuples(st.just("save copy"), st.just(0), st.just(""), st.just(0)),
    st.tuples(st.just("sync"), st.just(0), st.just(""), st.just(0)),
    st.tuples(st.just("sync elsewhere"), st.just(0), st.just(""), st.just(0)),
)
"""Each step with the values it types, drawn before anything runs: the examples share one
database and sheet, so nothing drawn may depend on what earlier ones left."""


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=st.lists(STEP, min_size=3, max_size=12))
@example(steps=[("sheet", 0, "amount", 2000), ("sync elsewhere", 0, "", 0),
                ("rep", 0, "amount", 3000), ("sync", 0, "", 0)])  # fmt: skip
def test_no_change_is_lost_and_every_collision_is_logged(make_app, app, team, deals, manager,
                                                         steps):  # fmt: skip
    side, ivan = manager.side, team["ivan"]
    elsewhere = shallow_copy(side)  # `rapport sync` beside `rapport run`: a process of its own
    elsewhere.app = make_app()
    _settle(side, {}, {}, {}, set(), {})  # each example starts from a sheet showing what is stored
    headers = {key: _current(manager, name) for key, name in FIELDS.items()}
    expected = {d.id: _stored(app, ivan, d.id) for d in deals}
    sheet_said: dict[tuple[int, str], object] = {}  # typed in the sheet since the last sync
    rep_said: dict[tuple[int, str], object] = {}
    collided: set[tuple[int, str]] = set()
    copy = None  # a copy of the workbook the manager opened, and what it said then
    shown = deepcopy(expected)  # what the sheet was last written with: the edits' base
    for kind, first, second, value in steps:
        if kind == "sheet":
            deal = deals[first].id
            manager.edit("Deals", deal, headers[second], value)
            sheet_said[(deal, second)] = value
        elif kind == "rep":
            deal = deals[first].id
            update_deal(app, ivan, deal, {"amount": value})
            rep_said[(deal, "amount")] = value
            expected[deal]["amount"] = Decimal(value)
        elif kind == "rename":
            new = f"{value} ({FIELDS[second]})"
            if new not in manager.headers("Deals"):
                manager.rename("Deals", headers[second], new)
                headers[second] = new
        elif kind == "move":
            _move_row(manager, first + 1, second + 1)
        elif kind == "fail":
            side.fault(second)
        elif kind == "open" and isinstance(side, XlsxSide):
            # From a shared folder: her lock file never reaches Rapport's machine.
            copy = (side.path.read_bytes(), dict(sheet_said), dict(headers), deepcopy(shown))
        elif kind == "save copy" and isinstance(side, XlsxSide) and copy is not None:
            side.path.write_bytes(copy[0])  # what she typed in the newer file is gone
            sheet_said, headers, shown = dict(copy[1]), dict(copy[2]), deepcopy(copy[3])
            for (deal, key), typed in list(sheet_said.items()):
                if _value(key, typed) == expected[deal][key]:
                    del sheet_said[(deal, key)]  # stored since: the copy agrees
                elif expected[deal][key] != shown[deal][key]:
                    rep_said[(deal, key)] = typed  # changed since she opened it: a collision
        elif kind in ("sync", "sync elsewhere"):
            _settle(side if kind == "sync" else elsewhere, sheet_said, rep_said, expected,
                    collided, shown)  # fmt: skip
            shown = deepcopy(expected)
    _settle(side, sheet_said, rep_said, expected, collided, shown)
    for deal in deals:
        stored = _stored(app, ivan, deal.id)
        for key in FIELDS:
            if (deal.id, key) not in collided:
                assert stored[key] == expected[deal.id][key], (deal.id, key, steps)
        row = manager.row("Deals", deal.id)
        assert str(row[headers["title"]]).strip() == stored["title"]
        assert Decimal(str(row[headers["amount"]])) == stored["amount"]


def _settle(side, sheet_said, rep_said, expected, collided, shown) -> None:
    """Sync until a cycle lands (a failed write is retried next cycle, as `rapport run`
    does), then fold what the sheet said into what the database should hold. A cell typed
    back to what the sheet was written with (``shown``) is no edit, and only a cell both
    sides changed is a conflict."""
    for (deal, key), typed in list(sheet_said.items()):
        if _value(key, typed) == shown[deal][key]:
            del sheet_said[(deal, key)]
    before = {deal: _conflicts_logged(side.app, deal) for deal in shown}
    for _attempt in range(20):
        try:
            report = side.sync()
        except (RapportError, ConnectionError):
            continue  # the write did not land, or its answer never came: again
        if not report.failed:
            break
    for (deal, key), value in sheet_said.items():
        if (deal, key) in rep_said:
            collided.add((deal, key))  # both changed it: the database's value, logged
            # (a sync killed after its write said it in a report no one read; the history
            # keeps the sheet's value all the same)
            assert _conflicts_logged(side.app, deal) > before[deal], (deal, key)
            continue
        expected[deal][key] = _value(key, value)
    both = {deal for deal, key in sheet_said if (deal, key) in rep_said}
    for deal in set(shown) - both:  # and no conflict where only one side changed a cell
        assert _conflicts_logged(side.app, deal) == before[deal], deal
    sheet_said.clear()
    rep_said.clear()


def _conflicts_logged(app, deal: int) -> int:
    return sum(1 for e in audit_entries(app, "deal", deal) if e.action == "sheet_conflict")


def _value(key: str, typed: object) -> object:
    """A typed value as stored."""
    return Decimal(str(typed)) if key == "amount" else str(typed).strip()


def _stored(app, actor, deal_id) -> dict[str, object]:
    deal = get_deal(app, actor, deal_id)
    return {"title": deal.title, "amount": deal.amount}


def _current(manager, header: str) -> str:
    """The header's name now: an earlier example may have renamed it."""
    return next(h for h in manager.headers("Deals") if h == header or f"({header})" in str(h))


def _move_row(manager, source: int, target: int) -> None:
    """Drag a whole row (its hidden ID with it) to another place, as a full-row sort does."""
    grid = manager.side.grid("Deals")
    body = grid[1:]
    if max(source, target) > len(body):
        return
    row = body.pop(source - 1)
    body.insert(target - 1, row)
    manager.side.put("Deals", [grid[0], *body])
