"""``rapport tasks`` and ``rapport costs``: the tasks plugin's CLI."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from rapport.core.cli import cli_actor, cli_words, friendly_errors, open_app
from rapport.core.cli_values import RECORD_ID
from rapport.core.i18n import texts_for
from rapport.core.services.users import find_user
from rapport.plugins.tasks.costs import add_marketing_cost
from rapport.plugins.tasks.services import complete_task, create_task, list_tasks

texts = texts_for(__file__)


@click.group("tasks")
def tasks_command() -> None:
    """Tasks: follow-ups, visits, calls, service requests."""


@tasks_command.command("add")
@click.argument("customer_id", type=RECORD_ID)
@click.argument("when")
@click.argument("title")
@click.option("--kind", default="call", show_default=True)
@click.option("--assignee", default=None, help="Who does it (name or id).")
@click.option("--repeat", default=None, help="e.g. 'every 2 weeks', 'каждый месяц'.")
@click.pass_context
@friendly_errors
def tasks_add(ctx: click.Context, customer_id: int, when: str, title: str, kind: str,
              assignee: str | None, repeat: str | None) -> None:  # fmt: skip
    """Add a task: rapport tasks add 12 "завтра в 10" "Позвонить про договор"."""
    with open_app(ctx) as app:
        actor = cli_actor(app)  # first: a refusal is read in their language
        data = {
            "customer_id": customer_id,
            "due": when,
            "title": title,
            "kind": kind,
            "repeat": repeat,
            "assignee_id": find_user(app, assignee).id if assignee else None,
        }
        task = create_task(app, actor, data)
        zone = ZoneInfo(app.settings.timezone)
    assert task is not None
    due = f"{task.due_at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
    _ = cli_words(texts)
    click.echo(_("Task #{id}: {title}, due {due}.", id=task.id, title=task.title, due=due))


@tasks_command.command("list")
@click.pass_context
@friendly_errors
def tasks_list(ctx: click.Context) -> None:
    """Open tasks, soonest first."""
    with open_app(ctx) as app:
        tasks = list_tasks(app, cli_actor(app))
    if not tasks:
        _ = cli_words(texts)
        click.echo(_("No open tasks."))
    for task in tasks:
        click.echo(f"#{task.id:<5} {task.due_at:%Y-%m-%d %H:%M} {task.kind:<15} {task.title}")


@tasks_command.command("done")
@click.argument("task_id", type=RECORD_ID)
@click.option("--result", default=None)
@click.option("--minutes", type=int, default=None, help="Time spent, for the time audit.")
@click.pass_context
@friendly_errors
def tasks_done(ctx: click.Context, task_id: int, result: str | None, minutes: int | None) -> None:
    """Mark a task done."""
    with open_app(ctx) as app:
        completed = complete_task(
            app, cli_actor(app), task_id, result=result, spent_minutes=minutes
        )
    _ = cli_words(texts)
    click.echo(_("Task #{id} done.", id=completed.task.id))


@click.command("costs")
@click.argument("customer_id", type=RECORD_ID)
@click.argument("amount")
@click.argument("note")
@click.option("--on", "spent_on", default=None, help="The day (default: today).")
@click.pass_context
@friendly_errors
def costs_command(ctx: click.Context, customer_id: int, amount: str, note: str,
                  spent_on: str | None) -> None:  # fmt: skip
    """Attribute marketing money to a customer (for the cost-to-serve report)."""
    with open_app(ctx) as app:
        add_marketing_cost(app, cli_actor(app), customer_id, amount, note, spent_on)
    _ = cli_words(texts)
    click.echo(_("Recorded."))


commands = [tasks_command, costs_command]
