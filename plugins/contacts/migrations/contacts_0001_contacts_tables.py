"""Contacts plugin: tags, significant dates, saved segments, reminders claimed once.

Revision ID: contacts_0001
Revises:
Create Date: 2026-11-22 22:45:26.646169
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import UTCDateTime

revision: str = "contacts_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("contacts",)
depends_on: str | Sequence[str] | None = "core_0002"


def upgrade() -> None:
    op.create_table(
        "contacts_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("expression", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_contacts_segments_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_contacts_segments_name")),
    )
    op.create_table(
        "contacts_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("yearly", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contacts_dates_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts_dates")),
    )
    with op.batch_alter_table("contacts_dates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_dates_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "contacts_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=240), nullable=False),
        sa.Column("occurs_on", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contacts_reminders_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contacts_reminders_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts_reminders")),
        sa.UniqueConstraint(
            "customer_id", "occasion", "occurs_on", name="uq_contacts_reminders_once"
        ),
    )
    with op.batch_alter_table("contacts_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_reminders_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_reminders_pending", ["delivered_at", "claimed_at"], unique=False
        )

    op.create_table(
        "contacts_tags",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contacts_tags_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "tag", name=op.f("pk_contacts_tags")),
    )
    with op.batch_alter_table("contacts_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_tags_tag"), ["tag"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contacts_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_tags_tag"))

    op.drop_table("contacts_tags")
    with op.batch_alter_table("contacts_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_reminders_pending")
        batch_op.drop_index(batch_op.f("ix_contacts_reminders_customer_id"))

    op.drop_table("contacts_reminders")
    with op.batch_alter_table("contacts_dates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_dates_customer_id"))

    op.drop_table("contacts_dates")
    op.drop_table("contacts_segments")
