"""The tasks plugin's contract with the core: the hooks it implements."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click
from babel.dates import format_datetime
from sqlalchemy import update

from rapport import hookimpl
from rapport.core.command_lines import record_and_rest, record_number
from rapport.core.db.tables import CustomerRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.models import Customer, Deal
from rapport.core.extensions import (
    CardSection,
    CommandReply,
    CommandRequest,
    CommandSpec,
    JobSpec,
    MigrationSource,
    ReportSpec,
    SheetColumn,
    TimelineEntry,
)
from rapport.core.services.uow import UnitOfWork
from rapport.core.settings import Settings
from rapport.plugins.tasks.automation import (
    close_automatic_tasks,
    opportunity_steps,
    quiet_key_customers,
    stalled_deals,
    welcome,
)
from rapport.plugins.tasks.costs import costs_by_customer, report_specs
from rapport.plugins.tasks.model import Task, TaskStatus
from rapport.plugins.tasks.options import tasks_options
from rapport.plugins.tasks.reminders import send_due_reminders
from rapport.plugins.tasks.services import (
    cancel_task,
    complete_task,
    create_task,
    list_tasks,
    record_result,
    snooze_task,
    user_zone,
)
from rapport.plugins.tasks.sheet_columns import next_task_by_customer, next_task_by_deal
from rapport.plugins.tasks.tables import TaskRow
from rapport.plugins.tasks.when import parse_when
from rapport.plugins.tasks.words import kind_word, texts

if TYPE_CHECKING:
    from rapport.core.bootstrap import App
    from rapport.core.domain.fields import FieldSpec

CARD_TASKS = 200


@hookimpl
def register_migrations(register: Callable[[MigrationSource], None]) -> None:
    register(MigrationSource("tasks", Path(__file__).parent / "migrations"))


@hookimpl
def register_fields(register: Callable[[FieldSpec], None], settings: Settings) -> None:
    tasks_options(settings)  # a bad [plugins.tasks] section stops start-up, named


@hookimpl
def register_jobs(register: Callable[[JobSpec], None]) -> None:
    register(JobSpec("tasks.reminders", send_due_reminders, "interval", {"seconds": 30}))
    register(JobSpec("tasks.stalled_deals", _in_thread(stalled_deals), "interval", {"hours": 1}))
    register(
        JobSpec("tasks.quiet_customers", _in_thread(quiet_key_customers), "interval", {"hours": 6})
    )


@hookimpl
def register_reports(register: Callable[[ReportSpec], None]) -> None:
    for spec in report_specs():
        register(spec)


@hookimpl
def register_sheet_columns(register: Callable[[SheetColumn], None]) -> None:
    headers = {"ru": "Следующая задача", "uk": "Наступне завдання"}
    register(SheetColumn("customers", "next_task", "Next task", next_task_by_customer, headers))
    register(SheetColumn("deals", "next_task", "Next task", next_task_by_deal, headers))


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    register(
        CommandSpec(
            "tasks",
            "My tasks for today and overdue",
            tasks_command,
            descriptions={
                "ru": "Мои задачи на сегодня и просроченные",
                "uk": "Мої завдання на сьогодні та прострочені",
            },
        )
    )
    register(
        CommandSpec(
            "task",
            "New task: /task 12 tomorrow at 10 — call",
            task_command,
            descriptions={
                "ru": "Новая задача: /task 12 завтра в 10 — позвонить",
                "uk": "Нове завдання: /task 12 завтра о 10 — подзвонити",
            },
        )
    )
    register(
        CommandSpec(
            "result",
            "What came of a done task: /result 7 they ordered",
            result_command,
            in_menu=False,
            descriptions={
                "ru": "Итог выполненной задачи: /result 7 заказали",
                "uk": "Підсумок виконаного завдання: /result 7 замовили",
            },
        )
    )
    register(
        CommandSpec(
            "drop",
            "Cancel a task: /drop 7 and why",
            drop_command,
            in_menu=False,
            descriptions={
                "ru": "Отменить задачу: /drop 7 и причина",
                "uk": "Скасувати завдання: /drop 7 і причина",
            },
        )
    )
    register(
        CommandSpec(
            "done",
            "Mark a task done: /done 7 agreed",
            done_command,
            in_menu=False,
            descriptions={
                "ru": "Отметить задачу: /done 7 договорились",
                "uk": "Позначити завдання: /done 7 домовилися",
            },
        )
    )
    register(
        CommandSpec(
            "snooze",
            "Put a task off: /snooze 7 tomorrow",
            snooze_command,
            in_menu=False,
            descriptions={
                "ru": "Отложить задачу: /snooze 7 завтра",
                "uk": "Відкласти завдання: /snooze 7 завтра",
            },
        )
    )


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from rapport.plugins.tasks.cli import commands

    for command in commands:
        register(command)


@hookimpl
def after_deal_won(app: App, deal: Deal, first_for_customer: bool) -> None:
    close_automatic_tasks(app, deal, "the deal was won")
    if first_for_customer:
        welcome(app, deal)


@hookimpl
def after_deal_lost(app: App, deal: Deal) -> None:
    close_automatic_tasks(app, deal, "the deal was lost")


@hookimpl
def after_deal_updated(app: App, deal: Deal, changes: Mapping[str, Any]) -> None:
    if changes.get("archived", (None, None))[1]:
        close_automatic_tasks(app, deal, "the deal was archived")
        return
    before, after = changes.get("fields.opportunity", (None, None))
    if after and not before:
        opportunity_steps(app, deal)


@hookimpl
def after_customers_merged(app: App, kept: Customer, merged: Customer) -> None:
    with UnitOfWork(app) as uow:
        uow.session.execute(
            update(TaskRow).where(TaskRow.customer_id == merged.id).values(customer_id=kept.id)
        )
        uow.commit()


@hookimpl
def customer_metrics(app: App, customer_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Cost to serve (staff time and marketing) of each customer, for loyalty and reports."""
    with UnitOfWork(app, read_only=True) as uow:
        return costs_by_customer(app, uow.session, CustomerRow.id.in_(list(customer_ids)))


