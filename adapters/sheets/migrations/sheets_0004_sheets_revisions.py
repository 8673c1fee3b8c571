"""Sheets adapter: a count of each sheet's base rewrites, so a process can keep the base
it wrote between cycles instead of reading it back each time.

Revision ID: sheets_0004
Revises: sheets_0003
Create Date: 2027-03-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sheets_0004"
down_revision: str | None = "sheets_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sheets_revisions",
        sa.Column("sheet", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sheet", name=op.f("pk_sheets_revisions")),
    )


def downgrade() -> None:
    op.drop_table("sheets_revisions")
