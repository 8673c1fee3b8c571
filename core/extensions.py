"""What plugins contribute through the ``register_*`` hooks.

Each class is the payload of one registration hook. They are frozen dataclasses because
they carry callables; the core validates them when they are registered, so a plugin's
mistake is reported at start-up with the plugin's name, not in the middle of a sync.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rapport.core.charts import Drawing
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import FieldType, Role
from rapport.core.domain.errors import InvalidInput, Text, _l
from rapport.core.domain.fields import FieldValue

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

MaybeAwaitable = Any  # a value, or an awaitable of it: see rapport.core.hooks for the rule
_COMMAND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class MigrationSource:
    """A folder of Alembic revisions; its first revision carries ``branch_labels=(label,)``."""

    label: str
    path: Path


@dataclass(frozen=True)
class CommandRequest:
    app: App
    actor: Actor
    args: str


@dataclass(frozen=True)
class CommandReply:
    """What a command answers, in a form every adapter can render.

    ``options`` are follow-up command lines (``("Move to trial", "/deal 12 trial")``): the bot
    shows them as buttons, the console chat as numbered choices.

    ``completes`` makes the reply a question: the command line (``"/set 12 phone"``) that
    the person's next message completes. A command asked for a record but not for the
    rest (``/product 12``) answers this way, so an "Edit" or "Add product" button needs
    no dialog of its own in any adapter: the bot and the console chat take the next text
    as the rest of the line; the CLI says what to type.
    """

    text: str
    image_png: bytes | None = None
    options: tuple[tuple[str, str], ...] = ()
    completes: str = ""


@dataclass(frozen=True)
class CommandSpec:
    """A command that adapters expose (``/deals`` in the bot, a menu entry in the console)."""

    name: str
    description: str
    handler: Callable[[CommandRequest], CommandReply | Awaitable[CommandReply]]
    roles: frozenset[Role] = frozenset(Role)
    in_menu: bool = True
    descriptions: Mapping[str, str] = field(default_factory=dict)
    """``description`` in other languages (``{"ru": ..., "uk": ...}``), for menus and help."""
    owner: str = ""

    def description_for(self, language: str | None) -> str:
        return self.descriptions.get(language or "", self.description)

    def __post_init__(self) -> None:
        if not _COMMAND.match(self.name):
            raise ValueError(
                f"command {self.name!r}: use 1-32 lower-case letters, digits or underscores"
            )


@dataclass(frozen=True)
class SheetColumn:
    """A column a plugin adds to a synced sheet (``customers`` or ``deals``).

    Custom fields become columns on their own; this is for values a plugin keeps or
    computes, such as a loyalty segment or the days a deal has spent in its stage.
    ``values`` answers for many records at once (a sheet holds thousands of rows, so one
    query must serve them all). With ``save`` the column is editable: the sync hands a
    manager's edit (``None`` for a cleared cell) to the plugin's own service, so its rules
    and audit apply; ``choices`` become the cell's dropdown. ``type`` says how the cell is
    written: a number or money as a number a manager can sum, a date as a date.
    """

    sheet: str
    key: str
    header: str
    values: Callable[[App, Sequence[int]], Mapping[int, FieldValue]]
    headers: Mapping[str, str] = field(default_factory=dict)
    type: FieldType = FieldType.TEXT
    choices: tuple[str, ...] = ()
    save: Callable[[App, Actor, int, str | None], None] | None = None
    owner: str = ""


@dataclass(frozen=True)
class Term:
    """What a team calls a thing: a "deal" is an "order" to a distributor, a "project" to
    an agency. ``labels`` maps a language to the word; adapters use it in every text.
    """

    key: str
    labels: Mapping[str, str]
    owner: str = ""

    def label_for(self, language: str | None) -> str:
        return self.labels.get(language or "en") or next(iter(self.labels.values()), self.key)


@dataclass(frozen=True)
class JobSpec:
    """A job the scheduler runs in every process; it must claim its work in the database.

    ``func(app)`` does the work, as a plain or an ``async`` function; what it returns (a
    count, say) is ignored. ``trigger`` is an APScheduler 3 trigger name (``interval`` or
    ``cron``) and ``trigger_args`` its arguments, e.g. ``{"minutes": 1}`` or ``{"hour": 3}``.
    """

    id: str
    func: Callable[[App], object]
    trigger: Literal["interval", "cron"]
    trigger_args: Mapping[str, Any]
    owner: str = ""


@dataclass(frozen=True)
class Report:
    """A report's data as a table, with an optional PNG chart for adapters that show pictures
    (the bytes, or a :class:`~rapport.core.charts.Drawing` from ``chart()``, drawn only
    when :meth:`picture` is asked for it)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart_png: bytes | Drawing | None = None

    def picture(self) -> bytes | None:
        """The chart as PNG, drawn now if it was not yet."""
        return self.chart_png.png() if isinstance(self.chart_png, Drawing) else self.chart_png


