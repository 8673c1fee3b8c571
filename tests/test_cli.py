"""The ``rapport`` command as an administrator uses it, in a folder of their own.

``rapport init`` writes ``language = "ru"``, so these read Russian lines;
``test_cli_words`` has the other languages."""

import getpass


def test_init_creates_config_database_pipeline_and_admin(cli, tmp_path):
    output = cli("init", "--admin", "Anna", "--telegram-id", "5550001")
    assert "Записан rapport.toml" in output
    assert "Администратор #1 'Anna' создан." in output
    assert (tmp_path / "rapport.toml").exists() and (tmp_path / "rapport.db").exists()
    assert "Уже инициализировано; делать нечего." in cli("init")
    assert "Anna" in cli("users", "list") and "telegram 5550001" in cli("users", "list")
    assert (
        "Актуальна (contacts_0002, core_0005, loyalty_0001, sales_0003, sheets_0004, tasks_0002, "
        "telegram_0001)." in cli("db", "status")
    )


def test_admin_manages_users_and_roles(cli):
    cli("init", "--admin", "Anna")
    assert "Пользователь #2 'Ivan Petrov' добавлен, роль: менеджер." in cli(
        "users", "add", "Ivan Petrov", "--team", "north", "--telegram-id", "1002"
    )
    assert "Ivan Petrov теперь руководитель." in cli("users", "role", "Ivan Petrov", "manager")
    assert "Error: Это последний администратор" in cli("users", "role", "Anna", "rep", code=1)
    assert "Telegram id: 1002 уже принадлежит другому пользователю" in cli(
        "users", "add", "Someone", "--telegram-id", "1002", code=1
    )
    assert "Error: Нет пользователя 'Nobody'." in cli("users", "role", "Nobody", "rep", code=1)


def test_commands_on_an_uninitialised_folder_say_what_to_do(cli):
    assert "Run `rapport init`" in cli("users", "list", code=1)
    assert "Run `rapport init`" in cli("db", "status", code=1)


def test_bad_config_is_explained_without_a_traceback(cli, tmp_path):
    (tmp_path / "rapport.toml").write_text('timezone = "Moscow"\n[sheets]\nbackend = "excel"\n')
    output = cli("users", "list", code=1)
    assert "timezone: is not an IANA time zone" in output
    assert "sheets.backend: input should be 'xlsx', 'google' or 'off'" in output
    assert "Traceback" not in output


