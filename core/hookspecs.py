"""The contract between Rapport's core and every plugin, built-in or third-party.

Every hook is called with keyword arguments; an implementation declares only the ones it
needs, and new arguments may be added to a hook without breaking old plugins. Arguments
are never renamed or removed. Implementations must not give their parameters default
values (pluggy would silently never pass them; the plugin manager rejects them).

Naming says the contract:

* ``register_*(register)`` runs once at start; the plugin calls ``register(thing)`` for
  each thing it adds, and the core validates it there.
* ``validate_change`` may veto a change before it is written, by returning a reason.
* ``after_*`` only notifies, after the change is committed. An exception in one
  implementation is logged and reported and does not stop the others or undo the change.

Every hook may be implemented by a plain function. ``startup``, ``shutdown``,
``after_*`` and ``deliver_notification`` may also be ``async def``: the core awaits
them on the application's event loop (see :mod:`rapport.core.hooks`). Other hooks must be
synchronous, because the service layer waits for their answer inside a transaction.

Each hook is documented with an example in ``docs/plugins.md``; a test fails when one
is missing there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click
import pluggy

from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import Text
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Customer, Deal, Interaction, Stage
from rapport.core.extensions import (
    CardSection,
    Classifier,
    CommandSpec,
    Hold,
    JobSpec,
    MigrationSource,
    Notification,
    ProposedChange,
    ReportSpec,
    RunnerSpec,
    SheetColumn,
    Term,
    TimelineEntry,
)
from rapport.core.settings import Settings

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

PROJECT = "rapport"
hookspec = pluggy.HookspecMarker(PROJECT)


# --- lifecycle -------------------------------------------------------------------------


@hookspec
def startup(app: App) -> None:
    """Called once when the application has loaded its plugins and checked the schema.

    May be async. Use it to read the plugin's own settings (``app.settings.plugins``)
    and to warm caches. An exception is reported and the plugin's other hooks stay active.
    """


@hookspec
def load_demo(app: App, admin: Actor) -> None:
    """``rapport demo`` loaded its team, customers and year of history (in one transaction
    with this call): add your plugin's part through your own use cases (products, plans,
    tags…) and run what your nightly jobs would, so the demo shows it at once. Read the
    data through the public API; ``rapport.core.demo.as_of`` writes as of a past moment.
    """


@hookspec
def shutdown(app: App) -> None:
    """Called once when the application stops (``rapport run`` ends, or a test closes it).

    May be async. Release what ``startup`` acquired.
    """


# --- registration (once, at start) -----------------------------------------------------


@hookspec
def register_migrations(register: Callable[[MigrationSource], None]) -> None:
    """Add a folder of Alembic revisions for the plugin's own tables.

    ``rapport db upgrade`` applies the core's and every plugin's revisions together. The
    plugin's first revision sets ``branch_labels`` to the source's label and
    ``depends_on`` to the core revision it needs.
    """


@hookspec
def register_fields(register: Callable[[FieldSpec], None], settings: Settings) -> None:
    """Declare custom fields on customers, deals or interactions.

    ``settings`` lets a plugin make its fields configurable (choices, labels), from its
    own section ``settings.plugins.options(name)``.

    A field declared once is validated by the service layer, stored with the record,
    asked for in the bot's forms, shown on cards and carried as a sheet column.
    """


@hookspec
def register_terms(register: Callable[[Term], None], settings: Settings) -> None:
    """Name things the team's way: ``Term("deal", {"en": "order", "ru": "заказ"})``.

    Adapters ask ``app.registry.term("deal", language)`` for every text they show.
    """


@hookspec
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    """Add commands that adapters expose: a bot command and menu entry, a console choice."""


@hookspec
def register_sheet_columns(register: Callable[[SheetColumn], None]) -> None:
    """Add columns to a synced sheet, read-only or editable (custom fields come by themselves)."""


@hookspec
def register_jobs(register: Callable[[JobSpec], None]) -> None:
    """Add scheduled jobs. The scheduler runs in every process, so a job claims its work
    atomically in the database before acting on it.
    """


@hookspec
def register_reports(register: Callable[[ReportSpec], None]) -> None:
    """Offer reports (data plus an optional PNG chart) to the bot, the sheet and the CLI."""


@hookspec
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    """Add subcommands to the ``rapport`` command (an import, an export, a report).

    Use :func:`rapport.core.cli.open_app` and :func:`rapport.core.cli.cli_actor` inside them, so the
    command acts as the installation's admin with the channel ``cli``, and
    :func:`rapport.core.cli.cli_words` for what they print, in that person's language.
    """


@hookspec
def register_classifiers(register: Callable[[Classifier], None], settings: Settings) -> None:
    """Add a way to classify customers from their profile (a segmentation, a strategy).

    The loyalty plugin runs every classifier when it recalculates and shows each verdict,
    with its reasons, on the customer's card.
    """


@hookspec
def register_runners(register: Callable[[RunnerSpec], None]) -> None:
    """Add a long-running part of ``rapport run`` (a bot, a console chat, a sync loop)."""


# --- validation (before the write, inside the transaction) -----------------------------


@hookspec
def validate_change(app: App, change: ProposedChange) -> str | Text | Hold | None:
    """Return a reason to refuse ``change``, a :class:`Hold` to make it wait for approval,
    or ``None`` to let it through.

    Called before every write, whatever the channel: each create, update, merge, stage
    move, archive, tag and date change, user, field, pipeline, segment, plan, approval,
    task, cost and override (``change.entity`` and ``change.action`` say which). All
    implementations run; nothing is written if any refuses, and every reason is shown.
    Must be synchronous and must not write.
    """


@hookspec
def after_change_held(app: App, change: ProposedChange, hold: Hold) -> None:
    """A change waits for approval because this plugin answered ``validate_change`` with
    ``hold``; called once the person's transaction is over, to file the request."""


