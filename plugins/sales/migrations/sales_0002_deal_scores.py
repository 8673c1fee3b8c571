"""Sales plugin: deals' win chances and the scoring model they were computed with.

Revision ID: sales_0002
Revises: sales_0001
Create Date: 2026-12-03 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import JsonDocument, UTCDateTime

revision: str = "sales_0002"
down_revision: str | None = "sales_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_deal_scores",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("chance", sa.Float(), nullable=False),
        sa.Column("learned", sa.Boolean(), nullable=False),
        sa.Column("reasons", JsonDocument, nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_sales_deal_scores_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_sales_deal_scores")),
    )
    op.create_table(
        "sales_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", JsonDocument, nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sales_state")),
    )


def downgrade() -> None:
    op.drop_table("sales_state")
    op.drop_table("sales_deal_scores")
