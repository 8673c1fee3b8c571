"""Time audit and the cost of each customer.

Staff time is what people recorded: the minutes spent on completed tasks and the
duration of logged interactions, per kind of work. A customer's cost is that time at
the hourly cost of each person's role, plus the marketing money attributed to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Subquery, and_, func, select, union_all
from sqlalchemy.orm import Session

from rapport.core.charts import chart
from rapport.core.db.tables import CustomerRow, InteractionRow, UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import InvalidInput
from rapport.core.domain.fields import parse_date
from rapport.core.domain.numbers import parse_decimal
from rapport.core.domain.values import parse_id
from rapport.core.extensions import Report, ReportSpec
from rapport.core.i18n import texts_for
from rapport.core.services import changes
from rapport.core.services.access import owned_scope, require_role
from rapport.core.services.customers import customer_names, get_customer
from rapport.core.services.uow import UnitOfWork
from rapport.plugins.tasks.model import TaskStatus
from rapport.plugins.tasks.options import tasks_options
from rapport.plugins.tasks.tables import CostRow, TaskRow
from rapport.plugins.tasks.words import kind_word, texts

_l = texts_for(__file__).lazy

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

CENT = Decimal("0.01")


def report_specs() -> list[ReportSpec]:
    return [
        ReportSpec("tasks.time_audit", "Time audit", time_audit,
                   "Hours per person and kind of work (calls, documents, presentations...)",
                   params=(), titles={"ru": "Учёт времени", "uk": "Облік часу"},
                   descriptions={"ru": "Часы по людям и видам работы (звонки, документы…)",
                                 "uk": "Години за людьми і видами роботи (дзвінки, документи…)"}),
        ReportSpec("tasks.customer_cost", "Cost of each customer", customer_costs,
                   "Staff time at the hourly cost of each role, plus marketing spend",
                   params=("customer",),
                   titles={"ru": "Затраты на клиента", "uk": "Витрати на клієнта"},
                   descriptions={"ru": "Время сотрудников по ставке роли и маркетинг",
                                 "uk": "Час працівників за ставкою ролі і маркетинг"}),
    ]  # fmt: skip


def add_marketing_cost(
    app: App, actor: Actor, customer_id: int, amount: object, note: str, spent_on: object = None
) -> None:
    require_role(actor, Role.MANAGER, Role.ADMIN)
    value = parse_decimal(amount, "amount").quantize(CENT)
    if value <= 0:
        raise InvalidInput.one("amount", _l("must be more than 0"))
    if not note.strip():
        raise InvalidInput.one("note", _l("say what the money was spent on"))
    day = parse_date(spent_on, "spent_on") if spent_on else app.clock().date()
    get_customer(app, actor, customer_id)
    with UnitOfWork(app) as uow:
        row = CostRow(customer_id=customer_id, amount=value, note=note.strip()[:500], spent_on=day,
                      created_by=actor.user_id, created_at=app.clock())  # fmt: skip
        changes.insert(uow, actor, entity="marketing_cost", row=row,
                       values={"customer_id": customer_id, "amount": value, "note": row.note,
                               "spent_on": day})  # fmt: skip
        uow.commit()


def _work() -> Subquery:
    """Minutes of work, from completed tasks and from logged interactions, in one table."""
    tasks = select(
        TaskRow.assignee_id.label("user_id"),
        TaskRow.customer_id.label("customer_id"),
        TaskRow.kind.label("kind"),
        TaskRow.spent_minutes.label("minutes"),
    ).where(
        TaskRow.status == TaskStatus.DONE.value,
        TaskRow.spent_minutes.is_not(None),
        TaskRow.interaction_id.is_(None),  # a logged interaction counts that time already
    )
    interactions = select(
        InteractionRow.author_id,
        InteractionRow.customer_id,
        InteractionRow.kind,
        InteractionRow.duration_minutes,
    ).where(InteractionRow.duration_minutes.is_not(None))
    return union_all(tasks, interactions).subquery()


def time_audit(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    _ = texts(app, actor.language)
    work = _work()
    with UnitOfWork(app, read_only=True) as uow:
        rows = [
            (name, kind_word(_, kind), int(minutes), round(int(minutes) / 60, 1))
            for name, kind, minutes in uow.session.execute(
                select(UserRow.display_name, work.c.kind, func.sum(work.c.minutes))
                .join(UserRow, UserRow.id == work.c.user_id)
                .where(owned_scope(actor, work.c.user_id))
                .group_by(UserRow.display_name, work.c.kind)
                .order_by(UserRow.display_name, work.c.kind)
            )
        ]

    people = sorted({r[0] for r in rows})
    kinds = sorted({r[1] for r in rows})
    series = {
        kind: [sum(r[3] for r in rows if r[0] == p and r[1] == kind) for p in people]
        for kind in kinds
    }
    png = chart(_("Hours by kind of work"), people, series)
    columns = (_("person"), _("kind"), _("minutes"), _("hours"))
    return Report(_("Time audit"), columns, tuple(rows), png)


def costs_by_customer(
    app: App, session: Session, condition: ColumnElement[bool]
) -> dict[int, dict[str, Any]]:
    """Staff minutes, staff cost and marketing spend of the customers matching ``condition``."""
    hourly = tasks_options(app.settings).hourly_cost
    work = _work()
    found: dict[int, dict[str, Any]] = {}
    for customer_id, role, minutes in session.execute(
        select(CustomerRow.id, UserRow.role, func.sum(work.c.minutes))
        .join(CustomerRow, CustomerRow.id == work.c.customer_id)
        .join(UserRow, UserRow.id == work.c.user_id)
        .where(condition)
        .group_by(CustomerRow.id, UserRow.role)
    ):
        entry = found.setdefault(customer_id, _empty())
        entry["staff_minutes"] += int(minutes)
        entry["staff_cost"] += Decimal(int(minutes)) / 60 * hourly.get(Role(role), Decimal(0))
    for customer_id, amount in session.execute(
        select(CostRow.customer_id, func.sum(CostRow.amount))
        .join(CustomerRow, CustomerRow.id == CostRow.customer_id)
        .where(condition)
        .group_by(CostRow.customer_id)
    ):
        found.setdefault(customer_id, _empty())["marketing_cost"] += Decimal(str(amount))
    for entry in found.values():
        entry["staff_cost"] = entry["staff_cost"].quantize(CENT)
        entry["marketing_cost"] = entry["marketing_cost"].quantize(CENT)
        entry["cost_to_serve"] = entry["staff_cost"] + entry["marketing_cost"]
    return found


def _empty() -> dict[str, Any]:
    return {"staff_minutes": 0, "staff_cost": Decimal(0), "marketing_cost": Decimal(0)}


def customer_costs(app: App, actor: Actor, params: Mapping[str, Any]) -> Report:
    _ = texts(app, actor.language)
    condition = owned_scope(actor, CustomerRow.owner_id)
    if params.get("customer"):
        wanted = get_customer(app, actor, parse_id(params["customer"], "customer"))
        condition = and_(condition, CustomerRow.id == wanted.id)
    with UnitOfWork(app, read_only=True) as uow:
        costs = costs_by_customer(app, uow.session, condition)
        names = customer_names(uow.session, costs)
    rows = [
        (names[cid], round(c["staff_minutes"] / 60, 1), c["staff_cost"], c["marketing_cost"],
         c["cost_to_serve"])
        for cid, c in costs.items()
    ]  # fmt: skip
    rows.sort(key=lambda r: (-r[4], r[0]))
    top = rows[:20]
    png = chart(
        _("Cost to serve"),
        [r[0] for r in top],
        {_("staff"): [float(r[2]) for r in top], _("marketing"): [float(r[3]) for r in top]},
    )
    return Report(
        _("Cost of each customer"),
        (_("customer"), _("hours"), _("staff cost"), _("marketing"), _("total")),
        tuple(rows),
        png,
    )