@hookimpl
def customer_timeline(app: App, customer: Customer, actor: Actor) -> list[TimelineEntry]:
    """Tasks finished or dropped: history. One that logged a call or a visit is already
    there as that interaction, and open ones are still to do (the Tasks section)."""
    _ = texts(app, actor.language)
    tasks, _open = _card_tasks(app, actor, customer.id)
    finished = {TaskStatus.DONE: _("{kind} done: {title}"),
                TaskStatus.CANCELLED: _("{kind} cancelled: {title}")}  # fmt: skip
    return [
        TimelineEntry(
            at=task.done_at or task.due_at,
            kind="task",
            title=finished[task.status].format(kind=kind_word(_, task.kind), title=task.title),
            detail=task.result or "",
            ref=("task", task.id),
        )
        for task in tasks
        if task.status in finished and task.interaction_id is None
    ][:50]


@hookimpl
def customer_card_sections(app: App, customer: Customer, actor: Actor) -> CardSection | None:
    """Open tasks, one line per kind: the next one, and how many more (automation can
    create a task per deal, and nine near-identical lines hide everything else)."""
    now = app.clock()
    _every, open_tasks = _card_tasks(app, actor, customer.id)
    if not open_tasks:
        return None
    zone = ZoneInfo(_zone(app, actor))
    _ = texts(app, actor.language)
    by_kind: dict[str, list[Task]] = {}
    for task in open_tasks:  # soonest first, so each kind's first is its next
        by_kind.setdefault(task.kind, []).append(task)
    lines = []
    for kind, tasks in by_kind.items():
        first = tasks[0]
        overdue = _("OVERDUE") + " " if first.due_at < now else ""
        more = " " + _("(+{count} more)", count=len(tasks) - 1) if len(tasks) > 1 else ""
        lines.append(f"{overdue}{first.due_at.astimezone(zone):%d.%m %H:%M} "
                     f"{kind_word(_, kind)}: {first.title} (/done {first.id}){more}")  # fmt: skip
    return CardSection(_("Tasks"), tuple(lines), order=10)


