"""Use cases on tasks. A task is always about a customer or a deal, has one assignee and
a due moment; completing a call or a visit records the interaction in the same step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError

from rapport.core.db.tables import UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.commands import parse_command
from rapport.core.domain.enums import InteractionKind
from rapport.core.domain.errors import InvalidInput, NotFound, Problems, Text
from rapport.core.domain.models import Interaction
from rapport.core.domain.values import one_line, zone_or
from rapport.core.services import changes
from rapport.core.services.access import check_owner_assignment, owned_scope
from rapport.core.services.customers import get_customer
from rapport.core.services.deals import get_deal
from rapport.core.services.interactions import log_interaction
from rapport.core.services.outbox import withdraw
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import language_of
from rapport.plugins.tasks.model import NewTask, Task, TaskKind, TaskStatus, parse_repeat
from rapport.plugins.tasks.options import tasks_options
from rapport.plugins.tasks.reminders import reminder_key
from rapport.plugins.tasks.tables import TaskRow
from rapport.plugins.tasks.when import EXAMPLES, parse_when
from rapport.plugins.tasks.words import texts

_l = texts.lazy
RESULT_LIMIT = 1000

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rapport.core.bootstrap import App

ENTITY = "task"
BOOKKEEPING = frozenset({"updated_at", "remind_at", "reminded_at"})
LOGGED = {
    TaskKind.CALL: InteractionKind.CALL,
    TaskKind.VISIT: InteractionKind.VISIT,
    TaskKind.MEETING: InteractionKind.MEETING,
    TaskKind.EMAIL: InteractionKind.EMAIL,
}


@dataclass(frozen=True)
class Completed:
    task: Task
    interaction: Interaction | None
    next_task: Task | None


def user_zone(app: App, session: Session, user_id: int | None) -> str:
    """The person's time zone, else the team's (also when the stored one is not valid)."""
    zone = (
        session.scalar(select(UserRow.timezone).where(UserRow.id == user_id)) if user_id else None
    )
    return zone_or(zone, app.settings.timezone).key


def create_task(
    app: App,
    actor: Actor,
    data: NewTask | dict[str, Any],
    *,
    source: str = "manual",
    dedupe_key: str | None = None,
) -> Task | None:
    """Create a task; ``due`` may be words ("завтра в 10") read in the assignee's time zone.

    With ``dedupe_key`` (automatic tasks) a task that exists already is not created
    again, even by another instance at the same moment: None is returned then.
    """
    command = parse_command(NewTask, data)
    options = tasks_options(app.settings)
    problems = Problems()
    with UnitOfWork(app) as uow:
        customer_id, deal_id = _subject(app, actor, command, problems)
        assignee = command.assignee_id or actor.user_id
        if assignee is None:
            problems.add(InvalidInput.one("assignee_id", _l("say who does it")))
        kind, title = command.kind, command.title
        agreed = _agreed(app, customer_id)
        channel = CHANNELS.get(kind)
        if agreed is not None and channel is not None and channel not in agreed:
            allowed = ", ".join(sorted(agreed))
            if source == "manual":
                problems.add(InvalidInput.one("kind", _l(
                    "the customer agreed to be contacted only by {channels}: plan that instead",
                    channels=allowed)))  # fmt: skip
            else:  # an automatic follow-up takes a channel the customer agreed to, and says so
                kind, channel = next(((k, c) for k, c in CHANNELS.items() if c in agreed),
                                     (TaskKind.OTHER, sorted(agreed)[0]))  # fmt: skip
                _ = texts(app, language_of(app, assignee))
                title = _("{title} — by {channel}: the customer agreed to {channels} only",
                          title=title, channel=channel, channels=allowed)  # fmt: skip
        now = app.clock()
        due = _due(app, uow.session, command, assignee, now, problems)
        repeat = _repeat(command.repeat, problems)
        problems.raise_if_any()
        check_owner_assignment(uow.session, actor, assignee, field="assignee_id")
        assert due is not None
        values = {
            "title": title, "kind": kind.value, "customer_id": customer_id,
            "deal_id": deal_id, "assignee_id": assignee, "priority": command.priority.value,
            "status": TaskStatus.OPEN.value, "source": source, "due_at": due,
            "repeat_every": repeat[0] if repeat else None,
            "repeat_unit": repeat[1] if repeat else None,
        }  # fmt: skip
        remind_at = max(due - timedelta(minutes=options.remind_before_minutes), now)
        row = TaskRow(**values, dedupe_key=dedupe_key, created_by=actor.user_id,
                      remind_at=remind_at, created_at=now, updated_at=now)  # fmt: skip
        if dedupe_key is not None and uow.session.scalar(
            select(TaskRow.id).where(TaskRow.dedupe_key == dedupe_key)
        ):
            return None
        try:
            with uow.session.begin_nested():
                changes.insert(uow, actor, entity=ENTITY, row=row, values=values)
        except IntegrityError:
            return None  # another instance created the same automatic task just now
        task = Task.model_validate(row)
        uow.commit()
    return task


def complete_task(
    app: App,
    actor: Actor,
    task_id: int,
    *,
    result: str | None = None,
    spent_minutes: int | None = None,
    log: bool = True,
) -> Completed:
    """Mark done; a call, visit, meeting or e-mail is logged as an interaction at once, and
    a repeating task comes back at its next date.
    """
    if spent_minutes is not None and not 0 <= spent_minutes <= 24 * 60:
        raise InvalidInput.one("spent_minutes", _l("is between 0 and 1440 minutes"))
    with UnitOfWork(app) as uow:
        row = _visible(uow.session, actor, task_id)
        if row.status != TaskStatus.OPEN.value:
            raise InvalidInput.one("task", _already(task_id, row.status))
        now = app.clock()
        _change(uow, actor, row, "done", status=TaskStatus.DONE.value, result=result,
                spent_minutes=spent_minutes, done_at=now, updated_at=now)  # fmt: skip
        interaction = None
        kind = LOGGED.get(TaskKind(row.kind))
        if log and kind is not None and row.customer_id is not None:
            summary = " — ".join(part for part in (row.title, result) if part)
            interaction = log_interaction(app, actor, {
                "customer_id": row.customer_id, "deal_id": row.deal_id, "kind": kind,
                "summary": summary, "duration_minutes": spent_minutes, "outcome": result,
                "author_id": _worker(uow, actor, row),
            })  # fmt: skip
            row.interaction_id = interaction.id
        following = _next(app, actor, row, now)
        task = Task.model_validate(row)
        uow.commit()
    return Completed(task, interaction, following)


def snooze_task(app: App, actor: Actor, task_id: int, until: str | datetime) -> Task:
    options = tasks_options(app.settings)
    with UnitOfWork(app) as uow:
        row = _visible(uow.session, actor, task_id)
        if row.status != TaskStatus.OPEN.value:
            raise InvalidInput.one("task", _already(task_id, row.status))
        now = app.clock()
        due = (
            until
            if isinstance(until, datetime)
            else parse_when(
                until, user_zone(app, uow.session, row.assignee_id), now, options.default_hour
            )
        )
        if due <= now:
            raise InvalidInput.one("until", _l("snooze to a moment in the future"))
        remind = max(due - timedelta(minutes=options.remind_before_minutes), now)
        _change(uow, actor, row, "snooze", due_at=due, remind_at=remind, reminded_at=None,
                updated_at=now)  # fmt: skip
        task = Task.model_validate(row)
        uow.commit()
    return task


def record_result(app: App, actor: Actor, task_id: int, result: str) -> Task:
    """What came of a task already marked done (from a reminder's "Done" button): kept on
    the task and, for a task about a customer, in the customer's history as a note."""
    text = one_line(result, "result")[:RESULT_LIMIT]
    if not text:
        raise InvalidInput.one("result", _l("say what came of it"))
    with UnitOfWork(app) as uow:
        row = _visible(uow.session, actor, task_id)
        if row.status != TaskStatus.DONE.value:
            raise InvalidInput.one("task", _l("#{id} is not done yet: mark it done with the "
                                              "result, /done {id} and what came of it",
                                              id=task_id))  # fmt: skip
        _change(uow, actor, row, "result", result=text, updated_at=app.clock())
        if row.customer_id is not None:
            log_interaction(app, actor, {
                "customer_id": row.customer_id, "deal_id": row.deal_id,
                "kind": InteractionKind.NOTE, "summary": f"{row.title}: {text}",
            })  # fmt: skip
        task = Task.model_validate(row)
        uow.commit()
    return task


def cancel_task(app: App, actor: Actor, task_id: int, reason: str | None = None) -> Task:
    with UnitOfWork(app) as uow:
        row = _visible(uow.session, actor, task_id)
        if row.status != TaskStatus.OPEN.value:
            raise InvalidInput.one("task", _already(task_id, row.status))
        _change(uow, actor, row, "cancel", status=TaskStatus.CANCELLED.value, result=reason,
                updated_at=app.clock())  # fmt: skip
        task = Task.model_validate(row)
        uow.commit()
    return task


def list_tasks(
    app: App,
    actor: Actor,
    *,
    until: datetime | None = None,
    customer_id: int | None = None,
    status: TaskStatus | None = TaskStatus.OPEN,
    limit: int = 200,
) -> list[Task]:
    """The actor's tasks (a manager: the team's; an admin: all), soonest first."""
    query = select(TaskRow).where(_scope(actor))
    if status is not None:
        query = query.where(TaskRow.status == status.value)
    if until is not None:
        query = query.where(TaskRow.due_at < until)
    if customer_id is not None:
        query = query.where(TaskRow.customer_id == customer_id)
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(query.order_by(TaskRow.due_at, TaskRow.id).limit(limit))
        return [Task.model_validate(row) for row in rows]


def _scope(actor: Actor) -> ColumnElement[bool]:
    """A task is seen by whoever may see its assignee's records (the one access rule)."""
    return owned_scope(actor, TaskRow.assignee_id)


STATUS_WORDS = {TaskStatus.OPEN.value: _l("open"), TaskStatus.DONE.value: _l("done"),
                TaskStatus.CANCELLED.value: _l("cancelled")}  # fmt: skip
"""A task's status inside a sentence ("#7 is already done"), in the reader's words."""


def _already(task_id: int, status: str) -> Text:
    return _l("#{id} is already {status}", id=task_id, status=STATUS_WORDS.get(status, status))


def _visible(session: Session, actor: Actor, task_id: int) -> TaskRow:
    row = session.get(TaskRow, task_id)
    if row is None or not session.scalar(
        select(TaskRow.id).where(TaskRow.id == task_id, _scope(actor))
    ):
        raise NotFound(_l("No task #{id}.", id=task_id))
    return row


CHANNELS = {TaskKind.EMAIL: "email", TaskKind.CALL: "call", TaskKind.VISIT: "visit",
            TaskKind.MEETING: "visit"}  # fmt: skip
"""How a task reaches the customer, as the consent field names the channels; in the order
an automatic task falls back to when the customer refused its own channel."""


def _agreed(app: App, customer_id: int | None) -> frozenset[str] | None:
    if customer_id is None or not app.plugins.manager.has_plugin("contacts"):
        return None
    from rapport.plugins.contacts.api import agreed_channels  # the contacts plugin's API

    return agreed_channels(get_customer(app, Actor.system(), customer_id))


def _subject(
    app: App, actor: Actor, command: NewTask, problems: Problems
) -> tuple[int | None, int | None]:
    if command.customer_id is None and command.deal_id is None:
        problems.add(
            InvalidInput.one("customer_id", _l("a task is about a customer or a deal: name one"))
        )
        return None, None
    customer_id = command.customer_id
    if command.deal_id is not None:
        deal = get_deal(app, actor, command.deal_id)
        if customer_id is not None and customer_id != deal.customer_id:
            problems.add(
                InvalidInput.one("deal_id", _l("deal #{id} is not this customer's", id=deal.id))
            )
        customer_id = deal.customer_id
    if customer_id is not None:
        get_customer(app, actor, customer_id)
    return customer_id, command.deal_id


def _due(
    app: App,
    session: Session,
    command: NewTask,
    assignee: int | None,
    now: datetime,
    problems: Problems,
) -> datetime | None:
    options = tasks_options(app.settings)
    if command.due is None:
        if command.kind is TaskKind.SERVICE_REQUEST:
            return now + timedelta(hours=options.service_sla_hours)
        problems.add(
            InvalidInput.one("due", _l("say when, for example {examples}", examples=EXAMPLES))
        )
        return None
    try:
        if isinstance(command.due, datetime):
            if command.due.tzinfo is None:
                raise InvalidInput.one("due", _l("needs a time zone"))
            due = command.due
        else:
            due = parse_when(
                command.due, user_zone(app, session, assignee), now, options.default_hour
            )
    except InvalidInput as exc:
        problems.add(exc)
        return None
    if due < now - timedelta(minutes=1):
        local = due.astimezone(ZoneInfo(user_zone(app, session, assignee)))
        problems.add(
            InvalidInput.one("due", _l("{when} is in the past", when=f"{local:%d.%m.%Y %H:%M}"))
        )
    return due


def _repeat(text: str | None, problems: Problems) -> tuple[int, str] | None:
    try:
        return parse_repeat(text)
    except InvalidInput as exc:
        problems.add(exc)
        return None


def _next(app: App, actor: Actor, row: TaskRow, now: datetime) -> Task | None:
    if not row.repeat_every or not row.repeat_unit:
        return None
    due = _advance(row.due_at, row.repeat_every, row.repeat_unit)  # done early: the next one
    while due <= now:
        due = _advance(due, row.repeat_every, row.repeat_unit)
    data = {"title": row.title, "kind": row.kind, "customer_id": row.customer_id,
            "deal_id": row.deal_id, "assignee_id": row.assignee_id, "priority": row.priority,
            "due": due, "repeat": f"every {row.repeat_every} {row.repeat_unit}"}  # fmt: skip
    return create_task(app, actor, data, source=row.source)


def _advance(moment: datetime, every: int, unit: str) -> datetime:
    if unit == "day":
        return moment + timedelta(days=every)
    if unit == "week":
        return moment + timedelta(weeks=every)
    month = moment.month - 1 + every
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _worker(uow: UnitOfWork, actor: Actor, row: TaskRow) -> int | None:
    """Whose time a done task is: its assignee's, whoever marks it done, unless they left."""
    assignee = uow.session.get(UserRow, row.assignee_id) if row.assignee_id else None
    return assignee.id if assignee is not None and assignee.active else actor.user_id


def _change(uow: UnitOfWork, actor: Actor, row: TaskRow, action: str, **values: Any) -> None:
    """Set some of a task's columns through the one write path (bookkeeping is not shown).

    Done, cancelled or snoozed, a task's reminder still waiting to go out is withdrawn: it
    would tell the person about a time that no longer holds.
    """
    shown = {key: value for key, value in values.items() if key not in BOOKKEEPING}
    before = {key: getattr(row, key) for key in shown}
    subject = {"title": row.title, "customer_id": row.customer_id, "deal_id": row.deal_id}

    def apply() -> int:
        for key, value in values.items():
            setattr(row, key, value)
        uow.session.flush()
        return row.id

    changes.write(uow, actor, entity=ENTITY, action=action, entity_id=row.id,
                  before=subject | before, after=subject | shown, apply=apply)  # fmt: skip
    if "status" in values or "remind_at" in values:
        withdraw(uow.session, reminder_key(row.id))
