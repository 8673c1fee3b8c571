"""The handlers' filters run on the event loop, not in the database's threads.

aiogram runs a filter that is a plain function (``F.text.startswith("/")``, a dialog's
``State``) in a thread of the loop's default executor, which the bot sizes for the
database. An update is checked against a dozen such filters on its way to its handler,
so each paid a dozen thread hand-offs, and queued for a thread behind other reps'
database work before it even reached its handler. These checks look at the update only
and take microseconds, so they run on the loop; a filter that is already a coroutine
(``Command``, a button's ``CallbackData.filter()``) is left as it is.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


class OnLoop(FilterObject):
    """A plain filter called in place, with the arguments aiogram would have given it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.awaitable = True  # to aiogram: nothing to send to a thread

    async def call(self, *args: Any, **kwargs: Any) -> Any:
        return self.callback(*args, **self._prepare_kwargs(kwargs))


def filters_on_loop(router: Router) -> Router:
    """``router`` (and the routers it includes) with every plain filter run on the loop."""
    for observer in router.observers.values():
        for handler in observer.handlers:
            handler.filters = [_on_loop(check) for check in handler.filters or ()] or None
    for included in router.sub_routers:
        filters_on_loop(included)
    return router


def _on_loop(check: FilterObject) -> FilterObject:
    if check.awaitable:
        return check
    return OnLoop(check.magic if check.magic is not None else check.callback)
