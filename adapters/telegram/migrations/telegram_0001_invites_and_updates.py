"""Telegram adapter: one-time invites and the updates already handled.

Revision ID: telegram_0001
Revises:
Create Date: 2026-11-23 10:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import UTCDateTime

revision: str = "telegram_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("telegram",)
depends_on: str | Sequence[str] | None = "core_0003"


def upgrade() -> None:
    op.create_table(
        "telegram_invites",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_at", UTCDateTime, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_telegram_invites_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["users.id"], name=op.f("fk_telegram_invites_used_by_users")
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_telegram_invites")),
    )
    op.create_table(
        "telegram_handled_updates",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_telegram_handled_updates")),
    )
    op.create_index(op.f("ix_telegram_handled_updates_at"), "telegram_handled_updates", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_telegram_handled_updates_at"), table_name="telegram_handled_updates")
    op.drop_table("telegram_handled_updates")
    op.drop_table("telegram_invites")
