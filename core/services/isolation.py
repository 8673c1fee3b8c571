"""One item of a batch job at a time: one bad record or person never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


@contextmanager
def isolated(what: str, item: object, session: Session | None = None) -> Iterator[None]:
    """Run one item of a batch; a failure is logged once, naming ``what`` and ``item``, and
    the batch goes on with the next.

    With ``session``, the item runs in a savepoint: its half-done writes are undone and the
    rest of the batch's transaction is kept. ``--debug`` adds the traceback to the log.
    """
    try:
        if session is None:
            yield
        else:
            with session.begin_nested():
                yield
    except Exception as exc:  # one bad record must not stop the batch
        log.error("%s %s skipped: %s", what, item, exc, exc_info=log.isEnabledFor(logging.DEBUG))
