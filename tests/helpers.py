"""Small readers used by several tests: they look at the database the way an auditor would."""

from sqlalchemy import func, select

from rapport.core.db.tables import AuditRow, CustomerRow, NotificationRow
from rapport.core.domain.models import AuditEntry
from rapport.core.extensions import Notification
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


def waiting_notifications(app) -> list[Notification]:
    """What the outbox holds for sending, oldest first (as an adapter would receive it)."""
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(
            select(NotificationRow)
            .where(NotificationRow.delivered_at.is_(None))
            .order_by(NotificationRow.id)
        )
        return [
            Notification(row.user_id, row.text, row.kind, tuple(map(tuple, row.options)))
            for row in rows
        ]
