"""The handlers' filters run on the event loop: none waits for a database thread."""

from __future__ import annotations

from rapport.adapters.telegram.handlers import routers


def test_every_filter_is_a_coroutine_so_aiogram_runs_none_in_a_thread():
    checks = [
        check
        for router in routers()
        for observer in router.observers.values()
        for handler in observer.handlers
        for check in handler.filters or ()
    ]
    assert checks  # F.text, F.contact, the dialogs' states...
    assert all(check.awaitable for check in checks)
