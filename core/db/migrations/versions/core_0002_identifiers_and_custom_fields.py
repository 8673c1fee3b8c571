"""Indexed customer phones and e-mails, admin-defined custom fields, customers by update time.

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-22 22:39:21.125924
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rapport.core.db.base import JsonDocument, UTCDateTime

revision: str = "core_0002"
down_revision: str | None = "core_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("labels", JsonDocument, nullable=False),
        sa.Column("choices", JsonDocument, nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_custom_fields_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
        sa.UniqueConstraint("entity", "name", name="uq_custom_fields_entity_name"),
    )
    op.create_table(
        "customer_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_identifiers_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_identifiers")),
    )
    with op.batch_alter_table("customer_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_identifiers_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index("ix_customer_identifiers_kind_value", ["kind", "value"], unique=False)

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_updated_at"), ["updated_at"], unique=False)

    _index_existing_customers()


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_updated_at"))

    with op.batch_alter_table("customer_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_identifiers_kind_value")
        batch_op.drop_index(batch_op.f("ix_customer_identifiers_customer_id"))

    op.drop_table("customer_identifiers")
    op.drop_table("custom_fields")


def _index_existing_customers() -> None:
    """Index the phones and e-mails of the customers stored before this revision."""
    customers = sa.table(
        "customers",
        sa.column("id", sa.Integer()),
        sa.column("phones", JsonDocument),
        sa.column("emails", JsonDocument),
        sa.column("merged_into_id", sa.Integer()),
    )
    identifiers = sa.table(
        "customer_identifiers",
        sa.column("customer_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("value", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(customers.c.id, customers.c.phones, customers.c.emails).where(
            customers.c.merged_into_id.is_(None)
        )
    )
    values = [
        {"customer_id": row.id, "kind": kind, "value": value.lower()}
        for row in rows
        for kind, found in (("phone", row.phones or []), ("email", row.emails or []))
        for value in found
    ]
    if values:
        connection.execute(identifiers.insert(), values)
