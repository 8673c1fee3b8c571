"""One Rapport process sending due reminders as ``rapport run``'s scheduler does, every
half second, through a stand-in chat adapter that writes each message it sends to a file
(``text<TAB>unix time`` per line): the processes the kill-mid-batch test starts.

``python -m tests.plugin_modules.outbox_worker DATABASE_URL SENT_FILE``
"""

import asyncio
import os
import sys
import time

from rapport import hookimpl
from rapport.core.bootstrap import build_app
from rapport.core.scheduler import run_job
from rapport.core.settings import Settings


class SentFile:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    @hookimpl
    async def deliver_notification(self, notification):
        os.write(self.fd, f"{notification.text}\t{time.time()}\n".encode())
        await asyncio.sleep(0.002)  # a chat API's round trip
        return True


async def main(database_url: str, sent_file: str) -> None:
    app = build_app(
        Settings(database_url=database_url),
        extra_plugins=[("sent_file", SentFile(sent_file))],
        load_entry_points=False,
    )
    job = app.registry.jobs["tasks.reminders"]
    while True:
        await run_job(app, job)
        await asyncio.sleep(0.5)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