def _card_tasks(app: App, actor: Actor, customer_id: int) -> tuple[list[Task], list[Task]]:
    """A customer's tasks the actor sees, soonest first: (any status, open), up to
    ``CARD_TASKS`` each. The card's timeline and its Tasks section both need them and
    share the card's unit of work, so they are read once; with more than ``CARD_TASKS``
    in all, the open ones are read on their own (the first of all may be done ones)."""
    with UnitOfWork(app, read_only=True) as uow:
        key = ("tasks on the card", customer_id, actor)
        if key not in uow.memo:
            every = list_tasks(app, actor, customer_id=customer_id, status=None,
                               limit=CARD_TASKS + 1)  # fmt: skip
            if len(every) <= CARD_TASKS:
                uow.memo[key] = every, [t for t in every if t.status is TaskStatus.OPEN]
            else:
                open_tasks = list_tasks(app, actor, customer_id=customer_id, limit=CARD_TASKS)
                uow.memo[key] = every[:CARD_TASKS], open_tasks
        found: tuple[list[Task], list[Task]] = uow.memo[key]
        return found


def tasks_command(request: CommandRequest) -> CommandReply:
    app, actor = request.app, request.actor
    _ = texts(app, actor.language)
    now = app.clock()
    zone = ZoneInfo(_zone(app, actor))
    end_of_day = now.astimezone(zone).replace(hour=23, minute=59, second=59)
    tasks = list_tasks(app, actor, until=end_of_day)
    if not tasks:
        return CommandReply(_("Nothing due today. 🎉"))
    lines = [
        f"{'⚠ ' if t.due_at < now else ''}{t.due_at.astimezone(zone):%d.%m %H:%M} "
        f"{kind_word(_, t.kind)}: {t.title} (#{t.id})"
        for t in tasks
    ]
    options = tuple(
        option
        for t in tasks[:8]
        for option in ((_("Done #{id}", id=t.id), f"/done {t.id}"),
                       (_("Snooze #{id}", id=t.id), f"/snooze {t.id}"))
    )  # fmt: skip
    return CommandReply("\n".join(lines), options=options)


def task_command(request: CommandRequest) -> CommandReply:
    """``/task <customer id> <when> — <title>``."""
    _ = texts(request.app, request.actor.language)
    head, dash, title = request.args.replace("|", "—").replace(" - ", " — ").partition("—")
    number, _sep, when = head.strip().partition(" ")
    customer_id = record_number(number)
    if not dash and customer_id is not None and when.strip():
        when, title = _when_then_title(request.app, request.actor, when)
        dash = "—" if title else ""
    if customer_id is not None and not dash and not when.strip():
        return CommandReply(
            _("When, and what to do? E.g. tomorrow at 10 — call about the contract "
              "(/cancel to stop)."),
            completes=f"/task {customer_id}",
        )  # fmt: skip
    if not dash or customer_id is None or not title.strip():
        return CommandReply(_("Write: /task 12 tomorrow at 10 — call about the contract"))
    task = create_task(
        request.app, request.actor, {"customer_id": customer_id, "due": when, "title": title}
    )
    assert task is not None
    local = task.due_at.astimezone(ZoneInfo(_zone(request.app, request.actor)))
    return CommandReply(
        _(
            "Task #{id} set for {when}: {title}",
            id=task.id,
            when=_when(local, _.language),
            title=task.title,
        ),
        options=((_("Snooze to tomorrow"), f"/snooze {task.id} завтра"),),
    )


