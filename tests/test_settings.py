import logging

import pytest

from rapport.core.domain.errors import ConfigError
from rapport.core.logs import configure_logging
from rapport.core.settings import load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith("RAPPORT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_settings_come_from_the_toml_file(tmp_path):
    (tmp_path / "rapport.toml").write_text(
        'database_url = "sqlite:///team.db"\ntimezone = "Europe/Moscow"\n'
        f'[telegram]\ntoken = "{TOKEN}"\n[plugins]\ndisabled = ["loyalty"]\n'
        '[plugins.sales]\ndeal_word = "order"\n',
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.database_url == "sqlite:///team.db"
    assert settings.telegram.token.get_secret_value() == TOKEN
    assert settings.plugins.disabled == ["loyalty"]
    assert settings.plugins.options("sales") == {"deal_word": "order"}


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    (tmp_path / "rapport.toml").write_text('timezone = "Europe/Moscow"\n', encoding="utf-8")
    monkeypatch.setenv("RAPPORT_TIMEZONE", "Europe/Kyiv")
    monkeypatch.setenv("RAPPORT_SHEETS__BACKEND", "off")
    settings = load_settings()
    assert settings.timezone == "Europe/Kyiv"
    assert settings.sheets.backend == "off"


def test_bad_values_are_named_with_their_source(tmp_path):
    (tmp_path / "rapport.toml").write_text(
        'timezone = "Mars/Olympus"\ndefault_region = "XX"\ncolour = "red"\ncurrency = "RUR"\n'
        '[telegram]\ntoken = "not-a-token"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert "rapport.toml" in message
    assert "timezone: is not an IANA time zone" in message
    assert "default_region: is not a two-letter country code" in message
    assert "colour: is not a known setting" in message
    assert "currency: is not an ISO 4217 currency code in use" in message
    assert "telegram.token: does not look like a bot token" in message
    assert "not-a-token" not in message


def test_broken_toml_points_at_the_line(tmp_path):
    (tmp_path / "rapport.toml").write_text('timezone = "UTC\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rapport.toml: not valid TOML \(.*line 1"):
        load_settings()


def test_unknown_database_is_refused():
    with pytest.raises(ConfigError, match=r"database_url: only sqlite:// and postgresql://"):
        load_settings(database_url="mysql://root@localhost/crm")


def test_a_missing_config_file_named_explicitly_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"no such config file"):
        load_settings(tmp_path / "elsewhere.toml")


def test_secrets_never_reach_the_log_or_the_repr(capsys):
    settings = load_settings(
        database_url="postgresql://crm:s3cret-pass@db.local/rapport", telegram={"token": TOKEN}
    )
    assert TOKEN not in repr(settings)
    assert "s3cret-pass" not in settings.safe_database_url()
    handler = configure_logging("INFO", settings.secrets())
    try:
        logging.getLogger("aiogram").info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError("connection to postgresql://crm:s3cret-pass@db.local failed")
        except RuntimeError:
            logging.getLogger("sqlalchemy").exception("database down")
    finally:
        logging.getLogger().removeHandler(handler)
    logged = capsys.readouterr().err
    assert "getMe" in logged and "database down" in logged
    assert TOKEN not in logged
    assert "s3cret-pass" not in logged


def test_a_dotenv_file_is_read_and_overrides_the_toml(tmp_path):
    (tmp_path / "rapport.toml").write_text('currency = "USD"\nlanguage = "en"\n', encoding="utf-8")
    (tmp_path / ".env").write_text("RAPPORT_CURRENCY=UAH\nRAPPORT_TELEGRAM__TEAM_CHAT_ID=-100123\n")
    settings = load_settings()
    assert settings.currency == "UAH" and settings.language == "en"
    assert settings.telegram.team_chat_id == -100123
