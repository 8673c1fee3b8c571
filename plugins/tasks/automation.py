"""Tasks that create themselves from what happens elsewhere.

* a first won deal: a welcome call for the owner;
* a deal flagged as an opportunity: the special handling steps;
* a deal longer in its stage than the stage's SLA: a nudge with one-tap choices;
* a key customer nobody contacted for N days: an alert, escalated if ignored.

Automatic tasks carry a ``dedupe_key``, so two instances never create the same one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from rapport.core.db.tables import CustomerRow, DealRow, InteractionRow, StageRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import StageOutcome
from rapport.core.domain.models import Deal
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.isolation import isolated
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import language_of
from rapport.core.words import stage_word
from rapport.core.words import texts as core_texts
from rapport.plugins.tasks.model import TaskStatus
from rapport.plugins.tasks.options import tasks_options
from rapport.plugins.tasks.services import cancel_task, create_task
from rapport.plugins.tasks.tables import TaskRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)
CLOSED_WITH_THE_DEAL = ("opportunity", "sla")
WELCOME_WITHIN = timedelta(days=7)


def welcome(app: App, deal: Deal) -> None:
    """After a customer's first win, the owner calls to get the start right: soon after
    it, so a win recorded long after the fact (an import, the demo's past) asks for none."""
    if deal.owner_id is None or _long_ago(app, deal.closed_at):
        return
    options = tasks_options(app.settings)
    due = _working_hour(app, app.clock() + timedelta(days=options.welcome_after_days))
    _ = _reader(app, deal.owner_id)
    create_task(
        app, Actor.system(),
        {"title": _("Welcome call after «{title}»", title=deal.title), "kind": "call",
         "customer_id": deal.customer_id, "deal_id": deal.id, "assignee_id": deal.owner_id,
         "due": due, "priority": "high"},
        source="welcome", dedupe_key=f"welcome:{deal.id}",
    )  # fmt: skip


def opportunity_steps(app: App, deal: Deal) -> None:
    """A large prospect gets the special handling the team agreed on: once, for its first
    large deal (a stable buyer's big repeat order needs no courting)."""
    if deal.owner_id is None or deal.status is not StageOutcome.OPEN or _courted_before(app, deal):
        return
    options = tasks_options(app.settings)
    _ = _reader(app, deal.owner_id)
    for number, step in enumerate(options.opportunity_steps):
        due = _working_hour(app, app.clock() + timedelta(days=1 + 2 * number))
        create_task(
            app, Actor.system(),
            {"title": f"{_(step)} — «{deal.title}»", "kind": "other", "deal_id": deal.id,
             "assignee_id": deal.owner_id, "due": due, "priority": "high"},
            source="opportunity", dedupe_key=f"opportunity:{deal.id}:{number}",
        )  # fmt: skip


def close_automatic_tasks(app: App, deal: Deal, why: str) -> int:
    """A deal won, lost or archived: its courting steps and stalled-deal nudges are moot."""
    with UnitOfWork(app, read_only=True) as uow:
        open_ones = list(uow.session.scalars(
            select(TaskRow.id).where(TaskRow.deal_id == deal.id,
                                     TaskRow.status == TaskStatus.OPEN.value,
                                     TaskRow.source.in_(CLOSED_WITH_THE_DEAL))
        ))  # fmt: skip
    for task_id in open_ones:
        with isolated("automatic task", task_id):
            cancel_task(app, Actor.system("tasks: automation"), task_id, why)
    return len(open_ones)


def _courted_before(app: App, deal: Deal) -> bool:
    """Whether the customer already bought, or already had a large deal courted."""
    with UnitOfWork(app, read_only=True) as uow:
        earlier = uow.session.scalar(
            select(func.count()).where(
                DealRow.customer_id == deal.customer_id, DealRow.id != deal.id,
                (DealRow.status == StageOutcome.WON.value)
                | DealRow.fields["opportunity"].as_boolean(),
            )
        )  # fmt: skip
    return bool(earlier)


def stalled_deals(app: App) -> int:
    """Nudge the owners of deals that stayed in a stage longer than its SLA (a deal whose
    nudge cannot be created, a plugin refusing it, is logged and skipped)."""
    now = app.clock()
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.execute(
            select(DealRow.id, DealRow.title, DealRow.owner_id, DealRow.stage_id,
                   DealRow.stage_entered_at, StageRow.name, StageRow.sla_days)
            .join(StageRow, StageRow.id == DealRow.stage_id)
            .where(DealRow.status == StageOutcome.OPEN.value, DealRow.archived.is_(False),
                   StageRow.sla_days.is_not(None),
                   DealRow.owner_id.is_not(None))
        ).all()  # fmt: skip
    created = 0
    for deal_id, title, owner, stage_id, entered, stage, sla in rows:
        assert sla is not None  # the query keeps only stages with an SLA
        days = (now - entered).days
        if days < sla:
            continue
        with isolated("stalled-deal nudge for deal", deal_id):
            _ = _reader(app, owner)
            words = core_texts(app, _.language)
            nudge = _(
                "«{title}» has been in {stage} for {days} days (SLA {sla}): move it on, "
                "mark it lost, or snooze",
                title=title,
                stage=stage_word(words, stage),
                days=days,
                sla=sla,
            )
            task = create_task(
                app, Actor.system(),
                {"title": nudge, "kind": "call", "deal_id": deal_id,
                 "assignee_id": owner, "due": now, "priority": "high"},
                source="sla", dedupe_key=f"sla:{deal_id}:{stage_id}:{entered:%Y%m%d%H%M}",
            )  # fmt: skip
            created += task is not None
    return created


def quiet_key_customers(app: App) -> int:
    """Alert owners about key customers nobody contacted for too long: one alert per
    silence (the key is the last contact), so a new one comes only after a new contact
    lapses again."""
    options = tasks_options(app.settings)
    now = app.clock()
    cutoff = now - timedelta(days=options.no_contact_days)
    with UnitOfWork(app, read_only=True) as uow:
        last = (
            select(InteractionRow.customer_id, func.max(InteractionRow.occurred_at).label("last"))
            .group_by(InteractionRow.customer_id)
            .subquery()
        )
        rows = uow.session.execute(
            select(CustomerRow.id, CustomerRow.name, CustomerRow.owner_id, last.c.last)
            .outerjoin(last, last.c.customer_id == CustomerRow.id)
            .where(CustomerRow.archived.is_(False), CustomerRow.owner_id.is_not(None),
                   CustomerRow.status.in_([s.value for s in options.no_contact_statuses]),
                   (last.c.last.is_(None)) | (last.c.last < cutoff))
        ).all()  # fmt: skip
    created = 0
    for customer_id, name, owner, last_contact in rows:
        with isolated("no-contact alert for customer", customer_id):
            _ = _reader(app, owner)
            alert = (
                _(
                    "No contact with {name} since {date}: get in touch",
                    name=name,
                    date=f"{last_contact:%d.%m.%Y}",
                )
                if last_contact
                else _("No contact with {name} ever: get in touch", name=name)
            )
            task = create_task(
                app, Actor.system(),
                {"title": alert, "kind": "call",
                 "customer_id": customer_id, "assignee_id": owner, "due": now, "priority": "high"},
                source="no_contact",
                dedupe_key=f"no_contact:{customer_id}:{last_contact:%Y%m%d%H%M%S}"
                if last_contact else f"no_contact:{customer_id}:never",
            )  # fmt: skip
            created += task is not None
    return created


def _long_ago(app: App, moment: datetime | None) -> bool:
    return moment is not None and app.clock() - moment > WELCOME_WITHIN


def _reader(app: App, user_id: int | None) -> Translator:
    """Words for the person an automatic task is for: its title is read by them, in the
    list, the reminder and the digest, so it is written once in their language."""
    return texts(app, language_of(app, user_id))


def _working_hour(app: App, moment: datetime) -> datetime:
    zone = ZoneInfo(app.settings.timezone)
    local = moment.astimezone(zone)
    hour = tasks_options(app.settings).default_hour
    return datetime.combine(local.date(), time(hour), zone)
