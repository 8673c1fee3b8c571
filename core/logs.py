"""Logging set-up with a filter that blanks secrets out of every record.

Libraries log request URLs and exception texts that may contain a bot token or a
database password; the filter is attached to the handler, so it covers every logger.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

MASK = "***"


class RapportHandler(logging.StreamHandler[TextIO]):
    """The handler :func:`configure_logging` installs; configuring again replaces it."""


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            message = message.replace(secret, MASK)
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, MASK)
        record.msg, record.args = message, None
        return True


def configure_logging(level: str, secrets: Iterable[str]) -> logging.Handler:
    """Send logs to stderr at ``level``, with ``secrets`` redacted; returns the handler."""
    handler = RapportHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, RapportHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # These libraries narrate routine work at INFO (every connection, every job added,
    # every update handled), which buries Rapport's own lines and the console chat; the
    # CLI and the runners report what happened themselves. DEBUG shows everything.
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING if level != "DEBUG" else logging.DEBUG)
    return handler


CHATTY = ("alembic", "apscheduler", "aiogram.event", "aiogram.dispatcher")


@contextlib.contextmanager
def logs_to_file(path: Path) -> Iterator[None]:
    """While a conversation runs in this terminal (the console chat), log lines go to
    ``path`` instead of interleaving with it; secrets stay redacted (same handler)."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, RapportHandler)]
    with path.open("a", encoding="utf-8") as file:
        previous = [handler.setStream(file) for handler in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, previous, strict=True):
                if stream is not None:
                    handler.setStream(stream)
