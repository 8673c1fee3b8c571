"""The ``rapport`` command speaks the team's language, or the acting person's own.

Each test runs the real command in a folder whose ``rapport.toml`` names the language, and
reads the lines a person at the terminal sees, refusals of garbage input included.
"""

import pytest

CONFIG = 'database_url = "sqlite:///rapport.db"\nlanguage = "{language}"\n[cli]\nuser = "Anna"\n'
CLIENTS = "Название;Телефон\nООО Ромашка;+7 912 345 67 89\n"

SAID = {
    "ru": {
        "database": "База данных готова: sqlite:///rapport.db.",
        "admin": "Администратор #1 'Anna' создан.",
        "again": "Уже инициализировано; делать нечего.",
        "schema": "Схема уже актуальна.",
        "status": "Актуальна (",
        "as": "(от имени: Anna, администратор)",
        "added": "Пользователь #2 'Ivan Petrov' добавлен, роль: менеджер.",
        "role": "Ivan Petrov теперь руководитель.",
        "deactivated": "Ivan Petrov больше не может пользоваться Rapport.",
        "activated": "Ivan Petrov снова может пользоваться Rapport.",
        "history": "Anna из командной строки: изменён",
        "history change": "    роль: 'менеджер' -> 'руководитель'",
        "invite": "Приглашение для Nina (руководитель), действует 7 дней, один раз:",
        "invite code": "или в боте: /start ",
        "shape": "clients.csv: строк — 1, ",
        "separated": "разделитель колонок ';'",
        "not imported": "-> (не импортируется)",
        "preview": "  строка 2: ",
        "question": "Импортировать строк: 1?",
        "unattended": "Error: Ничего не импортировано: ответьте в терминале или укажите --yes.",
        "imported": "Импортировано строк: 1 из 1 за ",
        "exported": "Выгружено клиентов: 1, в out.csv.",
        "task": "Задача #1: Позвонить про договор, срок ",
        "task done": "Задача #1 выполнена.",
        "cost": "Записано.",
        "recalculated": "Пересчитано клиентов: 1.",
        "value": "ценность ",
        "next": "дальше: ",
        "override": "Сохранено.",
        "pipelines": "Воронки не объявлены.",
        "plan": "План для Anna, amount: ",
        "no plans": "На этот период планов нет.",
        "archived": "Клиент #1 перенесён в архив.",
        "nothing found": "Ничего не найдено.",
        "bad role": "Error: Роль: 'boss' — не из списка: rep, manager, admin",
        "bad id": "Error: Клиент: 'abc' — не номер записи",
        "bad telegram id": "Error: Telegram id: 'x1' — не число",
        "bad map": "Error: --map 'Название': пишите КОЛОНКА=ПОЛЕ",
        "nobody": "Error: Нет пользователя 'Nobody'.",
    },
    "uk": {
        "database": "База даних готова: sqlite:///rapport.db.",
        "admin": "Адміністратора #1 'Anna' створено.",
        "again": "Уже ініціалізовано; робити нічого.",
        "schema": "Схема вже актуальна.",
        "status": "Актуальна (",
        "as": "(від імені: Anna, адміністратор)",
        "added": "Користувача #2 'Ivan Petrov' додано, роль: менеджер.",
        "role": "Ivan Petrov тепер керівник.",
        "deactivated": "Ivan Petrov більше не може користуватися Rapport.",
        "activated": "Ivan Petrov знову може користуватися Rapport.",
        "history": "Anna з командного рядка: змінено",
        "history change": "    роль: 'менеджер' -> 'керівник'",
        "invite": "Запрошення для Nina (керівник), діє 7 днів, один раз:",
        "invite code": "або в боті: /start ",
        "shape": "clients.csv: рядків — 1, ",
        "separated": "роздільник колонок ';'",
        "not imported": "-> (не імпортується)",
        "preview": "  рядок 2: ",
        "question": "Імпортувати рядків: 1?",
        "unattended": "Error: Нічого не імпортовано: дайте відповідь у терміналі або вкажіть --yes.",
        "imported": "Імпортовано рядків: 1 з 1 за ",
        "exported": "Вивантажено клієнтів: 1, у out.csv.",
        "task": "Завдання #1: Позвонить про договор, термін ",
        "task done": "Завдання #1 виконано.",
        "cost": "Записано.",
        "recalculated": "Перераховано клієнтів: 1.",
        "value": "цінність ",
        "next": "далі: ",
        "override": "Збережено.",
        "pipelines": "Воронки не оголошено.",
        "plan": "План для Anna, amount: ",
        "no plans": "На цей період планів немає.",
        "archived": "Клієнта #1 перенесено до архіву.",
        "nothing found": "Нічого не знайдено.",
        "bad role": "Error: Роль: 'boss' — не зі списку: rep, manager, admin",
        "bad id": "Error: Клієнт: 'abc' — не номер запису",
        "bad telegram id": "Error: Telegram id: 'x1' — не число",
        "bad map": "Error: --map 'Название': пишіть КОЛОНКА=ПОЛЕ",
        "nobody": "Error: Немає користувача 'Nobody'.",
    },
}


