"""The Telegram Bot API emulator (npm ``telegram-test-api``) on loopback, and a rep using it.

Installed by ``.ci/run`` with ``npm ci``; on a machine without it these tests skip, unless
``RAPPORT_REQUIRE_E2E`` is set (CI), where a missing emulator is a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import GetUpdates, TelegramMethod

HERE = Path(__file__).parent
TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"


@pytest.fixture(scope="session")
def emulator() -> str:
    script = HERE / "emulator.js"
    if shutil.which("node") is None or not (HERE / "node_modules" / "telegram-test-api").exists():
        if os.environ.get("RAPPORT_REQUIRE_E2E"):
            pytest.fail("telegram-test-api is not installed: run `npm ci` in tests/e2e")
        pytest.skip("telegram-test-api is not installed (npm ci in tests/e2e)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        ["node", str(script), str(port)],
        cwd=HERE,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("ready"):
        process.kill()
        pytest.fail(f"the emulator did not start: {line}{process.stdout.read()}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


class EmulatorSession(AiohttpSession):
    """Test-only fixes for where the emulator differs from Telegram (checked with aiogram
    3.31): getMe lacks ``is_bot``, callback queries lack ``chat_instance``, edits and
    answerCallbackQuery return null, and getUpdates returns at once when empty."""

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Any:
        answer = json.loads(content)
        result = answer.get("result")
        if answer.get("ok") and result is None:
            answer["result"] = True
        elif isinstance(result, dict) and "username" in result and "is_bot" not in result:
            result["is_bot"] = True
        elif isinstance(result, list):
            for update in result:
                if "callback_query" in update:
                    update["callback_query"].setdefault("chat_instance", "emulator")
        return super().check_response(bot, method, status_code, json.dumps(answer))

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        result = await super().make_request(bot, method, timeout)
        if isinstance(method, GetUpdates) and not result:
            await asyncio.sleep(0.1)  # the emulator ignores long-polling's timeout
        return result


def emulated_bot(url: str) -> Bot:
    from rapport.adapters.telegram.bot import build_bot

    session = EmulatorSession(api=TelegramAPIServer.from_base(url))
    return build_bot(TOKEN, session=session)


class Rep:
    """A person with the Telegram app, as the emulator's client API lets us play one."""

    def __init__(self, url: str, telegram_id: int, name: str, language: str = "en") -> None:
        self.url, self.id = url, telegram_id
        self.person = {
            "id": telegram_id,
            "is_bot": False,
            "first_name": name,
            "language_code": language,
        }
        self.seen: list[dict[str, Any]] = []
        self.read = 0  # replies before this one were matched by an earlier wait_for

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        answer = requests.post(self.url + path, json=body, timeout=10)
        answer.raise_for_status()
        return answer.json()["result"]

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "botToken": TOKEN,
            "from": self.person,
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": self.person["first_name"]},
            **content,
        }

    def say(self, text: str) -> None:
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            self._post("/sendCommand", self._message(text=text, entities=entities))
        else:
            self._post("/sendMessage", self._message(text=text))

    def share_contact(self, phone: str, first_name: str) -> None:
        self._post(
            "/sendMessage", self._message(contact={"phone_number": phone, "first_name": first_name})
        )

    def share_location(self, latitude: float, longitude: float) -> None:
        self._post(
            "/sendMessage", self._message(location={"latitude": latitude, "longitude": longitude})
        )

    def tap(self, label: str) -> None:
        """Press the button with this label under the latest bot message that has one."""
        for message in reversed(self.seen):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        shown = {
                            "message_id": message["message_id"],
                            "date": int(time.time()),
                            "chat": {"id": self.id, "type": "private"},
                            "text": "…",
                        }
                        self._post(
                            "/sendCallback",
                            {
                                "botToken": TOKEN,
                                "from": self.person,
                                "data": button["callback_data"],
                                "message": shown,
                            },
                        )
                        return
        raise AssertionError(f"no button {label!r} in {[m.get('text') for m in self.seen]}")

    def wait_for(self, fragment: str, timeout: float = 15) -> dict[str, Any]:
        """Read the bot's replies until one contains ``fragment`` (replies may interleave)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for update in self._post("/getUpdates", {"token": TOKEN, "chatId": self.id}):
                self.seen.append(dict(update["message"], message_id=update["messageId"]))
            for index in range(self.read, len(self.seen)):
                if fragment in (self.seen[index].get("text") or ""):
                    self.read = index + 1
                    return self.seen[index]
            time.sleep(0.05)
        raise AssertionError(
            f"no reply with {fragment!r}; got {[m.get('text') for m in self.seen]}"
        )


class RunningBot:
    """``rapport run``'s bot (long polling against the emulator) in a thread of its own,
    so the test can play the person with plain blocking HTTP."""

    def __init__(self, app: Any, url: str) -> None:
        self.app, self.url = app, url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> RunningBot:
        from rapport.adapters.telegram.runner import poll

        self.thread.start()
        self.call(self.app.start())
        self.bot = emulated_bot(self.url)
        self.task = asyncio.run_coroutine_threadsafe(poll(self.app, self.bot), self.loop)
        return self

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def __exit__(self, *exc: object) -> None:
        self.task.cancel()
        self.call(self.app.stop())
        self.call(self.bot.session.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
