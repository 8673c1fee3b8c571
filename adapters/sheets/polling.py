"""Whether ``rapport run``'s next sheet cycle has anything to do, from two cheap looks.

A full cycle reads every row of every tab and every record (seconds at 10k deals), yet
most polls find nothing new. Before each one the poller looks at a token that changes
whenever the sheet does (the file's modification time and size; Google Drive's
``modifiedTime``, one small request) and at the database's last change (the newest audit
entry: every change on every channel leaves one). When both are as they were before a
cycle that itself changed nothing, the poll is skipped. A cycle that wrote to the sheet
or applied an edit changes one of them, so the next poll runs in full and confirms the
quiet. Values no person changes (a loyalty segment recomputed, a lead score, the next
task's date) leave no audit entry: a full cycle runs at least every :data:`FULL_EVERY`
all the same, and ``rapport sync`` always runs one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from rapport.core.db.tables import AuditRow
from rapport.core.services.uow import UnitOfWork

if TYPE_CHECKING:
    from rapport.adapters.sheets.engine import SyncReport
    from rapport.core.bootstrap import App

FULL_EVERY = 600.0
"""Seconds after which a poll runs in full whatever the looks say."""

Looks = tuple[str, int]


def file_version(path: Path) -> str:
    """A workbook file's token: its modification time and size (Excel, LibreOffice and
    Rapport itself all replace or rewrite the file when they save)."""
    try:
        found = path.stat()
    except OSError:
        return "missing"
    return f"{found.st_mtime_ns}:{found.st_size}"


def last_change(app: App) -> int:
    """The newest audit entry's id: it moves with every change made anywhere."""
    with UnitOfWork(app, read_only=True) as uow:
        return uow.session.scalar(select(func.max(AuditRow.id))) or 0


@dataclass
class Poller:
    """Runs a cycle only when the sheet or the database may have changed since the last
    cycle that found nothing to do. ``version`` gives the sheet's token; ``cycle`` runs a
    full one; ``clock`` says the time in seconds."""

    app: App
    version: Callable[[], str]
    cycle: Callable[[], SyncReport]
    clock: Callable[[], float]
    quiet: Looks | None = None
    """What both sides looked like before the last cycle that changed neither."""
    full_at: float | None = None

    def poll(self) -> SyncReport | None:
        """A full cycle's report, or None when nothing can have changed."""
        now = self.clock()
        looks = (self.version(), last_change(self.app))
        recent = self.full_at is not None and now - self.full_at < FULL_EVERY
        if recent and looks == self.quiet:
            return None
        self.quiet = None  # until this cycle proves quiet: a failed one proves nothing
        report = self.cycle()
        self.full_at = now
        if (self.version(), last_change(self.app)) == looks:
            self.quiet = looks
        return report