@pytest.fixture
def team(cli, tmp_path, request):
    """A team of ``request.param``'s language, initialised with Anna as its admin."""
    (tmp_path / "rapport.toml").write_text(CONFIG.format(language=request.param))
    (tmp_path / "clients.csv").write_text(CLIENTS, encoding="utf-8")
    return SAID[request.param]


def assert_said(said, key, output):
    assert said[key] in output, output


@pytest.mark.parametrize("team", ["ru", "uk"], indirect=True)
def test_setting_up_and_managing_people_reads_in_the_teams_language(cli, team):
    initialised = cli("init", "--admin", "Anna")
    assert_said(team, "database", initialised)
    assert_said(team, "admin", initialised)
    assert_said(team, "again", cli("init"))
    assert_said(team, "schema", cli("db", "upgrade"))
    status = cli("db", "status")
    assert status.startswith(team["status"]) and "core_0005" in status  # revision ids as they are
    added = cli("users", "add", "Ivan Petrov", "--telegram-id", "1002")
    assert_said(team, "as", added)
    assert_said(team, "added", added)
    assert_said(team, "role", cli("users", "role", "Ivan Petrov", "manager"))
    assert_said(team, "deactivated", cli("users", "deactivate", "Ivan Petrov"))
    assert_said(team, "activated", cli("users", "activate", "Ivan Petrov"))
    trail = cli("history", "user", "2")
    assert_said(team, "history", trail)
    assert_said(team, "history change", trail)
    invited = cli("invite", "Nina", "--role", "manager", "--team", "north")
    assert_said(team, "invite", invited)
    assert_said(team, "invite code", invited)


@pytest.mark.parametrize("team", ["ru", "uk"], indirect=True)
def test_importing_and_the_plugins_commands_read_in_the_teams_language(cli, team):
    cli("init", "--admin", "Anna")
    preview = cli("import", "clients.csv", "--preview")
    for key in ("shape", "separated", "preview"):
        assert_said(team, key, preview)
    assert "  Название                     -> name" in preview  # field keys, as --map takes them
    assert_said(team, "not imported", cli("import", "clients.csv", "--map", "Телефон=-",
                                          "--preview"))  # fmt: skip
    unattended = cli("import", "clients.csv", code=1)
    assert_said(team, "question", unattended)
    assert_said(team, "unattended", unattended)
    assert_said(team, "imported", cli("import", "clients.csv", "--yes"))
    assert_said(team, "exported", cli("export", "out.csv"))
    assert_said(team, "task", cli("tasks", "add", "1", "завтра в 10", "Позвонить про договор"))
    assert_said(team, "task done", cli("tasks", "done", "1"))
    assert_said(team, "cost", cli("costs", "1", "1500", "samples"))
    assert_said(team, "recalculated", cli("loyalty", "recalculate"))
    profile = cli("loyalty", "show", "1")
    assert_said(team, "value", profile)
    assert_said(team, "next", profile)
    assert_said(team, "override", cli("loyalty", "override", "1", "rules"))
    assert_said(team, "pipelines", cli("pipelines", "sync"))
    assert_said(team, "plan", cli("plans", "set", "2026-11", "amount", "1000", "--owner", "Anna"))
    assert_said(team, "no plans", cli("plans", "show", "2027-01"))
    assert_said(team, "archived", cli("archive", "customer", "1"))
    assert_said(team, "nothing found", cli("search", "Ромашка"))


@pytest.mark.parametrize("team", ["ru", "uk"], indirect=True)
def test_garbage_input_is_refused_in_the_teams_language(cli, team):
    cli("init", "--admin", "Anna")
    assert_said(team, "bad role", cli("users", "role", "Anna", "boss", code=1))
    assert_said(team, "bad id", cli("loyalty", "show", "abc", code=1))
    assert_said(team, "bad telegram id", cli("users", "add", "X", "--telegram-id", "x1", code=1))
    assert_said(team, "bad map", cli("import", "clients.csv", "--map", "Название", code=1))
    assert_said(team, "nobody", cli("users", "role", "Nobody", "rep", code=1))


@pytest.mark.parametrize("team", ["ru"], indirect=True)
def test_the_person_acting_reads_their_own_language(cli, team):
    cli("init", "--admin", "Anna")
    cli("users", "add", "Olga", "--role", "admin", "--language", "en")
    cli("users", "add", "Ivan Petrov")
    changed = cli("--as", "Olga", "users", "role", "Ivan Petrov", "manager")
    assert "(as Olga, admin)" in changed and "Ivan Petrov is now manager." in changed
    assert "Error: No user 'Nobody'." in cli("--as", "Olga", "users", "role", "Nobody", "rep",
                                             code=1)  # fmt: skip
    assert_said(team, "role", cli("users", "role", "Ivan Petrov", "manager"))  # Anna reads ru
