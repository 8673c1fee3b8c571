"""The ``rapport`` command as an administrator uses it, in a folder of their own."""

import os

import pytest
from click.testing import CliRunner

from rapport.core.cli import main


@pytest.fixture
def rapport(tmp_path, monkeypatch):
    """Run ``rapport ARGS`` in an empty folder with no RAPPORT_* variables set."""
    for name in list(os.environ):
        if name.startswith("RAPPORT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_init_creates_config_database_pipeline_and_admin(rapport, tmp_path):
    output = rapport("init", "--admin", "Anna", "--telegram-id", "5550001")
    assert "Wrote rapport.toml" in output
    assert "Admin user #1 'Anna' created." in output
    assert (tmp_path / "rapport.toml").exists() and (tmp_path / "rapport.db").exists()
    assert "Already initialised" in rapport("init")
    assert "Anna" in rapport("users", "list") and "telegram 5550001" in rapport("users", "list")
    assert (
        "Current (contacts_0001, loyalty_0001, sales_0001, sheets_0001, tasks_0001, telegram_0001)."
        in rapport("db", "status")
    )


def test_admin_manages_users_and_roles(rapport):
    rapport("init", "--admin", "Anna")
    assert "User #2 'Ivan Petrov' added as rep." in rapport(
        "users", "add", "Ivan Petrov", "--team", "north", "--telegram-id", "1002"
    )
    assert "Ivan Petrov is now manager." in rapport("users", "role", "Ivan Petrov", "manager")
    assert "Error: This is the last admin" in rapport("users", "role", "Anna", "rep", code=1)
    assert "telegram_id: 1002 already belongs to another user" in rapport(
        "users", "add", "Someone", "--telegram-id", "1002", code=1
    )
    assert "Error: No user 'Nobody'." in rapport("users", "role", "Nobody", "rep", code=1)


def test_commands_on_an_uninitialised_folder_say_what_to_do(rapport):
    assert "Run `rapport init`" in rapport("users", "list", code=1)
    assert "Run `rapport init`" in rapport("db", "status", code=1)


def test_bad_config_is_explained_without_a_traceback(rapport, tmp_path):
    (tmp_path / "rapport.toml").write_text('timezone = "Moscow"\n[sheets]\nbackend = "excel"\n')
    output = rapport("users", "list", code=1)
    assert "timezone: is not an IANA time zone" in output
    assert "sheets.backend: input should be 'xlsx', 'google' or 'off'" in output
    assert "Traceback" not in output


def test_demo_gives_a_new_user_a_working_team(rapport, database_url, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", database_url)
    output = rapport("demo")
    assert "Demo loaded: 4 users, 27 customers" in output
    assert "Olga Smirnova" in rapport("users", "list")
    assert "no demo data was added" in rapport("demo")


def test_plugins_lists_versions_sources_and_hooks(rapport, installed_example, on_path, tmp_path):
    on_path(installed_example)
    rapport("init")
    output = rapport("plugins")
    assert "industry" in output and "1.0.0" in output and "entry point rapport-industry" in output
    assert "hooks: register_commands, register_fields, validate_change" in output
    (tmp_path / "rapport.toml").write_text('[plugins]\ndisabled = ["industry"]\n')
    assert "disabled" in rapport("plugins")


def test_admin_declares_fields_and_curates_segments_from_the_cli(rapport, tmp_path):
    rapport("init", "--admin", "Anna")
    assert "Field customer.turnover (money) added." in rapport(
        "fields", "add", "customer", "turnover", "money", "Turnover", "--label-ru", "Оборот"
    )
    assert "choice field needs a list of choices" in rapport(
        "fields", "add", "customer", "tier", "choice", "Tier", code=1
    )
    listing = rapport("fields", "list")
    assert "customer.turnover" in listing and "(admin)" in listing and "customer.region" in listing
    data = "Название;Оборот;Регион;Телефон\nООО Ромашка;2 000 000;North;+7 912 345 67 89\nЛютик;10;South;\n"
    (tmp_path / "c.csv").write_text(data, encoding="utf-8")
    assert "Imported 2 of 2 rows" in rapport("import", "c.csv", "--yes")
    assert "Segment 'Big' saved: 1 customers today." in rapport(
        "segments", "add", "Big", "оборот > 1 000 000"
    )
    assert "Big" in rapport("segments", "list") and "ООО Ромашка" in rapport(
        "segments", "show", "Big"
    )
    assert "there is no field 'oborot'" in rapport("segments", "add", "Bad", "oborot > 1", code=1)
    assert "ООО Ромашка" in rapport("search", "romashka") and "ООО Ромашка" in rapport(
        "search", "6789"
    )
    assert "Exported 1 customers" in rapport("export", "big.csv", "--segment", "Big")
    exported = (tmp_path / "big.csv").read_text(encoding="utf-8-sig")
    assert exported.splitlines()[1].startswith("1;organisation;ООО Ромашка;")
    assert "Segment 'Big' deleted." in rapport("segments", "delete", "Big")


def test_reports_plans_and_pipelines_from_the_cli(rapport, tmp_path):
    rapport("demo")
    listing = rapport("report")
    assert "sales.funnel" in listing and "sales.top_customers" in listing
    funnel = rapport("report", "sales.funnel", "--png", "funnel.png")
    assert funnel.splitlines()[:2] == [
        "Funnel",
        "stage | reached | amount | now in stage | conversion %",
    ]
    assert (tmp_path / "funnel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "No report 'sales.nothing'" in rapport("report", "sales.nothing", code=1)
    assert "period: 'March' is not a month" in rapport(
        "report", "sales.plan", "--param", "period=March", code=1
    )
    assert "Plan for Ivan Petrov, amount: 1000000" in rapport(
        "plans", "set", "2026-11", "amount", "1 000 000", "--owner", "Ivan Petrov"
    )
    assert "Ivan Petrov" in rapport("plans", "show", "2026-11")
    pipelines = rapport("pipelines", "list")
    assert "Sales (default)" in pipelines and "negotiation" in pipelines
    assert "No pipelines declared." in rapport("pipelines", "sync")


def test_tasks_and_costs_from_the_cli(rapport):
    rapport("demo")
    added = rapport(
        "tasks", "add", "1", "завтра в 10", "Позвонить про договор", "--assignee", "Ivan Petrov"
    )
    task_id = added.split(":")[0].removeprefix("Task #")
    assert "Позвонить про договор, due " in added and added.endswith(" 10:00 UTC.\n")
    assert "is not a date I understand" in rapport("tasks", "add", "1", "когда-нибудь", "x", code=1)
    assert "Позвонить про договор" in rapport("tasks", "list")
    done = rapport("tasks", "done", task_id, "--result", "ok", "--minutes", "20")
    assert f"Task #{task_id} done." in done
    assert "Recorded." in rapport("costs", "1", "1500", "samples")
    assert "ООО «Ромашка»" in rapport("report", "tasks.customer_cost")


def test_offboarding_a_rep_and_reading_a_records_history(rapport):
    rapport("demo")
    assert "Ivan Petrov can no longer use Rapport." in rapport("users", "deactivate", "Ivan Petrov")
    assert "(inactive)" in rapport("users", "list")
    assert "This is the last admin" in rapport("users", "deactivate", "1", code=1)
    assert "Ivan Petrov can use Rapport again." in rapport("users", "activate", "Ivan Petrov")
    trail = rapport("history", "customer", "1")
    assert (
        "Ivan Petrov via system: create" in trail and "    name: None -> 'ООО «Ромашка»'" in trail
    )
    assert "No changes recorded." in rapport("history", "deal", "9999")


def test_archiving_a_record_from_the_cli(rapport):
    rapport("demo")
    assert "Deal #1 archived." in rapport("archive", "deal", "1")
    assert "Already archived." in rapport("archive", "deal", "1")
    assert "archived: False -> True" in rapport("history", "deal", "1")
    assert "Deal #1 restored." in rapport("archive", "deal", "1", "--restore")
    assert "Error: No customer #999." in rapport("archive", "customer", "999", code=1)
