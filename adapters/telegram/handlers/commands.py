"""Every plugin's commands, in the bot with no bot change: typed, or pressed as a button.

A command line from a button is run exactly as if the person typed it, so the service
layer checks their rights on every press; forged callback data gets no further than
the person's own rights.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from rapport.adapters.telegram.focus import ask_rest
from rapport.adapters.telegram.keyboards import Run
from rapport.adapters.telegram.menu import DESCRIPTIONS
from rapport.adapters.telegram.middlewares import Who
from rapport.adapters.telegram.replies import chat_of, send_reply
from rapport.core.command_lines import run_command_line, split_line
from rapport.core.domain.errors import NotFound, PermissionDenied
from rapport.core.explain import explain
from rapport.core.extensions import CommandReply

BotView = Callable[[Message | CallbackQuery, Who, str], Awaitable[None]]
VIEWS: dict[str, BotView] = {}
"""Commands the bot shows its own way (a card with buttons), instead of the plain reply."""


async def run_line(who: Who, line: str) -> CommandReply:
    """Run ``/name args`` as ``who``; an unknown or forbidden command is explained."""
    try:
        return await run_command_line(who.app, who.actor, line)
    except (NotFound, PermissionDenied) as refused:
        return CommandReply(explain(who.app, refused, who._.language))


async def dispatch(event: Message | CallbackQuery, who: Who, line: str) -> None:
    """Run a typed or pressed line; any question asked before it is given up, and a reply
    that asks one waits for the person's next text."""
    name, args = split_line(line)
    await ask_rest(who, "")
    view = VIEWS.get(name)
    if view is not None:
        await view(event, who, args)
        return
    reply = await run_line(who, line)
    assert event.bot is not None
    await send_reply(event.bot, chat_of(event), reply)
    if reply.completes:
        await ask_rest(who, reply.completes)


async def help_command(message: Message, who: Who) -> None:
    _ = who._
    lines = [_("What I can do:")]
    lines += [f"/{name} — {_(text)}" for name, text in DESCRIPTIONS.items() if name != "start"]
    for spec in who.app.registry.commands.values():
        if who.actor.role in spec.roles:
            lines.append(f"/{spec.name} — {spec.description_for(_.language)}")
    lines += [
        "",
        _(
            "Share a contact to add a customer, share your location to check in, "
            "or type a name to find someone."
        ),
    ]
    assert message.bot is not None
    await send_reply(message.bot, message.chat.id, CommandReply("\n".join(lines)))


async def typed_command(message: Message, who: Who) -> None:
    await dispatch(message, who, message.text or "")


async def pressed_command(query: CallbackQuery, callback_data: Run, who: Who) -> None:
    await query.answer()
    await dispatch(query, who, callback_data.line)


def build() -> Router:
    """A fresh router with this module's handlers, in the order they must match."""
    router = Router(name="commands")
    router.message.register(help_command, Command(commands=["help"]))
    router.message.register(typed_command, F.text.startswith("/"))
    router.callback_query.register(pressed_command, Run.filter())
    return router
