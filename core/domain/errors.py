"""Domain exceptions: each carries a message written for the person who caused it.

Adapters translate these into a chat reply, a sheet note or a CLI message; they never
show a traceback. Nothing in this module does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


class RapportError(Exception):
    """Base of every error a user may see; ``str(error)`` is the message for them."""


@dataclass(frozen=True)
class FieldProblem:
    """One rejected value: which field, and why, in words a user understands."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidInput(RapportError):
    """Incoming data failed validation; nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def one(cls, field: str, reason: str) -> InvalidInput:
        return cls([FieldProblem(field, reason)])


class NotFound(RapportError):
    """The record does not exist, or the user may not know that it does."""


class PermissionDenied(RapportError):
    """The user's role does not allow this action."""


class ConcurrentChange(RapportError):
    """The record changed since the caller read it; applying the edit would lose the other one."""


class Vetoed(RapportError):
    """A plugin refused the change through the ``validate_change`` hook."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


class SchemaNotReady(RapportError):
    """The database schema is missing or older than the code: the user must upgrade it."""


class ConfigError(RapportError):
    """A setting is missing or has a bad value; the message names the setting and the source."""


class PluginFailed(RapportError):
    """A plugin's code raised where it answers for the core (a report, a command, a sheet
    column): the failure is recorded against the plugin, and the person is told which
    plugin failed while the rest of Rapport goes on."""

    def __init__(self, plugin: str, where: str) -> None:
        self.plugin = plugin
        self.where = where
        super().__init__(
            f"the {plugin} plugin failed ({where}); the rest of Rapport works, "
            "and `rapport plugins` names the problem"
        )


class PluginLoadError(RapportError):
    """A plugin could not be loaded or breaks the hook contract."""


class Problems:
    """Collects the problems of several checks, so the user hears about all of them at once."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, error: InvalidInput) -> None:
        self.items.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)
