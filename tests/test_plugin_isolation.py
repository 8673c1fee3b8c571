"""One plugin's failure is reported once, with its name, and everything else goes on."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import alembic.command
import pytest

from rapport import fail_closed, hookimpl
from rapport.core.db.migrate import alembic_config, upgrade
from rapport.core.domain.errors import Vetoed
from rapport.core.extensions import (
    CardSection,
    CommandReply,
    CommandSpec,
    MigrationSource,
    ReportSpec,
    SheetColumn,
)
from rapport.core.services.cards import customer_card
from rapport.core.services.customers import create_customer, update_customer
from rapport.core.services.deals import create_deal, get_deal

IVAN = 1002
PINNED = MigrationSource("pinned", Path(__file__).parent / "plugin_modules" / "pinned_migrations")


class Broken:
    """A plugin whose every contribution raises, as a bug in a third-party plugin would."""

    @hookimpl
    def register_sheet_columns(self, register):
        register(SheetColumn("deals", "margin", "Margin", self.explode))

    @hookimpl
    def register_reports(self, register):
        register(ReportSpec("broken.margins", "Margins", lambda app, actor, params: 1 / 0))

    @hookimpl
    def register_commands(self, register):
        register(CommandSpec("margins", "Margins by deal", lambda request: 1 / 0))

    @hookimpl
    def customer_card_sections(self, customer):
        raise RuntimeError("card section bug")

    def explode(self, app, ids):
        raise RuntimeError("column bug")


class Fine:
    @hookimpl
    def register_commands(self, register):
        register(CommandSpec("hello", "Say hello", lambda request: CommandReply("Hello!")))

    @hookimpl
    def customer_card_sections(self, customer):
        return CardSection("Fine", ("all good",))


def test_a_raising_sheet_column_leaves_its_cells_and_the_rest_syncs(
    make_app, team, caplog, tmp_path
):
    from rapport.testing.workbook import Workbook

    app = make_app(plugins=[("broken", Broken())])
    workbook = Workbook(app, tmp_path / "rapport.xlsx")
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    deal = create_deal(app, team["ivan"], {"title": "Поставка", "customer_id": customer.id})
    with caplog.at_level(logging.ERROR):
        first = workbook.sync()
        workbook.edit("Deals", deal.id, "Margin", "scribbled")
        workbook.edit("Deals", deal.id, "Amount", 1500)
        second = workbook.sync()
    assert get_deal(app, team["ivan"], deal.id).amount == Decimal(1500)
    assert second.updated == 1 and not second.refused
    assert workbook.read("Deals", deal.id, "Margin") == "scribbled"  # nothing put back or lost
    assert any("the broken plugin failed" in line for line in first.failed + second.failed)
    failures = [r for r in caplog.records if "plugin broken failed" in r.getMessage()]
    assert len(failures) == 1 and "sheet column" in failures[0].getMessage()  # once, named


def test_a_raising_card_section_leaves_the_card_and_other_sections(make_app, admin):
    app = make_app(plugins=[("broken", Broken()), ("fine", Fine())])
    customer = create_customer(app, admin, {"name": "ООО Ромашка"})
    card = customer_card(app, admin, customer.id)
    assert card.customer.name == "ООО Ромашка"
    assert [s.title for s in card.sections if s.title == "Fine"] == ["Fine"]
    assert any(f.plugin == "broken" for f in app.hooks.failures)


async def test_the_bot_names_the_failed_plugin_and_keeps_answering(make_app, team, tmp_path):
    from rapport.testing.chat import Chat

    app = make_app(plugins=[("broken", Broken()), ("fine", Fine())])
    chat = Chat(app)
    await chat.say(IVAN, "/margins")
    assert chat.replies(IVAN)[-1] == (
        "The broken plugin failed, so this was not done; everything else works."
    )
    await chat.say(IVAN, "/hello")
    assert chat.replies(IVAN)[-1] == "Hello!"
    await chat.say(IVAN, "📊 Reports")
    await chat.tap(IVAN, "Margins")
    assert "The broken plugin failed" in chat.replies(IVAN)[-1]
    await chat.say(IVAN, "/margins", language="ru")
    assert "Плагин broken" in chat.replies(IVAN)[-1]


class Compliance:
    """A rule that must hold: if it cannot decide, nothing is saved."""

    @hookimpl
    @fail_closed
    def validate_change(self, change):
        raise RuntimeError("the compliance service is down")


class Lenient:
    @hookimpl
    def validate_change(self, change):
        raise RuntimeError("a bug in a nice-to-have rule")


def test_a_fail_closed_rule_that_raises_refuses_the_change(make_app, admin):
    app = make_app(plugins=[("compliance", Compliance())])
    with pytest.raises(Vetoed, match=r"could not be checked, so nothing was saved \(compliance\)"):
        create_customer(app, admin, {"name": "ООО Ромашка"})


def test_an_ordinary_rule_that_raises_lets_the_change_through(make_app, admin):
    app = make_app(plugins=[("lenient", Lenient())])
    customer = create_customer(app, admin, {"name": "ООО Ромашка"})
    assert update_customer(app, admin, customer.id, {"address": "Тверская, 1"}).address
    assert any(f.plugin == "lenient" for f in app.hooks.failures)


def write_plugin(folder: Path, name: str, source: str) -> None:
    """An installed distribution ``rapport-NAME`` with its entry point, as pip leaves it."""
    dist = folder / f"rapport_{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: rapport-{name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[rapport.plugins]\n{name} = rapport_{name}\n")
    (folder / f"rapport_{name}.py").write_text(textwrap.dedent(source))


def test_a_plugin_that_fails_to_import_is_one_line_not_a_traceback(tmp_path, cli):
    write_plugin(tmp_path / "site", "shaky", "import a_module_that_is_not_installed\n")
    cli("init")
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "rapport", "users", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "Anna" not in done.stderr
    assert "Traceback" not in done.stderr
    assert "plugin shaky (entry point rapport-shaky) was skipped" in done.stderr
    assert "ModuleNotFoundError" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_report_that_raises_is_one_line_and_the_list_still_opens(tmp_path, cli, on_path):
    write_plugin(
        tmp_path / "site",
        "margins",
        """
        from rapport import hookimpl
        from rapport.api import ReportSpec

        @hookimpl
        def register_reports(register):
            register(ReportSpec("margins.all", "Margins", lambda app, actor, params: 1 / 0))
        """,
    )
    on_path(tmp_path / "site")
    cli("init")
    assert "margins.all" in cli("report")
    output = cli("report", "margins.all", code=1)
    assert "Error: плагин margins дал сбой (report margins.all)" in output
    assert "Traceback" not in output


def test_db_status_names_the_migration_of_an_uninstalled_plugin(tmp_path, cli, monkeypatch, app):
    with_pinned = [*app.migrations, PINNED]
    upgrade(app.engine, with_pinned)  # the plugin was installed, then removed
    monkeypatch.setenv("RAPPORT_DATABASE_URL", app.settings.database_url)
    try:
        for command in (("db", "status"), ("db", "upgrade"), ("users", "list")):
            output = cli(*command, code=1)
            assert "migrations this installation does not know (pinned_0001)" in output, command
            assert "Install it again" in output and "Traceback" not in output
    finally:  # the other tests share the PostgreSQL database
        alembic.command.downgrade(alembic_config(app.engine, with_pinned), "pinned@base")
