"""Sheets adapter: each write of a workbook file numbered, the bases it replaced, and the
note at the top of each tab.

Revision ID: sheets_0003
Revises: sheets_0002
Create Date: 2027-03-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import JsonDocument, UTCDateTime

revision: str = "sheets_0003"
down_revision: str | None = "sheets_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sheets_generations",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("generation", name=op.f("pk_sheets_generations")),
    )
    op.create_table(
        "sheets_history",
        sa.Column("sheet", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("values", JsonDocument, nullable=True),
        sa.PrimaryKeyConstraint("sheet", "generation", "record_id", name=op.f("pk_sheets_history")),
    )

    op.create_table(
        "sheets_tab_notes",
        sa.Column("sheet", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sheet", name=op.f("pk_sheets_tab_notes")),
    )


def downgrade() -> None:
    op.drop_table("sheets_tab_notes")
    op.drop_table("sheets_history")
    op.drop_table("sheets_generations")
