"""How ``rapport run`` drives the bot: long polling by default, a webhook when a URL is
set (several instances behind it share Redis), the console chat when there is no token."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from rapport.adapters.telegram.bot import build_bot, build_dispatcher
from rapport.adapters.telegram.running import RUNNING

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)


async def run(app: App) -> None:
    settings = app.settings.telegram
    if settings.token is None:
        from rapport.adapters.telegram.console import run_console

        await run_console(app)
        return
    redis = app.settings.redis_url
    bot = build_bot(
        settings.token.get_secret_value(),
        session=_session(settings.api_url),
        redis_url=redis.get_secret_value() if redis else None,
    )
    try:
        if settings.webhook_url:
            await serve_webhook(app, bot, build_dispatcher(app))
        else:
            await poll(app, bot)
    finally:
        await bot.session.close()


def _session(api_url: str | None) -> AiohttpSession | None:
    """Telegram's own Bot API, or the team's self-hosted server when one is configured."""
    if api_url is None:
        return None
    return AiohttpSession(api=TelegramAPIServer.from_base(api_url))


async def poll(app: App, bot: Bot) -> None:
    """Long polling: the bot asks Telegram for updates; no public address needed."""
    dispatcher = build_dispatcher(app)
    RUNNING[app] = bot
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    finally:
        RUNNING.pop(app, None)


async def serve_webhook(app: App, bot: Bot, dispatcher: Dispatcher) -> None:
    """An aiohttp server taking Telegram's POSTs; the secret header keeps forgers out."""
    import asyncio

    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    settings = app.settings.telegram
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    application = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=secret).register(
        application, path=settings.webhook_path
    )
    setup_application(application, dispatcher, bot=bot)
    RUNNING[app] = bot
    runner = web.AppRunner(application)
    await runner.setup()
    host, _, port = settings.webhook_listen.rpartition(":")
    await web.TCPSite(runner, host or "0.0.0.0", int(port)).start()
    await bot.set_webhook(
        settings.webhook_url or "",
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
    )
    log.info("webhook listening on %s%s", settings.webhook_listen, settings.webhook_path)
    try:
        await asyncio.Event().wait()
    finally:
        RUNNING.pop(app, None)
        await runner.cleanup()
