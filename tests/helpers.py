"""Small readers used by several tests: they look at the database the way an auditor would."""

from sqlalchemy import func, select

from rapport.core.db.tables import AuditRow, CustomerRow
from rapport.core.domain.models import AuditEntry
from rapport.core.services.uow import UnitOfWork


def count_customers(app) -> int:
    with UnitOfWork(app, read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(CustomerRow))


def audit_entries(app, entity: str, entity_id: int | None = None) -> list[AuditEntry]:
    """Oldest first."""
    query = select(AuditRow).where(AuditRow.entity == entity)
    if entity_id is not None:
        query = query.where(AuditRow.entity_id == entity_id)
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(query.order_by(AuditRow.id))
        return [AuditEntry.model_validate(row) for row in rows]
