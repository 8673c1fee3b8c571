"""A plugin's own table (test-only).

Revision ID: pinned_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "pinned_0001"
down_revision = None
branch_labels = ("pinned",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "pinned_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pinned_notes")
