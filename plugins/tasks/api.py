"""The tasks plugin's public API, for other plugins: ``from rapport.plugins.tasks.api import
create_task``.

A task is about a customer or a deal, has one assignee and a due moment (words such as
"завтра в 10" are read in the assignee's time zone). An automatic task passes a
``dedupe_key``: the same key never creates a second task, even from two instances at
once (``create_task`` then returns None). The rest of the plugin is internal.

Call these only when the tasks plugin is loaded (``app.plugins.manager.has_plugin("tasks")``):
a team may disable it.
"""

from rapport.plugins.tasks.model import NewTask, Priority, Task, TaskKind, TaskStatus
from rapport.plugins.tasks.services import (
    Completed,
    cancel_task,
    complete_task,
    create_task,
    list_tasks,
    snooze_task,
)

__all__ = [
    "Completed",
    "NewTask",
    "Priority",
    "Task",
    "TaskKind",
    "TaskStatus",
    "cancel_task",
    "complete_task",
    "create_task",
    "list_tasks",
    "snooze_task",
]
