"""Task reminders go through the core's notification outbox, which records each delivery;
the task no longer keeps its own delivery stamp.

Revision ID: tasks_0002
Revises: tasks_0001
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import UTCDateTime

revision: str = "tasks_0002"
down_revision: str | None = "tasks_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks_tasks") as batch:
        batch.drop_column("reminder_delivered_at")


def downgrade() -> None:
    with op.batch_alter_table("tasks_tasks") as batch:
        batch.add_column(sa.Column("reminder_delivered_at", UTCDateTime(), nullable=True))
