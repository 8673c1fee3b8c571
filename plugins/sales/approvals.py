"""Changes a rep may not make alone, and the manager's decision on them.

A discount above the requester's limit (configured per role) or a deal handed to
another person becomes a request. The team's managers are notified with approve and
reject buttons; the decision is applied through the service layer as the manager, and
everything is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from rapport.core.db.tables import DealRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import InvalidInput, NotFound, PermissionDenied
from rapport.core.domain.fields import parse_decimal
from rapport.core.extensions import Notification
from rapport.core.i18n import texts_for
from rapport.core.services import audit
from rapport.core.services.access import owned_scope
from rapport.core.services.deals import get_deal, update_deal
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import language_of
from rapport.plugins.sales.lines import deal_lines, discounted
from rapport.plugins.sales.options import sales_options
from rapport.plugins.sales.tables import ApprovalRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


@dataclass(frozen=True)
class Approval:
    id: int
    kind: str
    deal_id: int
    requested_by: int | None
    payload: dict[str, Any]
    reason: str | None
    status: str
    decided_by: int | None
    decided_at: datetime | None
    decision_note: str | None

    @classmethod
    def of(cls, row: ApprovalRow) -> Approval:
        return cls(row.id, row.kind, row.deal_id, row.requested_by, dict(row.payload), row.reason,
                   row.status, row.decided_by, row.decided_at, row.decision_note)  # fmt: skip


def request_discount(
    app: App, actor: Actor, deal_id: int, percent: object, reason: str | None = None
) -> Approval | None:
    """Give the discount at once when the requester's limit allows it (returns None),
    otherwise ask the managers (returns the pending request).
    """
    value = float(parse_decimal(percent, "discount_percent"))
    if not 0 <= value <= 100:
        raise InvalidInput.one("discount_percent", "is a percentage from 0 to 100")
    limit = sales_options(app.settings).discount_limit(actor.role)
    if value <= limit:
        apply_discount(app, actor, deal_id, value)
        return None
    return _request(app, actor, "discount", deal_id, {"discount_percent": value}, reason)


def request_reassignment(
    app: App, actor: Actor, deal_id: int, owner_id: int, reason: str | None = None
) -> Approval | None:
    """Managers reassign at once within their team; a rep's request goes to them."""
    if actor.role is not Role.REP:
        update_deal(app, actor, deal_id, {"owner_id": owner_id})
        return None
    return _request(app, actor, "reassign", deal_id, {"owner_id": owner_id}, reason)


def apply_discount(app: App, actor: Actor, deal_id: int, percent: float) -> None:
    """Set the discount; with product lines, the amount follows it."""
    with UnitOfWork(app) as uow:
        lines = deal_lines(uow.session, deal_id)
        change: dict[str, Any] = {"fields": {"discount_percent": percent}}
        if lines:
            change["amount"] = discounted(lines, percent)
        update_deal(app, actor, deal_id, change)
        uow.commit()


def decide(
    app: App, actor: Actor, approval_id: int, *, approve: bool, note: str | None = None
) -> Approval:
    """A manager approves (the change is applied as them) or rejects a request."""
    if actor.role is Role.REP:
        raise PermissionDenied("Only a manager or an admin decides on requests.")
    with UnitOfWork(app) as uow:
        row = uow.session.get(ApprovalRow, approval_id)
        if row is None:
            raise NotFound(f"No request #{approval_id}.")
        get_deal(app, actor, row.deal_id)  # the deal must be in the manager's scope
        if row.status != PENDING:
            raise InvalidInput.one("request", f"#{approval_id} was already {row.status}")
        if approve:
            _apply(app, actor, row)
        row.status = APPROVED if approve else REJECTED
        row.decided_by, row.decided_at, row.decision_note = actor.user_id, app.clock(), note
        audit.record(
            uow.session,
            actor,
            entity="approval",
            entity_id=row.id,
            action=row.status,
            changes={"status": {"old": PENDING, "new": row.status}, "note": note},
            at=app.clock(),
        )
        decided = Approval.of(row)
        uow.commit()
    if decided.requested_by is not None:
        _ = texts(app, language_of(app, decided.requested_by))
        verdict = _("approved") if approve else _("rejected")
        text = _("Your request #{id} ({kind}) on deal #{deal} was {verdict}", id=decided.id,
                 kind=decided.kind, deal=decided.deal_id, verdict=verdict)  # fmt: skip
        app.hooks.send_notification(
            app, Notification(decided.requested_by, text + (f": {note}" if note else "."))
        )
    return decided


