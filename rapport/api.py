"""Everything a plugin may use, in one place: ``from rapport.api import create_customer``.

This module is Rapport's public API, the way ``pytest`` is pytest's: names here keep
their meaning across minor releases, and a change to one is announced in the changelog.
Everything else (``rapport.core.*``, ``rapport.adapters.*`` and the built-in plugins'
modules other than their ``api``) is internal and may change in any release, as
``_pytest`` may.

* **Markers**: :data:`hookimpl` (also ``from rapport import hookimpl``).
* **What a plugin registers** through the ``register_*`` hooks: :class:`FieldSpec`,
  :class:`CommandSpec` (with :class:`CommandRequest` / :class:`CommandReply`),
  :class:`SheetColumn`, :class:`ReportSpec` / :class:`Report`, :class:`JobSpec`,
  :class:`RunnerSpec`, :class:`Classifier` (:class:`Profile`, :class:`Verdict`),
  :class:`Term`, :class:`MigrationSource`, :class:`CardSection`, :class:`TimelineEntry`,
  :class:`Notification`, :class:`ProposedChange`.
* **The use cases**: every change goes through these, so roles, validation, other
  plugins' vetoes and the audit trail apply to a plugin's changes too.
* **Reading**: the ``get_*`` / ``list_*`` functions, :func:`history` and
  :class:`UnitOfWork` for a plugin's own tables. Core tables are read through these
  functions, never written by a plugin.
* **Entities and vocabularies**: :class:`Customer`, :class:`Deal`, :class:`Interaction`,
  :class:`User`, :class:`Pipeline`, :class:`Stage`, :class:`AuditEntry`, :class:`Actor`
  and the enums.
* **Errors** a plugin raises or catches: :class:`RapportError` and its kinds.
* **Jobs**: :func:`queue_notifications` (in the transaction that claims the work; sent
  exactly once by :func:`deliver_queued_notifications`), :func:`withdraw_notifications`
  and :func:`isolated` (one item of a batch at a time: a failure is logged, the batch goes on).
* **Helpers**: :func:`chart` (a report's PNG), :func:`texts_for` (a plugin's translated
  texts), :func:`plugin_options` (a plugin's settings section), :class:`Base` (the
  metadata a plugin's own tables are declared on) and :class:`UTCDateTime` (a column
  that keeps moments in UTC on SQLite and PostgreSQL alike).

The built-in plugins publish theirs in ``rapport.plugins.tasks.api``,
``rapport.plugins.sales.api`` and ``rapport.plugins.loyalty.api``.
"""

from rapport.core.bootstrap import App
from rapport.core.charts import chart
from rapport.core.db.base import Base, UTCDateTime
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import (
    Channel,
    CustomerKind,
    CustomerStatus,
    Direction,
    FieldType,
    InteractionKind,
    Role,
    StageOutcome,
)
from rapport.core.domain.errors import (
    AwaitingApproval,
    ConcurrentChange,
    ConfigError,
    FieldProblem,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RapportError,
    Vetoed,
)
from rapport.core.domain.fields import FieldSpec, FieldValue
from rapport.core.domain.models import (
    AuditEntry,
    Customer,
    Deal,
    Interaction,
    Pipeline,
    Stage,
    StageChange,
    User,
)
from rapport.core.extensions import (
    CardSection,
    Classifier,
    CommandReply,
    CommandRequest,
    CommandSpec,
    Hold,
    JobSpec,
    MigrationSource,
    Notification,
    Profile,
    ProposedChange,
    Report,
    ReportSpec,
    RunnerSpec,
    SheetColumn,
    Term,
    TimelineEntry,
    Verdict,
)
from rapport.core.i18n import Translator, texts_for
from rapport.core.markers import hookimpl
from rapport.core.services.archive import set_archived
from rapport.core.services.audit import history
from rapport.core.services.cards import CustomerCard, customer_card
from rapport.core.services.changes import write as write_change
from rapport.core.services.customers import (
    MergePreview,
    create_customer,
    get_customer,
    list_customers,
    merge_customers,
    merge_preview,
    update_customer,
)
from rapport.core.services.deals import create_deal, get_deal, list_deals, move_deal, update_deal
from rapport.core.services.interactions import (
    list_interactions,
    log_interaction,
    update_interaction,
)
from rapport.core.services.isolation import isolated
from rapport.core.services.outbox import deliver_queued as deliver_queued_notifications
from rapport.core.services.outbox import queue as queue_notifications
from rapport.core.services.outbox import withdraw as withdraw_notifications
from rapport.core.services.pipelines import list_pipelines
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import actor_for, find_user, get_user, language_of, list_users
from rapport.core.settings import Settings, plugin_options

__all__ = [
    "Actor",
    "App",
    "AuditEntry",
    "AwaitingApproval",
    "Base",
    "CardSection",
    "Channel",
    "Classifier",
    "CommandReply",
    "CommandRequest",
    "CommandSpec",
    "ConcurrentChange",
    "ConfigError",
    "Customer",
    "CustomerCard",
    "CustomerKind",
    "CustomerStatus",
    "Deal",
    "Direction",
    "FieldProblem",
    "FieldSpec",
    "FieldType",
    "FieldValue",
    "Hold",
    "Interaction",
    "InteractionKind",
    "InvalidInput",
    "JobSpec",
    "MergePreview",
    "MigrationSource",
    "NotFound",
    "Notification",
    "PermissionDenied",
    "Pipeline",
    "Profile",
    "ProposedChange",
    "RapportError",
    "Report",
    "ReportSpec",
    "Role",
    "RunnerSpec",
    "Settings",
    "SheetColumn",
    "Stage",
    "StageChange",
    "StageOutcome",
    "Term",
    "TimelineEntry",
    "Translator",
    "UTCDateTime",
    "UnitOfWork",
    "User",
    "Verdict",
    "Vetoed",
    "actor_for",
    "chart",
    "create_customer",
    "create_deal",
    "customer_card",
    "deliver_queued_notifications",
    "find_user",
    "get_customer",
    "get_deal",
    "get_user",
    "history",
    "hookimpl",
    "isolated",
    "language_of",
    "list_customers",
    "list_deals",
    "list_interactions",
    "list_pipelines",
    "list_users",
    "log_interaction",
    "merge_customers",
    "merge_preview",
    "move_deal",
    "plugin_options",
    "queue_notifications",
    "set_archived",
    "texts_for",
    "update_customer",
    "update_deal",
    "update_interaction",
    "withdraw_notifications",
    "write_change",
]