@dataclass(frozen=True)
class ReportSpec:
    """A report the bot, the sheet and the CLI offer. ``titles`` and ``descriptions`` give
    its name in other languages (``{"ru": ...}``) for the lists people pick from; ``build``
    writes the report itself in ``actor.language``."""

    id: str
    title: str
    build: Callable[[App, Actor, Mapping[str, Any]], Report]
    description: str = ""
    roles: frozenset[Role] = frozenset(Role)
    owner: str = ""
    titles: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    params: tuple[str, ...] | None = None
    """The parameters ``build`` reads (``("owner", "period")``); any other is refused rather
    than silently ignored. None: the report did not say, and every parameter is passed."""

    def title_for(self, language: str | None) -> str:
        return self.titles.get(language or "", self.title)

    def check_params(self, values: Mapping[str, Any]) -> None:
        """Refuse a parameter this report does not read: a period it would ignore misleads."""
        if self.params is None:
            return
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            takes = ", ".join(self.params) or "-"
            raise InvalidInput.one(unknown[0], _l("{report} does not take it; it takes: {takes}",
                                                  report=self.id, takes=takes))  # fmt: skip

    def description_for(self, language: str | None) -> str:
        return self.descriptions.get(language or "", self.description)


@dataclass(frozen=True)
class RunnerSpec:
    """A long-running part of ``rapport run``: the bot, the console chat, the sheet sync loop."""

    name: str
    run: Callable[[App], Awaitable[None]]
    owner: str = ""


@dataclass(frozen=True)
class CardSection:
    """A block a plugin adds to a customer card: a title and the lines under it."""

    title: str
    lines: tuple[str, ...]
    order: int = 100


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a customer's history: when, what, by whom, and the record it points to."""

    at: datetime
    kind: str
    title: str
    detail: str = ""
    author: str | None = None
    ref: tuple[str, int] | None = None


@dataclass(frozen=True)
class Profile:
    """What is known of a customer for classifying them: the record and its figures
    (orders, contacts, value scores, cost to serve... from ``customer_metrics``).
    """

    customer: Any
    metrics: Mapping[str, Any]


@dataclass(frozen=True)
class Verdict:
    """A classifier's answer with the reasons a person can check: ``("stability",
    ("4 orders in 180 days", "2 contacts"))``.
    """

    value: str
    reasons: tuple[str | Text, ...] = ()
    """Plain text, or words to read in each reader's language (``texts.lazy(...)``)."""


@dataclass(frozen=True)
class Classifier:
    """Puts customers in classes (a motivation segment, a strategy, a bank's tier).

    ``classify`` returns a Verdict, or None when it has nothing to say about this one.
    """

    key: str
    label: str
    classify: Callable[[Profile], Verdict | None]
    owner: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    """``label`` in other languages (``{"ru": "Мотивация"}``)."""
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Its values as a reader says them, per language: ``{"ru": {"stability": "стабильность"}}``."""

    def label_for(self, language: str | None) -> str:
        return self.labels.get(language or "", self.label)

    def value_for(self, value: str, language: str | None) -> str:
        return self.value_labels.get(language or "", {}).get(value, value)


@dataclass(frozen=True)
class Notification:
    """A message for one user (a reminder, a change made by someone else, an approval)."""

    user_id: int
    text: str
    kind: str = "info"
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Hold:
    """A ``validate_change`` answer that is not a refusal: the change waits for someone's
    approval (a discount above the person's limit). Nothing is written now; once the
    transaction is over, ``after_change_held`` hands the change and this hold to the
    plugin, which files the request, and the person is told it is waiting.

    ``kind`` and ``payload`` are the plugin's own (``"discount"``, ``{"percent": 40}``);
    ``reason`` is what the person reads.
    """

    reason: str | Text
    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    owner: str = ""


@dataclass(frozen=True)
class ProposedChange:
    """A change about to be written, offered to ``validate_change`` for a veto.

    ``before`` is ``None`` for a new record; ``after`` holds the values as they would be
    stored (for an update, the whole record after the change).
    """

    entity: str
    action: str
    entity_id: int | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any]
    actor: Actor

    @property
    def changed(self) -> dict[str, tuple[Any, Any]]:
        """Field name to (old, new) for every field that differs."""
        before = self.before or {}
        keys = dict.fromkeys([*before, *self.after])  # a cleared custom field is a change too
        return {
            key: (before.get(key), self.after.get(key))
            for key in keys
            if before.get(key) != self.after.get(key)
        }
