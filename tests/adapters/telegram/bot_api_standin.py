"""A Bot API server on loopback speaking Telegram's HTTP protocol (``/bot<token>/<method>``,
form or JSON bodies, ``{"ok": true, "result": ...}`` answers), recording every call: what
``rapport run`` processes talk to when the test points ``[telegram] api_url`` at it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

from aiohttp import web

BOT = {"id": 123456, "is_bot": True, "first_name": "Rapport", "username": "rapport_test_bot"}


class BotApiStandIn:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._messages = 0
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> BotApiStandIn:
        self._thread.start()
        assert self._started.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def called(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [params for name, params in self.calls if name == method]

    def texts_to(self, chat_id: int) -> list[str]:
        return [p["text"] for p in self.called("sendMessage") if int(p["chat_id"]) == chat_id]

    def wait_for(self, condition: Any, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {self.calls}")
            time.sleep(0.05)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        application = web.Application()
        application.router.add_post("/bot{token}/{method}", self._handle)
        runner = web.AppRunner(application)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._started.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = dict(await request.json())
        else:
            params = {key: str(value) for key, value in (await request.post()).items()}
        with self._lock:
            self.calls.append((method, params))
            self._messages += 1
            number = self._messages
        return web.json_response({"ok": True, "result": _result(method, params, number)})


def _result(method: str, params: dict[str, Any], number: int) -> Any:
    if method == "getMe":
        return BOT
    if method in {"sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}:
        chat = int(params.get("chat_id", 0))
        message: dict[str, Any] = {"message_id": number, "date": int(time.time()),
                                   "chat": {"id": chat, "type": "private"}, "from": BOT}  # fmt: skip
        if "text" in params:
            message["text"] = params["text"]
        if "reply_markup" in params:
            markup = params["reply_markup"]
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message
    return True
