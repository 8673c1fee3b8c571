"""Sales plugin: deal lines (products), plans, approvals.

Revision ID: sales_0001
Revises:
Create Date: 2026-11-22 23:13:21.377233
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import Amount, JsonDocument, UTCDateTime

revision: str = "sales_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("sales",)
depends_on: str | Sequence[str] | None = "core_0002"


def upgrade() -> None:
    op.create_table(
        "sales_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.String(length=500), nullable=True),
        sa.Column("metric", sa.String(length=80), nullable=False),
        sa.Column("target", Amount(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_sales_plans_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_sales_plans_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_plans")),
    )
    with op.batch_alter_table("sales_plans", schema=None) as batch_op:
        batch_op.create_index("ix_sales_plans_period", ["period", "metric"], unique=False)

    op.create_table(
        "sales_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("payload", JsonDocument, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_sales_approvals_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_sales_approvals_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_sales_approvals_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_approvals")),
    )
    with op.batch_alter_table("sales_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_approvals_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_approvals_status"), ["status"], unique=False)

    op.create_table(
        "sales_deal_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("price", Amount(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_sales_deal_lines_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_deal_lines")),
    )
    with op.batch_alter_table("sales_deal_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_deal_lines_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_deal_lines_product"), ["product"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sales_deal_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_deal_lines_product"))
        batch_op.drop_index(batch_op.f("ix_sales_deal_lines_deal_id"))

    op.drop_table("sales_deal_lines")
    with op.batch_alter_table("sales_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_approvals_status"))
        batch_op.drop_index(batch_op.f("ix_sales_approvals_deal_id"))

    op.drop_table("sales_approvals")
    with op.batch_alter_table("sales_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_plans_period")

    op.drop_table("sales_plans")