def pending_requests(app: App, actor: Actor) -> list[Approval]:
    """Requests waiting: a manager sees their team's, an admin all, a rep their own."""
    with UnitOfWork(app, read_only=True) as uow:
        query = select(ApprovalRow).where(ApprovalRow.status == PENDING).order_by(ApprovalRow.id)
        if actor.role is Role.REP:
            query = query.where(ApprovalRow.requested_by == actor.user_id)
        else:  # whoever may see the deal decides on it
            query = query.join(DealRow, DealRow.id == ApprovalRow.deal_id).where(
                owned_scope(actor, DealRow.owner_id)
            )
        return [Approval.of(row) for row in uow.session.scalars(query)]


def _request(
    app: App, actor: Actor, kind: str, deal_id: int, payload: dict[str, Any], reason: str | None
) -> Approval:
    deal = get_deal(app, actor, deal_id)
    with UnitOfWork(app) as uow:
        row = ApprovalRow(
            kind=kind,
            deal_id=deal_id,
            requested_by=actor.user_id,
            requested_at=app.clock(),
            payload=payload,
            reason=reason,
            status=PENDING,
        )
        uow.session.add(row)
        uow.session.flush()
        audit.record(
            uow.session,
            actor,
            entity="approval",
            entity_id=row.id,
            action="request",
            changes={"kind": kind, "deal_id": deal_id, "payload": payload, "reason": reason},
            at=app.clock(),
        )
        approval = Approval.of(row)
        deciders = _deciders(uow, deal.owner_id)
        uow.commit()
    for user_id in deciders:  # each manager reads it in their own language
        _ = texts(app, language_of(app, user_id))
        what = (
            _("a {percent}% discount", percent=f"{payload['discount_percent']:g}")
            if kind == "discount"
            else _("handing it to user #{user}", user=payload["owner_id"])
        )
        asks = _("{who} asks for {what} on deal #{deal} «{title}»", who=actor.display_name,
                 what=what, deal=deal_id, title=deal.title)  # fmt: skip
        text = asks + (f": {reason}" if reason else ".")
        options = (
            (_("Approve"), f"/approve {approval.id}"),
            (_("Reject"), f"/reject {approval.id}"),
        )
        app.hooks.send_notification(
            app, Notification(user_id, text, kind="approval", options=options)
        )
    return approval


def _deciders(uow: UnitOfWork, owner_id: int | None) -> list[int]:
    """The deal owner's team managers, or the admins when the team has none."""
    team = (
        uow.session.scalar(select(UserRow.team).where(UserRow.id == owner_id)) if owner_id else None
    )
    managers = list(
        uow.session.scalars(
            select(UserRow.id).where(
                UserRow.role == Role.MANAGER.value, UserRow.team == team, UserRow.active
            )
        )
    )
    if managers:
        return managers
    return list(
        uow.session.scalars(
            select(UserRow.id).where(UserRow.role == Role.ADMIN.value, UserRow.active)
        )
    )


def _apply(app: App, actor: Actor, row: ApprovalRow) -> None:
    if row.kind == "discount":
        percent = float(row.payload["discount_percent"])
        if percent > sales_options(app.settings).discount_limit(actor.role):
            raise PermissionDenied(
                f"A {percent:g}% discount is above your limit too; ask an admin."
            )
        apply_discount(app, actor, row.deal_id, percent)
    else:
        update_deal(app, actor, row.deal_id, {"owner_id": row.payload["owner_id"]})
