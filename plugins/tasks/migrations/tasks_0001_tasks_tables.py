"""Tasks plugin: tasks with their reminders, morning digests claimed once, marketing costs.

Revision ID: tasks_0001
Revises:
Create Date: 2026-11-22 23:31:16.495129
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import Amount, UTCDateTime

revision: str = "tasks_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("tasks",)
depends_on: str | Sequence[str] | None = "core_0002"


def upgrade() -> None:
    op.create_table(
        "tasks_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tasks_digests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks_digests")),
        sa.UniqueConstraint("user_id", "day", name="uq_tasks_digests_user_day"),
    )
    op.create_table(
        "tasks_costs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_tasks_costs_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tasks_costs_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks_costs")),
    )
    with op.batch_alter_table("tasks_costs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tasks_costs_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "tasks_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("remind_at", UTCDateTime(), nullable=False),
        sa.Column("repeat_every", sa.Integer(), nullable=True),
        sa.Column("repeat_unit", sa.String(length=8), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("spent_minutes", sa.Integer(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("reminded_at", UTCDateTime(), nullable=True),
        sa.Column("reminder_delivered_at", UTCDateTime(), nullable=True),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_tasks_tasks_interaction_id_interactions"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_tasks_tasks_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_tasks_tasks_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tasks_tasks_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_tasks_tasks_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks_tasks")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_tasks_tasks_dedupe_key")),
    )
    with op.batch_alter_table("tasks_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_tasks_assignee_due", ["assignee_id", "status", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tasks_tasks_assignee_id"), ["assignee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tasks_tasks_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tasks_tasks_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            "ix_tasks_tasks_due_reminders", ["status", "reminded_at", "remind_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_tasks_due_reminders")
        batch_op.drop_index(batch_op.f("ix_tasks_tasks_deal_id"))
        batch_op.drop_index(batch_op.f("ix_tasks_tasks_customer_id"))
        batch_op.drop_index(batch_op.f("ix_tasks_tasks_assignee_id"))
        batch_op.drop_index("ix_tasks_tasks_assignee_due")

    op.drop_table("tasks_tasks")
    with op.batch_alter_table("tasks_costs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_costs_customer_id"))

    op.drop_table("tasks_costs")
    op.drop_table("tasks_digests")
