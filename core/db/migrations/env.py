"""Alembic environment: runs on the engine the application built, never on a URL of its own.

All the revisions of one ``upgrade`` or ``downgrade`` run in one transaction, so a step
that fails leaves the schema as it was. On SQLite, batch mode rebuilds a table by copying
it, which its foreign keys would refuse while rows point at it: they are switched off for
the rebuild (a pragma that only takes effect outside a transaction) and every reference
is checked before the transaction commits.
"""

from alembic import context
from sqlalchemy import text

from rapport.core.db.base import Base

engine = context.config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"
with engine.connect() as connection:
    raw = connection.connection.dbapi_connection
    if sqlite and raw is not None:
        raw.execute("PRAGMA foreign_keys=OFF")  # on the driver: outside any transaction
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise RuntimeError(f"the migration would break references: {broken[:5]}")
    finally:
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
