"""Sheets adapter: where each column was, and the rows a cycle created before its write landed.

Revision ID: sheets_0002
Revises: sheets_0001
Create Date: 2027-02-27 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sheets_0002"
down_revision: str | None = "sheets_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sheets_columns",
        sa.Column("sheet", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("header", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("sheet", "key", name=op.f("pk_sheets_columns")),
    )
    op.create_table(
        "sheets_created",
        sa.Column("sheet", sa.String(length=32), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sheet", "row_key", name=op.f("pk_sheets_created")),
    )


def downgrade() -> None:
    op.drop_table("sheets_created")
    op.drop_table("sheets_columns")
