"""Date reminders go through the core's notification outbox, which records each delivery;
the reminder row only remembers that the occasion was claimed.

Revision ID: contacts_0002
Revises: contacts_0001
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import UTCDateTime

revision: str = "contacts_0002"
down_revision: str | None = "contacts_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contacts_reminders") as batch:
        batch.drop_index("ix_contacts_reminders_pending")
        batch.drop_column("delivered_at")


def downgrade() -> None:
    with op.batch_alter_table("contacts_reminders") as batch:
        batch.add_column(sa.Column("delivered_at", UTCDateTime(), nullable=True))
        batch.create_index(
            "ix_contacts_reminders_pending", ["delivered_at", "claimed_at"], unique=False
        )
