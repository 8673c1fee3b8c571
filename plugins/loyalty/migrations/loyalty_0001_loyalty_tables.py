"""Loyalty plugin: customer profiles with their reasons, manual overrides, nightly state.

Revision ID: loyalty_0001
Revises:
Create Date: 2026-11-22 23:47:45.058093
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import Amount, JsonDocument, UTCDateTime

revision: str = "loyalty_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("loyalty",)
depends_on: str | Sequence[str] | None = "core_0002"


def upgrade() -> None:
    op.create_table(
        "loyalty_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_loyalty_state")),
    )
    op.create_table(
        "loyalty_overrides",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_loyalty_overrides_by_users")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loyalty_overrides_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_loyalty_overrides")),
    )
    op.create_table(
        "loyalty_profiles",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("monetary", Amount(), nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=True),
        sa.Column("r", sa.Integer(), nullable=False),
        sa.Column("f", sa.Integer(), nullable=False),
        sa.Column("m", sa.Integer(), nullable=False),
        sa.Column("value_score", sa.Float(), nullable=False),
        sa.Column("key_customer", sa.Boolean(), nullable=False),
        sa.Column("cost_to_serve", Amount(), nullable=False),
        sa.Column("profit", Amount(), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=True),
        sa.Column("verdicts", JsonDocument, nullable=False),
        sa.Column("next_action", sa.Text(), nullable=True),
        sa.Column("discount_eligible", sa.Boolean(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loyalty_profiles_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_loyalty_profiles")),
    )
    with op.batch_alter_table("loyalty_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loyalty_profiles_segment"), ["segment"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_loyalty_profiles_strategy"), ["strategy"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_loyalty_profiles_value_score"), ["value_score"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("loyalty_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loyalty_profiles_value_score"))
        batch_op.drop_index(batch_op.f("ix_loyalty_profiles_strategy"))
        batch_op.drop_index(batch_op.f("ix_loyalty_profiles_segment"))

    op.drop_table("loyalty_profiles")
    op.drop_table("loyalty_overrides")
    op.drop_table("loyalty_state")