def _when_then_title(app: App, actor: Actor, text: str) -> tuple[str, str]:
    """``завтра в 10 позвонить про договор`` → the longest leading words that say when,
    and the rest as the title, so no dash is needed; ``(text, "")`` when none say when."""
    words = text.split()
    zone, now = _zone(app, actor), app.clock()
    hour = tasks_options(app.settings).default_hour
    for cut in range(min(len(words) - 1, 6), 0, -1):
        try:
            parse_when(" ".join(words[:cut]), zone, now, hour)
        except InvalidInput:
            continue
        return " ".join(words[:cut]), " ".join(words[cut:])
    return text, ""


def done_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    task_id, result = record_and_rest(request.args)
    if task_id is None:
        return CommandReply(_("Which task? /done 7 and, if you like, the result."))
    completed = complete_task(request.app, request.actor, task_id, result=result.strip() or None)
    text = _("Task #{id} done.", id=completed.task.id)
    add = () if result.strip() else ((_("📝 Add the result"), f"/result {task_id}"),)
    if completed.interaction is not None:
        kind = kind_word(_, completed.interaction.kind.value)
        text += " " + _("Logged in the customer's history: {kind}.", kind=kind)
    if completed.next_task is not None:
        text += " " + _("Next one on {date}.", date=f"{completed.next_task.due_at:%d.%m.%Y}")
    return CommandReply(text, options=add)


def result_command(request: CommandRequest) -> CommandReply:
    """``/result 7 they ordered 40 bags``: what came of a task done from a button."""
    _ = texts(request.app, request.actor.language)
    task_id, result = record_and_rest(request.args)
    if task_id is None:
        return CommandReply(_("Which task? /result 7 and what came of it."))
    if not result:
        return CommandReply(_("What came of task #{id}? (/cancel to stop)", id=task_id),
                            completes=f"/result {task_id}")  # fmt: skip
    task = record_result(request.app, request.actor, task_id, result)
    return CommandReply(_("Task #{id}: the result is kept, and in the customer's history.",
                          id=task.id))  # fmt: skip


def drop_command(request: CommandRequest) -> CommandReply:
    """``/drop 7 the customer closed``: the task is cancelled, its reminder withdrawn."""
    _ = texts(request.app, request.actor.language)
    task_id, reason = record_and_rest(request.args)
    if task_id is None:
        return CommandReply(_("Which task? /drop 7 and, if you like, why."))
    task = cancel_task(request.app, request.actor, task_id, reason.strip() or None)
    return CommandReply(_("Task #{id} cancelled.", id=task.id))


def snooze_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    task_id, until = record_and_rest(request.args)
    if task_id is not None and not until.strip():
        return CommandReply(
            _("Until when? E.g. tomorrow at 10 (/cancel to stop)."),
            options=((_("Snooze to tomorrow"), f"/snooze {task_id} завтра"),),
            completes=f"/snooze {task_id}",
        )
    if task_id is None or not until.strip():
        return CommandReply(_("Write: /snooze 7 tomorrow at 10"))
    task = snooze_task(request.app, request.actor, task_id, until)
    local = task.due_at.astimezone(ZoneInfo(_zone(request.app, request.actor)))
    return CommandReply(_("Task #{id} moved to {when}.", id=task.id, when=_when(local, _.language)))


def _when(local: datetime, language: str) -> str:
    """ "Tuesday 03.03.2026 10:00", the weekday in the reader's language (Babel's CLDR)."""
    return format_datetime(local, "EEEE dd.MM.yyyy HH:mm", locale=language).capitalize()


def _zone(app: App, actor: Actor) -> str:
    with UnitOfWork(app, read_only=True) as uow:
        return user_zone(app, uow.session, actor.user_id)


def _in_thread(job: Callable[[App], int]) -> Callable[[App], Any]:
    async def run(app: App) -> None:
        await asyncio.to_thread(job, app)

    run.__name__ = job.__name__
    return run


@hookimpl
def load_demo(app: App, admin: Actor) -> None:
    """This plugin's part of ``rapport demo`` (see ``tasks/demo.py``)."""
    from rapport.plugins.tasks.demo import load_demo as load

    load(app, admin)
