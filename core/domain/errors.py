"""Domain exceptions: each carries a message written for the person who caused it.

Adapters translate these into a chat reply, a sheet note or a CLI message; they never
show a traceback. Nothing in this module does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CORE_CATALOGUE = ""
"""The catalogue a :class:`Text` of the core's own belongs to (``core/locales``)."""


@dataclass(frozen=True)
class Text:
    """Words for a person, translated only once the reader is known.

    ``template`` is the English text and the catalogue's message id (``"No customer
    #{id}."``), ``values`` fill its placeholders, and ``catalogue`` names the folder of
    catalogues that translate it (a plugin's ``locales``; empty: the core's). ``str()``
    gives the English; :func:`rapport.core.i18n.translate` the reader's language.
    """

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    catalogue: str = CORE_CATALOGUE

    def __str__(self) -> str:
        return self.template.format(**self.values) if self.values else self.template


@dataclass(frozen=True)
class Localized:
    """A value inside a :class:`Text` that reads differently per language (a field's
    choices by their labels); ``str()`` is ``default``."""

    default: str
    by_language: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.default

    def in_language(self, language: str) -> str:
        return self.by_language.get(language, self.default)


def _l(template: str, **values: Any) -> Text:
    """The core's words, translated later: ``raise NotFound(_l("No customer #{id}.", id=7))``
    (``pybabel extract -k _l`` finds them)."""
    return Text(template, values)


class RapportError(Exception):
    """Base of every error a user may see; ``str(error)`` is the message for them in
    English, ``error.text`` the same words for translating into the reader's language."""

    def __init__(self, message: str | Text = "") -> None:
        self.text = message
        super().__init__(str(message))


@dataclass(frozen=True)
class FieldProblem:
    """One rejected value: which field (its key: ``amount``, ``fields.turnover``), and why,
    in words a user understands; adapters show the field by its label."""

    field: str
    reason: str | Text

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidInput(RapportError):
    """Incoming data failed validation; nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def one(cls, field: str, reason: str | Text) -> InvalidInput:
        return cls([FieldProblem(field, reason)])


class NotFound(RapportError):
    """The record does not exist, or the user may not know that it does."""


class PermissionDenied(RapportError):
    """The user's role does not allow this action."""


class ConcurrentChange(RapportError):
    """The record changed since the caller read it; applying the edit would lose the other one."""


class Vetoed(RapportError):
    """A plugin refused the change through the ``validate_change`` hook."""

    def __init__(self, reasons: list[str | Text] | list[Text]) -> None:
        self.reasons: list[str | Text] = list(reasons)
        super().__init__("; ".join(str(reason) for reason in self.reasons))


class AwaitingApproval(RapportError):
    """Nothing was changed yet: the change went to someone for approval (``reasons`` say
    why, in the person's words, and who decides)."""

    def __init__(self, reasons: list[str | Text] | list[Text]) -> None:
        self.reasons: list[str | Text] = list(reasons)
        super().__init__("; ".join(str(reason) for reason in self.reasons))


class NotStored(RapportError):
    """The database refused one record of a batch for a reason no check foresaw; the batch
    goes on without it, and the person reads the database's own first line."""

    def __init__(self, error: Exception) -> None:
        said = str(error).strip().splitlines()
        reason = said[0][:200] if said and said[0] else type(error).__name__
        super().__init__(_l("could not be stored: {reason}", reason=reason))


class DatabaseUnavailable(RapportError):
    """The database named by ``database_url`` cannot be reached; the message says why."""


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
            _l(
                "the {plugin} plugin failed ({where}); the rest of Rapport works, "
                "and `rapport plugins` names the problem",
                plugin=plugin,
                where=where,
            )
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


def entity_word(entity: str) -> Text:
    """A record's kind (``customer``) as a word the reader knows, inside another message."""
    words = {"customer": _l("customer"), "deal": _l("deal"), "interaction": _l("interaction")}
    return words.get(entity, Text(entity))
