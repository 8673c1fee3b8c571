"""Deploying for a team, as the README says: two `rapport run` processes in webhook mode,
configured by `rapport.toml` alone, sharing PostgreSQL and Redis behind one bot. A dialog
started on one continues on the other, and an update posted to both is handled once."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests

from rapport.core.services.customers import create_customer, list_customers
from rapport.core.services.deals import list_deals
from rapport.testing.chat import TOKEN
from tests.adapters.telegram.bot_api_standin import BotApiStandIn
from tests.adapters.telegram.test_bot_webhook import free_port

IVAN = 1002
SECRET = "a-long-random-webhook-secret"
pytestmark = pytest.mark.xdist_group("redis")  # one Redis database: one at a time
REDIS_URL = os.environ.get("RAPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RAPPORT = Path(sys.executable).with_name("rapport")


@pytest.fixture
def shared_redis():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        if os.environ.get("RAPPORT_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required here: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def configure(folder: Path, database_url: str, redis_url: str, api_url: str, port: int) -> None:
    folder.mkdir()
    (folder / "rapport.toml").write_text(
        f'database_url = "{database_url}"\n'
        f'redis_url = "{redis_url}"\n'
        'language = "ru"\n'
        "[telegram]\n"
        f'token = "{TOKEN}"\n'
        'webhook_url = "https://crm.example.com/telegram"\n'
        f'webhook_secret = "{SECRET}"\n'
        f'webhook_listen = "127.0.0.1:{port}"\n'
        f'api_url = "{api_url}"\n'
        "[sheets]\n"
        'backend = "off"\n',
        encoding="utf-8",
    )


def message(update_id: int, text: str | None = None, **content) -> dict:
    body = {"message_id": update_id, "date": int(time.time()),
            "chat": {"id": IVAN, "type": "private"},
            "from": {"id": IVAN, "is_bot": False, "first_name": "Ivan", "language_code": "ru"},
            **content}  # fmt: skip
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
    return {"update_id": update_id, "message": body}


def post(port: int, update: dict) -> int:
    answer = requests.post(
        f"http://127.0.0.1:{port}/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=30,
    )
    return answer.status_code


@pytest.mark.slow
def test_two_instances_share_dialogs_and_handle_each_update_once(
    app, team, database_url, shared_redis, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share a PostgreSQL server, not an SQLite file")
    customer = create_customer(app, team["ivan"], {"name": "ООО Ромашка"})
    redis_url = f"{shared_redis.rsplit('/', 1)[0]}/14"
    redis.Redis.from_url(redis_url).flushdb()
    with BotApiStandIn() as telegram:
        ports = [free_port(), free_port()]
        instances = []
        for n, port in enumerate(ports):
            folder = tmp_path / f"instance-{n}"
            configure(folder, database_url, redis_url, telegram.url, port)
            instances.append(subprocess.Popen([str(RAPPORT), "run"], cwd=folder,
                                              env={**os.environ, "RAPPORT_RUN_ID": uuid.uuid4().hex},
                                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                              text=True))  # fmt: skip
        try:
            telegram.wait_for(lambda: len(telegram.called("setWebhook")) == 2)
            assert {c["url"] for c in telegram.called("setWebhook")} == {
                "https://crm.example.com/telegram"
            }
            first, second = ports
            assert post(first, message(1, f"/newdeal {customer.id}")) == 200
            telegram.wait_for(lambda: len(telegram.texts_to(IVAN)) >= 1)
            assert post(second, message(2, "Весенний заказ")) == 200  # the balancer's choice
            telegram.wait_for(lambda: len(telegram.texts_to(IVAN)) >= 2)
            assert post(first, message(3, "250000")) == 200
            telegram.wait_for(lambda: len(list_deals(app, team["ivan"])) == 1)
            [deal] = list_deals(app, team["ivan"])
            assert deal.title == "Весенний заказ" and deal.amount == 250000

            contact = {"contact": {"phone_number": "+79120001122", "first_name": "Анна"}}
            for port in (first, second):  # Telegram redelivers to the other instance
                assert post(port, message(4, **contact)) == 200
            telegram.wait_for(lambda: any("Анна" in t for t in telegram.texts_to(IVAN)[3:]))
            time.sleep(1)  # room for a second, wrong, answer
            annas = [c for c in list_customers(app, team["ivan"]) if c.name == "Анна"]
            assert len(annas) == 1
            answers = telegram.texts_to(IVAN)
            assert sum("клиент: Анна" in t for t in answers) == 1, answers  # added, once
            assert sum(t.startswith("<b>Анна</b>") for t in answers) == 1, answers  # its card
        finally:
            outputs = []
            for process in instances:
                process.send_signal(signal.SIGINT)
                try:
                    outputs.append(process.communicate(timeout=20)[0])
                except subprocess.TimeoutExpired:
                    process.kill()
                    outputs.append(process.communicate()[0])
    for output in outputs:
        assert "Traceback" not in output, output
        assert TOKEN not in output and SECRET not in output  # secrets are never logged
