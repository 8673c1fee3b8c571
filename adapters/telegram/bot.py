"""The bot itself: one dispatcher whatever drives it (long polling, a webhook, the console).

Errors never reach the person as a crash: a refused change is explained in their
language, anything unexpected is logged and answered with an apology, and the bot keeps
serving. A failing API call at start-up (an emulator without ``setMyCommands``, a
network blip) is logged and skipped.

The handlers' database work runs in threads, never on the event loop; the dispatcher
gives them a pool of their own, sized for the database (SQLite takes one writer at a
time, so a few threads; PostgreSQL as many as the connection pool holds), so a burst of
updates queues for a connection instead of piling threads onto the database, and one
slow update holds one thread while the others keep serving everyone else.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import AiogramError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import BotCommand, ErrorEvent, User

from rapport.adapters.telegram.handlers import routers
from rapport.adapters.telegram.i18n import Translator, pick_language
from rapport.adapters.telegram.menu import DESCRIPTIONS, MENU_COMMANDS
from rapport.adapters.telegram.middlewares import (
    SENDER,
    Claims,
    DatabaseClaims,
    OncePerUpdate,
    RedisClaims,
    RegisteredOnly,
    Resolver,
)
from rapport.adapters.telegram.texts import plain
from rapport.adapters.telegram.throttle import Throttle
from rapport.core.domain.errors import PluginFailed, RapportError
from rapport.core.domain.models import User as RapportUser
from rapport.core.explain import explain
from rapport.core.services.users import user_by_telegram_id

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)
SQLITE_THREADS = 4  # one writes while the others read (WAL)


def build_bot(
    token: str,
    session: BaseSession | None = None,
    *,
    throttle: bool = True,
    redis_url: str | None = None,
) -> Bot:
    """The bot; with ``redis_url`` its sending limits are shared with every instance."""
    bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    if throttle:
        bot.session.middleware(Throttle(redis=_redis(redis_url) if redis_url else None))
    return bot


def build_dispatcher(
    app: App,
    storage: BaseStorage | None = None,
    resolve: Resolver = user_by_telegram_id,
    claims: Claims | None = None,
) -> Dispatcher:
    """The dispatcher; updates are claimed in Redis when configured, else in the database
    (``claims`` overrides: the console numbers its updates from the database's)."""
    dispatcher = Dispatcher(storage=storage or _storage(app))
    claims = claims or _claims(app)
    dispatcher.update.outer_middleware(OncePerUpdate(claims, app, resolve))
    if isinstance(claims, RedisClaims):
        dispatcher.shutdown.register(claims.redis.aclose)
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.outer_middleware(RegisteredOnly(app))
    dispatcher.include_routers(*routers())
    dispatcher.errors.register(_on_error)
    dispatcher.startup.register(_database_threads)
    dispatcher.startup.register(_announce_commands)
    dispatcher["app"] = app
    return dispatcher


def database_threads(app: App) -> int:
    """How many threads may do the bot's database work at once."""
    if app.engine.url.get_backend_name() == "sqlite":
        return SQLITE_THREADS
    size = getattr(app.engine.pool, "size", None)
    return size() if callable(size) else SQLITE_THREADS


async def _database_threads(app: App) -> None:
    """``asyncio.to_thread`` (every handler's way to the database) uses this pool."""
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(database_threads(app), thread_name_prefix="rapport-db")
    )


def _redis(url: str) -> Redis:
    from redis.asyncio import Redis

    return Redis.from_url(url)


def _claims(app: App) -> Claims:
    if not app.settings.redis_url:
        return DatabaseClaims(app)
    return RedisClaims(_redis(app.settings.redis_url.get_secret_value()))


def _storage(app: App) -> BaseStorage:
    """Dialogs live in memory, or in Redis when configured so several instances share them."""
    if not app.settings.redis_url:
        return MemoryStorage()
    from aiogram.fsm.storage.redis import RedisStorage

    return RedisStorage.from_url(app.settings.redis_url.get_secret_value())


async def _announce_commands(bot: Bot, app: App) -> None:
    """The command menu in the chat's "/" list, in each language."""
    for language in ("en", "ru", "uk"):
        _ = Translator(language)
        commands = [
            BotCommand(command=name, description=_(DESCRIPTIONS[name])) for name in MENU_COMMANDS
        ]
        commands += [
            BotCommand(command=spec.name, description=spec.description_for(language)[:256])
            for spec in app.registry.commands.values()
            if spec.in_menu
        ]
        try:
            await bot.set_my_commands(
                commands, language_code=None if language == "en" else language
            )
        except (AiogramError, ValueError, OSError) as exc:  # the bot serves without a menu
            log.warning("could not set the command menu (%s): %s", language, exc)
            return


async def _on_error(event: ErrorEvent, bot: Bot, app: App, **data: Any) -> bool:
    update = event.update
    message = update.message or (update.callback_query.message if update.callback_query else None)
    sender = (
        update.message.from_user
        if update.message
        else (update.callback_query.from_user if update.callback_query else None)
    )
    _ = Translator(await _language(app, sender, data.get(SENDER)))
    if isinstance(event.exception, PluginFailed):
        text = _(
            "The {plugin} plugin failed, so this was not done; everything else works.",
            plugin=event.exception.plugin,
        )
    elif isinstance(event.exception, RapportError):
        reason = explain(app, event.exception, _.language)
        text = _("Not done: {reason}", reason=plain(reason))
    else:
        log.exception("update %s failed", update.update_id, exc_info=event.exception)
        text = _("Sorry, something went wrong on my side. Try again, or /cancel.")
    if message is not None:
        try:
            await bot.send_message(message.chat.id, text)
        except AiogramError as exc:
            log.warning("could not tell the user about an error: %s", exc)
    return True


async def _language(app: App, sender: User | None, found: RapportUser | None) -> str:
    """The language the person chose in Rapport, else their Telegram app's, else the team's.
    ``found``: the person as the update's middleware read them (the console's person has
    no Telegram id to look up), else looked up here (the error came before)."""
    if sender is None:
        return app.settings.language
    user = found
    if user is None:
        try:
            user = await asyncio.to_thread(user_by_telegram_id, app, sender.id)
        except RapportError:
            user = None
    chosen = user.language if user is not None else None
    return pick_language(chosen, sender.language_code, app.settings.language)
