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


@pytest.mark.slow
def test_a_sync_killed_mid_write_loses_no_change_and_creates_no_deal_twice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    finished("demo")
    app = build_app(load_settings(tmp_path / "rapport.toml"))
    try:
        root = person_acting(app, "root", Channel.BOT)
        # A workbook big enough that writing it takes a moment to catch.
        create_customers(app, root, [{"name": f"Магазин {n}"} for n in range(3000)])
        finished("sync")
        deal = list_deals(app, Actor.system(), limit=1)[0]
        update_deal(app, root, deal.id, {"amount": 7777})  # a rep, in the bot
        customer = list_customers(app, Actor.system(), limit=1)[0].name
        book = openpyxl.load_workbook(tmp_path / "rapport.xlsx")  # the manager, in Excel
        sheet = book["Сделки"]
        headers = [c.value for c in sheet[1]]
        row = sheet.max_row + 1
        sheet.cell(row, headers.index("Название") + 1).value = "Новая поставка"
        sheet.cell(row, headers.index("Клиент") + 1).value = customer
        book.save(tmp_path / "rapport.xlsx")

        process = rapport("sync")
        while process.poll() is None and not writing(tmp_path):
            time.sleep(0.001)
        assert process.poll() is None, "the sync finished before its write could be caught"
        process.send_signal(signal.SIGKILL)
        process.wait()

        output = finished("sync")
        assert "Traceback" not in output
        titles = [d.title for d in list_deals(app, Actor.system(), limit=1000)]
        assert titles.count("Новая поставка") == 1
        assert get_deal(app, Actor.system(), deal.id).amount == Decimal("7777.00")
        sheet = openpyxl.load_workbook(tmp_path / "rapport.xlsx")["Сделки"]
        rows = [dict(zip(headers, r, strict=False)) for r in sheet.iter_rows(values_only=True)]
        assert next(r for r in rows if r["ID"] == deal.id)["Сумма"] == 7777
        assert sum(1 for r in rows if r["Название"] == "Новая поставка") == 1
    finally:
        app.close()
