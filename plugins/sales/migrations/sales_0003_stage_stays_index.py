"""Sales plugin: an index on the core's stage changes by deal, time and id, with the stage
entered, which ``sales.durations`` reads alone and in order.

Revision ID: sales_0003
Revises: sales_0002
Create Date: 2026-12-04 18:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "sales_0003"
down_revision: str | None = "sales_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_sales_stage_stays",
        "deal_stage_changes",
        ["deal_id", "changed_at", "id", "to_stage_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_sales_stage_stays", table_name="deal_stage_changes")
