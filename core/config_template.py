"""The ``rapport.toml`` that ``rapport init`` writes: every setting, with its default."""

import json

TEMPLATE = """\
# Rapport settings. Environment variables override this file: RAPPORT_DATABASE_URL,
# RAPPORT_TELEGRAM__TOKEN (nested keys use a double underscore), ...

# SQLite file by default; a team server: "postgresql://user:password@host/rapport"
database_url = "sqlite:///rapport.db"
# Phones typed without "+" are read as numbers of this country.
default_region = "RU"
timezone = "Europe/Moscow"
language = "ru"          # en, ru or uk
currency = "RUB"
log_level = "INFO"
# redis_url = "redis://127.0.0.1:6379/0"   # shared bot state for several instances

[telegram]
# token = "123456:ABC..."                  # from @BotFather; without it the console chat runs
# bot_username = "acme_rapport_bot"         # so `rapport invite` prints a t.me link
# webhook_url = "https://crm.example.com/telegram"   # webhook mode instead of long polling
# webhook_secret = "a-long-random-string"
# webhook_listen = "0.0.0.0:8080"
# webhook_path = "/telegram"
# team_chat_id = -1001234567890
# api_url = "http://127.0.0.1:8081"        # a self-hosted Bot API server, not api.telegram.org

[sheets]
backend = "xlsx"          # xlsx (a local workbook), google, or off
path = "rapport.xlsx"
# spreadsheet_id = "1AbC..."
# credentials_file = "service-account.json"
interval_seconds = 60
deleted_rows = "restore"  # restore: a deleted row comes back; archive: its record is archived
conflicts = "database"    # a field changed on both sides: database (default) or sheet wins
# Sheet edits are made as this person, with their rights (a manager's discount limit...).
# editor = "Olga Smirnova"    # default: the person `rapport` commands act as, below

[cli]
# `rapport` commands act as this person unless told `--as NAME`; every command says who.
user = {cli_user}

[plugins]
disabled = []
# Each plugin reads its own section, e.g. [plugins.sales]

# Custom fields your team needs, without code:
# [[fields]]
# entity = "customer"
# name = "turnover"
# type = "money"           # text, number, money, date, choice, multi_choice, boolean
# label = "Turnover"
# labels = { ru = "Оборот" }
"""


def config_text(cli_user: str) -> str:
    """The commented settings file, with the CLI acting as ``cli_user`` (the first admin)."""
    return TEMPLATE.replace("{cli_user}", json.dumps(cli_user, ensure_ascii=False))
