"""A managers' spreadsheet on each backend, with a few deals already synced to it."""

from __future__ import annotations

from datetime import date

import pytest

from rapport.core.services.customers import create_customer
from rapport.core.services.deals import create_deal
from tests.adapters.sheet_sides import KEY, GoogleSide, Manager, XlsxSide
from tests.adapters.sheets_standin import Standin


@pytest.fixture
def standin():
    running = Standin()
    running.add(KEY)
    yield running
    running.close()


@pytest.fixture(params=["google", "xlsx"])
def side(request, app, tmp_path):
    if request.param == "google":
        return GoogleSide(app, request.getfixturevalue("standin"))
    return XlsxSide(app, tmp_path / "rapport.xlsx")


@pytest.fixture
def deals(app, team, side):
    """Five deals of three customers, each with its own title, amount and close date."""
    ivan = team["ivan"]
    customers = [create_customer(app, ivan, {"name": name}).id
                 for name in ("ООО Ромашка", "ИП Лютик", "АО Василёк")]  # fmt: skip
    made = [
        create_deal(app, ivan, {"title": title, "customer_id": customers[n % 3],
                                "amount": 1000 + 100 * n,
                                "expected_close": date(2027, 3, 1 + n)})
        for n, title in enumerate(("Альфа", "Бета", "Гамма", "Дельта", "Эпсилон"))
    ]  # fmt: skip
    side.sync()
    return made


@pytest.fixture
def manager(side):
    return Manager(side)
