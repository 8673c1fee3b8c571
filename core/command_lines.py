"""A command line (``/discount 12 15``) run as a person, the same way from every channel.

The bot, the console chat and ``rapport do`` hand the line here: the command is looked up
among what the plugins registered, the person's role is checked, and the plugin's handler
runs with its failure kept to that plugin. What it answers is channel-neutral text with
follow-up command lines, which each adapter renders its own way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapport.core.domain.errors import NotFound, PermissionDenied, _l
from rapport.core.extensions import CommandReply, CommandRequest

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.actor import Actor


def split_line(line: str) -> tuple[str, str]:
    """``/Set@rapport_bot 12 phone`` → ``("set", "12 phone")``."""
    name, _sep, args = line.strip().lstrip("/").partition(" ")
    return name.split("@")[0].lower(), args.strip()


def record_number(text: str) -> int | None:
    """``12`` or ``#12`` typed after a command: the record's number, or None for anything
    else (a word, a sign, more digits than an id has), so the command answers with its usage."""
    text = text.strip().lstrip("#")
    ascii_digits = text.isascii() and text.isdigit()  # "²" and "١٢" are digits to Python
    return int(text) if ascii_digits and len(text) < 10 else None


def record_and_rest(args: str) -> tuple[int | None, str]:
    """``#12 big order`` → ``(12, "big order")``: the record a command is about, and what
    follows it (None when the first word is no record number)."""
    number, _sep, rest = args.strip().partition(" ")
    return record_number(number), rest.strip()


async def run_command_line(app: App, actor: Actor, line: str) -> CommandReply:
    """Run ``line`` as ``actor``; an unknown or forbidden command is a clear refusal."""
    name, args = split_line(line)
    spec = app.registry.commands.get(name)
    if spec is None:
        raise NotFound(_l("I don't know /{name}. /help lists what I can do.", name=name))
    if actor.role not in spec.roles:
        raise PermissionDenied(_l("/{name} is for managers.", name=name))
    reply: CommandReply = await app.hooks.call_async(
        spec.owner, f"command /{spec.name}", spec.handler, CommandRequest(app, actor, args)
    )
    return reply
