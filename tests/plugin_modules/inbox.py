"""A stand-in chat adapter for tests: keeps what it delivers; can be told to be offline."""

import threading

from rapport import hookimpl


class Inbox:
    def __init__(self, online: bool = True) -> None:
        self.online = online
        self.sent = []
        self.due = []
        self.lock = threading.Lock()

    def texts(self, kind=None):
        return [n.text for n in self.sent if kind is None or n.kind == kind]

    @hookimpl
    async def deliver_notification(self, notification):
        if not self.online:
            return None
        with self.lock:
            self.sent.append(notification)
        return True

    @hookimpl
    def after_task_due(self, task, late):
        self.due.append((task["id"], late))
