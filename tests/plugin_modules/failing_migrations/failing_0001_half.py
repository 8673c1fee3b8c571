"""A plugin revision that fails half-way (test-only): creates a table, then breaks.

Revision ID: failing_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "failing_0001"
down_revision = None
branch_labels = ("failing",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table("failing_half", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("SELECT * FROM a_table_that_is_not_there")


def downgrade() -> None:
    op.drop_table("failing_half")
