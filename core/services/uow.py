"""One transaction per use case, with hooks fired only after it commits.

Adapters never see a session: they call service functions, which open a unit of work,
and ``after_*`` hooks are queued with :meth:`UnitOfWork.after_commit` so that a plugin
is never told about a change that was rolled back.

Units of work nest: one opened while another is open in the same thread joins it, so a
plugin can compose the core's use cases into one of its own (replace a deal's product
lines *and* update its amount) that commits or rolls back as a whole. The outer one
commits; hooks queued inside fire after that commit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rapport.core.domain.errors import ConcurrentChange, _l

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

_OPEN: ContextVar[UnitOfWork | None] = ContextVar("rapport_unit_of_work", default=None)


class UnitOfWork:
    """``with UnitOfWork(app) as uow: ...; uow.commit()``; leaving without commit rolls back."""

    def __init__(self, app: App, *, read_only: bool = False) -> None:
        self.app = app
        self.read_only = read_only
        self._callbacks: list[Callable[[], None]] = []
        self._at_end: list[Callable[[], None]] = []
        self._committed = False
        self._outer: UnitOfWork | None = None
        self._token: Token[UnitOfWork | None] | None = None
        self.memo: dict[Hashable, Any] = {}
        """Facts looked up once per transaction (a user's team, the stored fields)."""

    def __enter__(self) -> UnitOfWork:
        outer = _OPEN.get()
        if outer is not None and outer.app is self.app:
            if outer.read_only and not self.read_only:
                raise RuntimeError("a change cannot run inside a read-only unit of work")
            self._outer = outer
            self.session: Session = outer.session
            self.memo = outer.memo
            return self
        factory = self.app.read_sessions if self.read_only else self.app.sessions
        self.session = factory()
        self._token = _OPEN.set(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._outer is not None:
            return  # the outer unit of work commits or rolls back everything
        assert self._token is not None
        _OPEN.reset(self._token)
        if not self._committed and not self.read_only:
            self.session.rollback()  # expires what the failed change loaded: it is not true
        # A read-only unit of work only closes: the rows it read stay readable afterwards.
        self.session.close()
        at_end, self._at_end = self._at_end, []
        for callback in at_end:
            callback()
        if isinstance(exc, StaleDataError):
            raise _concurrent_change() from None
        if self._committed and exc is None:
            callbacks, self._callbacks = self._callbacks, []
            for callback in callbacks:
                callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed and the session is closed."""
        if self._outer is not None:
            self._outer.after_commit(callback)
        else:
            self._callbacks.append(callback)

    def at_end(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the outermost transaction is over, committed or rolled back
        (a change held for approval files its request then, in a transaction of its own)."""
        if self._outer is not None:
            self._outer.at_end(callback)
        else:
            self._at_end.append(callback)

    def commit(self) -> None:
        if self._outer is not None:
            self.session.flush()  # the outer unit of work commits; surface errors here
            return
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise _concurrent_change() from None
        self._committed = True


def in_unit_of_work(app: App) -> bool:
    """Whether this thread has a unit of work of ``app`` open (a caller that would wait for
    another thread's write must not, while it may hold the write lock itself)."""
    open_now = _OPEN.get()
    return open_now is not None and open_now.app is app


def _concurrent_change() -> ConcurrentChange:
    """The version column caught two writers on one record: the later one must reload."""
    return ConcurrentChange(
        _l("Someone else changed this record at the same moment; reload it and try again.")
    )
