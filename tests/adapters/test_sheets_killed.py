"""``rapport sync`` killed while it writes the workbook: nothing is lost, nothing made twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from rapport.core.bootstrap import build_app
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel
from rapport.core.services.customers import create_customers, list_customers
from rapport.core.services.deals import get_deal, list_deals, update_deal
from rapport.core.services.users import person_acting
from rapport.core.settings import load_settings
from tests.helpers import audit_entries

RAPPORT = str(Path(sys.executable).with_name("rapport"))


def rapport(*args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    return subprocess.Popen([RAPPORT, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)  # fmt: skip


def finished(*args: str) -> str:
    process = rapport(*args)
    output = process.communicate(timeout=300)[0].decode()
    assert process.returncode == 0, output
    return output


def writing(folder: Path) -> bool:
    """The workbook is being written: its temporary copy has appeared beside it."""
    return any(p.name != "rapport.xlsx" for p in folder.glob("*.xlsx"))


KILLED_AT = {
    "before": "rapport.adapters.sheets.backends.xlsx.XlsxBook.flush",
    "after": "rapport.adapters.sheets.backends.xlsx.os.replace",
}
"""Where ``rapport sync`` is killed: as it is about to write the workbook (the database
already holds the sheet's edits and the new row's deal), or as soon as the new workbook
has replaced the old one (before the sync could remember what it wrote)."""
DIES = """
import os, signal, sys
from pkgutil import resolve_name
owner, name = sys.argv[1].rsplit(".", 1)
moment = sys.argv[2]
target = resolve_name(owner)
original = getattr(target, name)
def killed(*args, **kwargs):
    if moment == "after":
        original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
setattr(target, name, killed)
from rapport.core.cli import main
sys.argv = ["rapport", "sync"]
main()
"""


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """A demo workbook after a rep's change in the bot and a manager's in Excel: the deal's
    new amount, a new deal row and an edited title."""
    monkeypatch.chdir(tmp_path)
    finished("demo")
    app = build_app(load_settings(tmp_path / "rapport.toml"))
    root = person_acting(app, "root", Channel.BOT)
    yield app, root
    app.close()


def _edited(app, root, folder: Path, customers: int = 0):
    if customers:  # a workbook big enough that writing it takes a moment to catch
        create_customers(app, root, [{"name": f"Магазин {n}"} for n in range(customers)])
    finished("sync")
    first, second = list_deals(app, Actor.system(), limit=2)
    update_deal(app, root, first.id, {"amount": 7777})  # a rep, in the bot
    customer = list_customers(app, Actor.system(), limit=1)[0].name
    book = openpyxl.load_workbook(folder / "rapport.xlsx")  # the manager, in Excel
    sheet = book["Сделки"]
    headers = [c.value for c in sheet[1]]
    row = sheet.max_row + 1
    sheet.cell(row, headers.index("Название") + 1).value = "Новая поставка"
    sheet.cell(row, headers.index("Клиент") + 1).value = customer
    at = next(r for r in range(2, row) if sheet.cell(r, 1).value == second.id)
    sheet.cell(at, headers.index("Название") + 1).value = "Переименованная"
    book.save(folder / "rapport.xlsx")
    return first, second, headers


def _nothing_lost(app, folder: Path, first, second, headers) -> None:
    output = finished("sync")
    assert "Traceback" not in output
    titles = [d.title for d in list_deals(app, Actor.system(), limit=1000)]
    assert titles.count("Новая поставка") == 1
    assert get_deal(app, Actor.system(), first.id).amount == Decimal("7777.00")
    assert get_deal(app, Actor.system(), second.id).title == "Переименованная"
    changes = [e.changes for e in audit_entries(app, "deal", second.id)]
    renamed = [c for c in changes if c.get("title", {}).get("new") == "Переименованная"]
    assert len(renamed) == 1, changes  # the rename taken once
    sheet = openpyxl.load_workbook(folder / "rapport.xlsx")["Сделки"]
    rows = [dict(zip(headers, r, strict=False)) for r in sheet.iter_rows(values_only=True)]
    assert next(r for r in rows if r["ID"] == first.id)["Сумма"] == 7777
    assert sum(1 for r in rows if r["Название"] == "Новая поставка") == 1
    notes = [r["Rapport сообщает"] for r in rows[1:] if r["Rapport сообщает"]]
    assert not notes, notes
    again = finished("sync")
    quiet = "добавлено из таблицы: 0, обновлено из таблицы: 0, новых строк: 0, восстановлено: 0"
    assert quiet in again, again  # said in the team's language


@pytest.mark.slow
def test_a_sync_killed_mid_write_loses_no_change_and_creates_no_deal_twice(demo, tmp_path):
    app, root = demo
    edited = _edited(app, root, tmp_path, customers=3000)
    process = rapport("sync")
    while process.poll() is None and not writing(tmp_path):
        time.sleep(0.001)
    assert process.poll() is None, "the sync finished before its write could be caught"
    process.send_signal(signal.SIGKILL)
    process.wait()
    _nothing_lost(app, tmp_path, *edited)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_sync_killed_just_before_or_after_its_write_loses_nothing(demo, tmp_path, moment):
    app, root = demo
    edited = _edited(app, root, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    died = subprocess.run([sys.executable, "-c", DIES, KILLED_AT[moment], moment], env=env,
                          capture_output=True, timeout=300)  # fmt: skip
    assert died.returncode == -signal.SIGKILL, died.stdout + died.stderr
    _nothing_lost(app, tmp_path, *edited)
