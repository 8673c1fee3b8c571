"""Which customer a chat is about, kept in the FSM storage so every bot instance knows it.

Two things, on purpose apart: the card opened last (a photo or a voice message sent next
goes to it, for a while) and a note the rep asked to write (by the card's Note button, or
by answering the bot's "type a note"), which takes the next text only. Likewise a
command's question ("New phone for Ромашка?") takes the next text as the rest of its
line. Any other text is a search: a name typed to find someone must never land on the
customer seen last.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rapport.adapters.telegram.middlewares import Who

CARD, NOTE, TYPED, ASKED = "card", "note_for", "typed", "asked"
CARD_FOR = 2 * 3600  # seconds: a photo sent the next morning is not about today's visit
NOTE_FOR = 15 * 60  # a note asked for and not written soon was given up


@dataclass(frozen=True)
class Focus:
    """A customer the chat is about, with the name the bot shows when it says where
    something went."""

    customer_id: int
    name: str

    def stored(self) -> dict[str, Any]:
        return {"id": self.customer_id, "name": self.name, "since": time.time()}


def _read(data: dict[str, Any], key: str, lifetime: float) -> Focus | None:
    """The focus stored under ``key`` if it is recent; anything else (none, cleared,
    expired, or written by an older version of the bot) is no focus at all."""
    entry = data.get(key)
    if not isinstance(entry, dict):
        return None
    customer_id, name, since = entry.get("id"), entry.get("name"), entry.get("since")
    if not isinstance(customer_id, int) or not isinstance(since, int | float):
        return None
    if time.time() - since > lifetime:
        return None
    return Focus(customer_id, name if isinstance(name, str) else f"#{customer_id}")


async def open_card(who: Who, focus: Focus) -> None:
    """The card now shown: files go to it next. A note asked for another customer lapses."""
    data = await who.state.get_data()
    pending = _read(data, NOTE, NOTE_FOR)
    keep_note = pending is not None and pending.customer_id == focus.customer_id
    await who.state.update_data({CARD: focus.stored(), NOTE: data.get(NOTE) if keep_note else None})


async def open_customer(who: Who) -> Focus | None:
    return _read(await who.state.get_data(), CARD, CARD_FOR)


async def ask_note(who: Who, focus: Focus) -> None:
    """The next text the rep types is a note on ``focus``."""
    await who.state.update_data({CARD: focus.stored(), NOTE: focus.stored(), ASKED: None})


async def take_note_request(who: Who) -> Focus | None:
    """The customer a note was asked for, once: the text after it is a search again."""
    pending = _read(await who.state.get_data(), NOTE, NOTE_FOR)
    if pending is not None:
        await who.state.update_data({NOTE: None})
    return pending


async def keep_typed(who: Who, text: str) -> None:
    """Text that was searched for, kept so one tap can save it as a note after all."""
    await who.state.update_data({TYPED: text})


async def take_typed(who: Who) -> str | None:
    text = (await who.state.get_data()).get(TYPED)
    await who.state.update_data({TYPED: None})
    return text if isinstance(text, str) and text else None


async def ask_rest(who: Who, line: str) -> None:
    """The next text completes ``line`` (``""``: nothing is waited for any more). A note
    asked for earlier lapses: only the latest question is answered."""
    entry = {"line": line, "since": time.time()} if line else None
    await who.state.update_data({ASKED: entry, **({NOTE: None} if line else {})})


async def asked_line(who: Who) -> str | None:
    """The command line waiting for the rest, if the question is recent."""
    entry = (await who.state.get_data()).get(ASKED)
    if not isinstance(entry, dict):
        return None
    line, since = entry.get("line"), entry.get("since")
    if not isinstance(line, str) or not isinstance(since, int | float):
        return None
    return line if time.time() - since <= NOTE_FOR else None


async def forget(who: Who) -> None:
    """A new search: no card open, no note or answer waited for."""
    await who.state.update_data({CARD: None, NOTE: None, TYPED: None, ASKED: None})