# --- events (after the commit; notify only) --------------------------------------------


@hookspec
def after_customer_created(app: App, customer: Customer, actor: Actor) -> None:
    """A customer (organisation or person) was created."""


@hookspec
def after_customer_updated(
    app: App, customer: Customer, changes: Mapping[str, tuple[Any, Any]], actor: Actor
) -> None:
    """A customer was changed; ``changes`` maps each changed field to ``(old, new)``."""


@hookspec
def after_customers_merged(app: App, kept: Customer, merged: Customer, actor: Actor) -> None:
    """``merged`` was folded into ``kept``: move the plugin's own rows that point to it."""


@hookspec
def after_interaction_logged(app: App, interaction: Interaction, actor: Actor) -> None:
    """A call, visit, meeting, message, e-mail, note or request was recorded."""


@hookspec
def after_deal_created(app: App, deal: Deal, actor: Actor) -> None:
    """A deal was opened."""


@hookspec
def after_deal_updated(
    app: App, deal: Deal, changes: Mapping[str, tuple[Any, Any]], actor: Actor
) -> None:
    """A deal's details changed (amount, owner, dates, fields; not its stage).

    ``changes`` maps each changed field to ``(old, new)``. Adapters use it to tell a rep
    that a manager changed their deal.
    """


@hookspec
def after_deal_stage_changed(
    app: App, deal: Deal, from_stage: Stage, to_stage: Stage, actor: Actor
) -> None:
    """A deal moved from one stage to another (including into a won or lost stage)."""


@hookspec
def after_deal_won(app: App, deal: Deal, first_for_customer: bool, actor: Actor) -> None:
    """A deal reached a won stage; ``first_for_customer`` is true for the customer's first win."""


@hookspec
def after_deal_lost(app: App, deal: Deal, reason: str | None, actor: Actor) -> None:
    """A deal reached a lost stage, with the reason the user gave."""


@hookspec
def after_task_due(app: App, task: Mapping[str, Any], late: bool) -> None:
    """A task fell due (``late`` when it is delivered after the app was down).

    Fired by the plugin that owns tasks, once per task across all processes.
    """


# --- presentation and delivery ---------------------------------------------------------


@hookspec
def customer_metrics(
    app: App, customer_ids: Sequence[int]
) -> Mapping[int, Mapping[str, Any]] | None:
    """Figures a plugin knows about customers, by customer id (cost to serve, hours spent,
    balances...). Computed for many customers at once, so answer with one query.
    """


@hookspec
def customer_card_sections(
    app: App, customer: Customer, actor: Actor
) -> CardSection | list[CardSection] | None:
    """Add blocks to a customer's card (value, segment, next best action...)."""


@hookspec
def customer_timeline(app: App, customer: Customer, actor: Actor) -> list[TimelineEntry] | None:
    """Add entries to a customer's timeline (tasks done, documents...), newest or not:
    the card sorts them with the core's interactions, deal moves and changes. The
    timeline is history: an entry dated after now is not shown (what is still to do
    belongs in a ``customer_card_sections`` block).
    """


@hookspec
def deliver_notification(app: App, notification: Notification) -> bool | None:
    """Deliver a message to a user; return ``True`` when this adapter delivered it.

    May be async. Every implementation is offered every notification.
    """
