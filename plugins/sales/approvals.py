"""Changes a rep may not make alone, and the manager's decision on them.

A discount above the person's limit (configured per role) or a deal handed to someone
else becomes a request, from whichever channel it came: ``/discount`` and ``/reassign``
in the bot or the CLI ask for it outright, and the same discount typed into the deal's
field (in the bot, the sheet, the CLI) is held by :func:`rapport.plugins.sales.rules.
check_deal` and filed here once the person's transaction is over. The managers who may
see the deal (the admins when its team has none) are told what is asked, on which deal
of which customer, by whom and why, with approve and reject buttons; the decision is
applied through the service layer as the manager. Everything goes through the one
write path, so it is audited and plugins may veto it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from rapport.core.db.tables import DealRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel, Role
from rapport.core.domain.errors import InvalidInput, NotFound, PermissionDenied, Text
from rapport.core.domain.models import Deal
from rapport.core.domain.numbers import parse_decimal
from rapport.core.domain.values import one_line
from rapport.core.extensions import Notification
from rapport.core.i18n import Translator, texts_for
from rapport.core.services import changes
from rapport.core.services.access import owned_scope, visibility_of
from rapport.core.services.customers import customer_names
from rapport.core.services.deals import get_deal, update_deal
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import find_user, language_of
from rapport.core.words import channel_word, money
from rapport.plugins.sales.lines import deal_lines, discounted
from rapport.plugins.sales.options import sales_options
from rapport.plugins.sales.tables import ApprovalRow

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

texts = texts_for(__file__)
_l = texts.lazy

ENTITY = "approval"
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


def _status(status: str) -> Text | str:
    """A request's status inside a sentence ("#3 was already approved"), in the reader's words."""
    words = {PENDING: _l("pending"), APPROVED: _l("approved"), REJECTED: _l("rejected")}
    return words.get(status, status)


DISCOUNT, REASSIGN = "discount", "reassign"


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
    """Give the discount at once when the person's limit allows it (returns None),
    otherwise ask the managers (returns the pending request)."""
    value = discount_percent(percent)
    if value <= sales_options(app.settings).discount_limit(actor.role):
        apply_discount(app, actor, deal_id, value)
        return None
    return file_request(app, actor, DISCOUNT, deal_id, {"discount_percent": value}, reason)


def request_reassignment(
    app: App, actor: Actor, deal_id: int, owner: int | str, reason: str | None = None
) -> Approval | None:
    """Managers and admins hand a deal over at once (within what they may see); a rep's
    wish to hand it to someone else goes to the managers."""
    new_owner = find_user(app, owner)
    if not new_owner.active:
        raise InvalidInput.one("owner_id", _l("{name} has left", name=new_owner.display_name))
    if actor.role is not Role.REP or new_owner.id == actor.user_id:
        update_deal(app, actor, deal_id, {"owner_id": new_owner.id})
        return None
    return file_request(app, actor, REASSIGN, deal_id, {"owner_id": new_owner.id}, reason)


def discount_percent(raw: object) -> float:
    value = float(parse_decimal(str(raw).strip().rstrip("%"), "discount_percent"))
    if not 0 <= value <= 100:
        raise InvalidInput.one("discount_percent", _l("is a percentage from 0 to 100"))
    return value


def apply_discount(app: App, actor: Actor, deal_id: int, percent: float) -> None:
    """Set the discount; with product lines, the amount follows it."""
    with UnitOfWork(app) as uow:
        lines = deal_lines(uow.session, deal_id)
        change: dict[str, Any] = {"fields": {"discount_percent": percent}}
        if lines:
            change["amount"] = discounted(lines, percent)
        update_deal(app, actor, deal_id, change)
        uow.commit()


def file_request(
    app: App,
    actor: Actor,
    kind: str,
    deal_id: int,
    payload: dict[str, Any],
    reason: str | None,
) -> Approval:
    """Record a request and tell whoever decides on it, each in their own language."""
    if actor.user_id is None:
        raise InvalidInput.one("request", _l("only a person can ask for approval"))
    deal = get_deal(app, actor, deal_id)
    reason = one_line(reason, "reason")[:500] or None
    with UnitOfWork(app) as uow:
        asked = uow.session.scalars(
            select(ApprovalRow).where(
                ApprovalRow.deal_id == deal_id,
                ApprovalRow.kind == kind,
                ApprovalRow.status == PENDING,
                ApprovalRow.requested_by == actor.user_id,
            )
        )
        for same in asked:  # the same edit seen again (the sheet's next sync): asked already
            if dict(same.payload) == payload:
                return Approval.of(same)
        row = ApprovalRow(kind=kind, deal_id=deal_id, requested_by=actor.user_id,
                          requested_at=app.clock(), payload=payload, reason=reason,
                          status=PENDING)  # fmt: skip
        changes.insert(uow, actor, entity=ENTITY, action="request", row=row,
                       values={"kind": kind, "deal_id": deal_id, "payload": payload,
                               "reason": reason, "channel": actor.channel.value})  # fmt: skip
        approval = Approval.of(row)
        deciders = _deciders(uow, deal)
        uow.commit()
    for user_id in deciders:
        _ = texts(app, language_of(app, user_id))
        options = ((_("Approve"), f"/approve {approval.id}"),
                   (_("Reject"), f"/reject {approval.id}"))  # fmt: skip
        text = describe(app, approval, _, channel=actor.channel)
        app.hooks.send_notification(
            app, Notification(user_id, text, kind="approval", options=options)
        )
    return approval


def decide(
    app: App, actor: Actor, approval_id: int, *, approve: bool, note: str | None = None
) -> Approval:
    """A manager approves (the change is applied as them) or rejects a request."""
    if actor.role is Role.REP:
        raise PermissionDenied(_l("Only a manager or an admin decides on requests."))
    with UnitOfWork(app) as uow:
        row = uow.session.get(ApprovalRow, approval_id)
        if row is None:
            raise NotFound(_l("No request #{id}.", id=approval_id))
        get_deal(app, actor, row.deal_id)  # the deal must be in the manager's scope
        if row.status != PENDING:
            raise InvalidInput.one(
                "request",
                _l("#{id} was already {status}", id=approval_id, status=_status(row.status)),
            )
        if approve:
            _apply(app, actor, row)
        status = APPROVED if approve else REJECTED

        def settle() -> int:
            row.status = status
            row.decided_by, row.decided_at, row.decision_note = actor.user_id, app.clock(), note
            uow.session.flush()
            return row.id

        changes.write(uow, actor, entity=ENTITY, action=status, entity_id=row.id,
                      before={"status": PENDING, "note": None},
                      after={"status": status, "note": note}, apply=settle)  # fmt: skip
        decided = Approval.of(row)
        uow.commit()
    if decided.requested_by is not None:
        _ = texts(app, language_of(app, decided.requested_by))
        verdict = _("approved") if approve else _("rejected")
        text = _("{who} {verdict} your request: {what}", who=actor.display_name,
                 verdict=verdict, what=describe(app, decided, _, brief=True))  # fmt: skip
        app.hooks.send_notification(
            app, Notification(decided.requested_by, text + (f" — {note}" if note else ""))
        )
    return decided


def pending_requests(app: App, actor: Actor) -> list[Approval]:
    """Requests waiting: a manager sees those on deals they may see, an admin all, a rep
    their own."""
    with UnitOfWork(app, read_only=True) as uow:
        query = select(ApprovalRow).where(ApprovalRow.status == PENDING).order_by(ApprovalRow.id)
        if actor.role is Role.REP:
            query = query.where(ApprovalRow.requested_by == actor.user_id)
        else:  # whoever may see the deal decides on it
            query = query.join(DealRow, DealRow.id == ApprovalRow.deal_id).where(
                owned_scope(actor, DealRow.owner_id)
            )
        return [Approval.of(row) for row in uow.session.scalars(query)]


def describe(
    app: App,
    approval: Approval,
    _: Translator,
    *,
    channel: Channel | None = None,
    brief: bool = False,
) -> str:
    """A request as whoever decides reads it: what is asked, on which deal of which
    customer for how much, by whom (and where) and why."""
    with UnitOfWork(app, read_only=True) as uow:
        deal = uow.session.get(DealRow, approval.deal_id)
        if deal is None:
            raise NotFound(_l("No request #{id}.", id=approval.id))
        people = dict(uow.session.execute(select(UserRow.id, UserRow.display_name)).all())
        customer = customer_names(uow.session, [deal.customer_id]).get(deal.customer_id, "")
    if approval.kind == DISCOUNT:
        what = _("a {percent}% discount", percent=f"{approval.payload['discount_percent']:g}")
    else:
        to = people.get(approval.payload["owner_id"], f"#{approval.payload['owner_id']}")
        what = _("handing the deal to {name}", name=to)
    amount = money(deal.amount, deal.currency, _.language)
    subject = _("{what} on «{title}» ({customer}, {amount})", what=what, title=deal.title,
                customer=customer, amount=amount)  # fmt: skip
    if brief:
        return subject
    who = people.get(approval.requested_by or 0, "?")
    where = f" {channel_word(_, channel.value)}" if channel is not None else ""
    text = _("Request #{id}: {who} asks for {subject}", id=approval.id, who=who,
             subject=subject) + where  # fmt: skip
    return text + (f": {approval.reason}" if approval.reason else ".")


def _deciders(uow: UnitOfWork, deal: Deal) -> list[int]:
    """The active managers who may see the deal (by the one access rule), or the admins
    when there are none; never the requester alone."""
    managers = [
        row.id
        for row in uow.session.scalars(
            select(UserRow).where(UserRow.role == Role.MANAGER.value, UserRow.active)
        )
        if visibility_of(row.role, row.team, row.id).allows(uow.session, deal.owner_id)
    ]
    if managers:
        return managers
    return list(
        uow.session.scalars(
            select(UserRow.id).where(UserRow.role == Role.ADMIN.value, UserRow.active)
        )
    )


def _apply(app: App, actor: Actor, row: ApprovalRow) -> None:
    if row.kind == DISCOUNT:
        percent = float(row.payload["discount_percent"])
        limit = sales_options(app.settings).discount_limit(actor.role)
        if percent > limit:
            raise PermissionDenied(
                _l("A {percent}% discount is above your limit too ({limit}%); ask an admin.",
                   percent=f"{percent:g}", limit=f"{limit:g}")
            )  # fmt: skip
        apply_discount(app, actor, row.deal_id, percent)
    else:
        update_deal(app, actor, row.deal_id, {"owner_id": row.payload["owner_id"]})


def waiting_text(approval: Approval) -> Text:
    """What the person who asked reads: it is not done yet, and who decides."""
    return _l("Sent for approval as request #{id}: a manager decides, and you will hear.",
              id=approval.id)  # fmt: skip