def test_demo_gives_a_new_user_a_working_team(cli, database_url, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", database_url)
    output = cli("demo")
    assert "Демо загружено: пользователей — 5, клиентов — 150" in output
    assert "Olga Smirnova" in cli("users", "list")
    assert "демо-данные не добавлены" in cli("demo")


def test_plugins_lists_versions_sources_and_hooks(cli, installed_example, on_path, tmp_path):
    on_path(installed_example)
    cli("init")
    output = cli("plugins")
    assert "zones" in output and "1.0.0" in output and "entry point rapport-zones" in output
    assert "hooks: register_commands, register_fields, validate_change" in output
    assert "warning" not in output  # nothing it declares clashes with a built-in plugin
    (tmp_path / "rapport.toml").write_text('[plugins]\ndisabled = ["zones"]\n')
    assert "disabled" in cli("plugins")


def test_admin_declares_fields_and_curates_segments_from_the_cli(cli, tmp_path):
    cli("init", "--admin", "Anna")
    assert "Поле customer.turnover (money) добавлено." in cli(
        "fields", "add", "customer", "turnover", "money", "Turnover", "--label-ru", "Оборот"
    )
    assert "Значения: полю типа choice нужен список значений" in cli(
        "fields", "add", "customer", "tier", "choice", "Tier", code=1
    )
    listing = cli("fields", "list")
    assert "customer.turnover" in listing and "(admin)" in listing and "customer.region" in listing
    data = "Название;Оборот;Регион;Телефон\nООО Ромашка;2 000 000;North;+7 912 345 67 89\nЛютик;10;South;\n"
    (tmp_path / "c.csv").write_text(data, encoding="utf-8")
    assert "Импортировано строк: 2 из 2" in cli("import", "c.csv", "--yes")
    assert "Сегмент 'Big' сохранён: сегодня клиентов в нём — 1." in cli(
        "segments", "add", "Big", "оборот > 1 000 000"
    )
    assert "Big" in cli("segments", "list") and "ООО Ромашка" in cli("segments", "show", "Big")
    assert "нет поля 'oborot'" in cli("segments", "add", "Bad", "oborot > 1", code=1)
    assert "ООО Ромашка" in cli("search", "romashka") and "ООО Ромашка" in cli("search", "6789")
    assert "Выгружено клиентов: 1" in cli("export", "big.csv", "--segment", "Big")
    exported = (tmp_path / "big.csv").read_text(encoding="utf-8-sig")
    assert exported.splitlines()[1].startswith("1;organisation;ООО Ромашка;")
    assert "Сегмент 'Big' удалён." in cli("segments", "delete", "Big")


def test_reports_plans_and_pipelines_from_the_cli(cli, tmp_path):
    cli("demo")
    listing = cli("report")
    assert "sales.funnel" in listing and "sales.top_customers" in listing
    funnel = cli("report", "sales.funnel", "--png", "funnel.png")
    assert (
        funnel.splitlines()[:3]
        == [
            f"(от имени: {getpass.getuser()}, администратор)",  # on stderr: whose rights the report was read with
            "Воронка",  # the demo team reads Russian
            "этап | дошли | сумма, RUB | сейчас на этапе | конверсия, %",  # money per currency
        ]
    )
    assert (tmp_path / "funnel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Нет отчёта 'sales.nothing'" in cli("report", "sales.nothing", code=1)
    assert "Период: 'March' — не месяц (2026-03) и не квартал" in cli(
        "report", "sales.plan", "--param", "period=March", code=1
    )
    assert "План для Ivan Petrov, amount: 1000000" in cli(
        "plans", "set", "2026-11", "amount", "1 000 000", "--owner", "Ivan Petrov"
    )
    assert "Ivan Petrov" in cli("plans", "show", "2026-11")
    pipelines = cli("pipelines", "list")
    assert "Sales (default)" in pipelines and "negotiation" in pipelines
    assert "Воронки не объявлены." in cli("pipelines", "sync")


def test_tasks_and_costs_from_the_cli(cli):
    cli("demo")
    added = cli(
        "tasks", "add", "1", "завтра в 10", "Позвонить про договор", "--assignee", "Ivan Petrov"
    )
    task_id = added.splitlines()[-1].split(":")[0].removeprefix("Задача #")
    assert "Позвонить про договор, срок " in added and added.endswith(" 10:00 MSK.\n")
    assert "не понимаю, когда это" in cli("tasks", "add", "1", "когда-нибудь", "x", code=1)
    assert "Позвонить про договор" in cli("tasks", "list")
    done = cli("tasks", "done", task_id, "--result", "ok", "--minutes", "20")
    assert f"Задача #{task_id} выполнена." in done
    assert "Записано." in cli("costs", "1", "1500", "samples")
    assert "ООО «Ромашка»" in cli("report", "tasks.customer_cost")


def test_offboarding_a_rep_and_reading_a_records_history(cli):
    cli("demo")
    assert "Ivan Petrov больше не может пользоваться Rapport." in cli(
        "users", "deactivate", "Ivan Petrov"
    )
    assert "(inactive)" in cli("users", "list")
    assert "Это последний администратор" in cli("users", "deactivate", "1", code=1)
    assert "Ivan Petrov снова может пользоваться Rapport." in cli(
        "users", "activate", "Ivan Petrov"
    )
    trail = cli("history", "customer", "1")
    assert (
        "Ivan Petrov автоматически: создан" in trail
        and "    название: None -> 'ООО «Ромашка»'" in trail
    )
    assert "Error: Нет сделки #9999." in cli("history", "deal", "9999", code=1)  # team: ru


def test_archiving_a_record_from_the_cli(cli):
    cli("demo")
    assert "Сделка #1 перенесена в архив." in cli("archive", "deal", "1")
    assert "Уже в архиве." in cli("archive", "deal", "1")
    assert "archived: False -> True" in cli("history", "deal", "1")
    assert "Сделка #1 восстановлена." in cli("archive", "deal", "1", "--restore")
    assert "Error: Нет клиента #999." in cli("archive", "customer", "999", code=1)
