"""Sheets adapter: what each sheet held after the last sync (the merge base).

Revision ID: sheets_0001
Revises:
Create Date: 2026-11-23 00:08:12.165840
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import JsonDocument

revision: str = "sheets_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("sheets",)
depends_on: str | Sequence[str] | None = "core_0002"


def upgrade() -> None:
    op.create_table(
        "sheets_base",
        sa.Column("sheet", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("values", JsonDocument, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sheet", "record_id", name=op.f("pk_sheets_base")),
    )


def downgrade() -> None:
    op.drop_table("sheets_base")
