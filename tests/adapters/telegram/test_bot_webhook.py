"""Webhook mode: Telegram posts updates to our aiohttp server; forged posts are refused."""

import asyncio
import socket

import aiohttp

from rapport.adapters.telegram.bot import build_bot, build_dispatcher
from rapport.adapters.telegram.runner import serve_webhook
from rapport.core.settings import TelegramSettings
from rapport.testing.chat import TOKEN

IVAN = 1002


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_updates_posted_to_the_webhook_are_handled_and_forgeries_refused(app, team, session):
    port = free_port()
    app.settings = app.settings.model_copy(
        update={
            "telegram": TelegramSettings(
                token=TOKEN,
                webhook_url="https://crm.example.com/telegram",
                webhook_secret="s3cret-token",
                webhook_listen=f"127.0.0.1:{port}",
            )
        }
    )
    bot = build_bot(TOKEN, session=session, throttle=False)
    server = asyncio.create_task(serve_webhook(app, bot, build_dispatcher(app)))
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1700000000,
            "text": "/help",
            "chat": {"id": IVAN, "type": "private"},
            "from": {"id": IVAN, "is_bot": False, "first_name": "Ivan"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    url = f"http://127.0.0.1:{port}/telegram"
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(200):  # until the server listens
                try:
                    forged = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
                    )
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert forged.status == 401
            answer = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            )
            assert answer.status == 200
        for _ in range(200):  # handled in the background, after the 200 answer
            if session.texts(IVAN):
                break
            await asyncio.sleep(0.05)
        assert "What I can do:" in session.texts(IVAN)[0]
        [hook] = [c for c in session.calls if type(c).__name__ == "SetWebhook"]
        assert (
            hook.url == "https://crm.example.com/telegram" and hook.secret_token == "s3cret-token"
        )
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
