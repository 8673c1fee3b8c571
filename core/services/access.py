"""Who may see and change what: one policy for every channel.

A rep sees the records they own, a manager the records owned by their team (and
unassigned ones), an admin everything. A record outside the actor's scope is reported
as not found, so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import SQLCoreOperations

from rapport.core.db.tables import UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import InvalidInput, PermissionDenied, _l


@dataclass(frozen=True)
class Visibility:
    """The access rule, stated once: whose records an actor may see.

    Everyone's (an admin, or Rapport's own jobs), or a team's and the unassigned ones (a
    manager), or only their own (a rep). Every query, search, report and check asks it,
    as SQL (:meth:`condition`), for one owner (:meth:`allows`) or as the set of owners
    an in-memory index filters by (:meth:`owners`), so the three can never disagree.
    """

    everyone: bool = False
    team: str | None = None
    own: int | None = None

    def condition(self, owner_column: SQLCoreOperations[int | None]) -> ColumnElement[bool]:
        """SQL selecting the rows whose owner may be seen."""
        if self.everyone:
            return true()
        if self.own is not None:
            return owner_column == self.own
        members = select(UserRow.id).where(UserRow.team == self.team)
        return or_(owner_column.is_(None), owner_column.in_(members))

    def allows(self, session: Session, owner_id: int | None) -> bool:
        if self.everyone:
            return True
        if self.own is not None:
            return owner_id == self.own
        return owner_id is None or _team_of(session, owner_id) == self.team

    def owners(self, session: Session) -> frozenset[int | None] | None:
        """The owners whose records may be seen (None: everyone's)."""
        if self.everyone:
            return None
        if self.own is not None:
            return frozenset({self.own})
        members = session.scalars(select(UserRow.id).where(UserRow.team == self.team))
        return frozenset([None, *members])


def visibility(actor: Actor) -> Visibility:
    return visibility_of(actor.role, actor.team, actor.user_id)


def visibility_of(role: Role | str, team: str | None, user_id: int | None) -> Visibility:
    """The rule for someone of ``role`` in ``team`` (asked about a person who is not acting:
    which managers may decide on a deal)."""
    if Role(role) is Role.ADMIN:
        return Visibility(everyone=True)
    if Role(role) is Role.MANAGER:
        return Visibility(team=team)
    # A rep with no user (there is none) could see nothing: own=-1 matches no owner.
    return Visibility(own=user_id if user_id is not None else -1)


def owned_scope(actor: Actor, owner_column: SQLCoreOperations[int | None]) -> ColumnElement[bool]:
    """SQL condition selecting the rows whose owner the actor may see."""
    return visibility(actor).condition(owner_column)


def may_see_owner(session: Session, actor: Actor, owner_id: int | None) -> bool:
    return visibility(actor).allows(session, owner_id)


def check_rights(session: Session, actor: Actor) -> None:
    """Refuse a person whose rights changed since their actor was made: deactivated, or
    given another role or team (checked once per transaction). A system job (no user)
    acts with the rights it was given in code."""
    if actor.user_id is None or session.info.get(("rights", actor.user_id)):
        return
    # Three columns on the transaction's connection: loading the whole user through the
    # ORM cost a write use case as much as its own INSERT.
    row = session.connection().execute(_RIGHTS, {"user_id": actor.user_id}).first()
    if row is None or not row.active:
        raise PermissionDenied(_l("{name} is no longer an active user.", name=actor.display_name))
    if row.role != actor.role.value or row.team != actor.team:
        raise PermissionDenied(
            _l("Your rights changed (now {role}, team {team}); please start again.",
               role=row.role, team=row.team or "-")
        )  # fmt: skip
    session.info["rights", actor.user_id] = True


_RIGHTS = select(UserRow.active, UserRow.role, UserRow.team).where(
    UserRow.id == bindparam("user_id")
)


def check_owner_assignment(
    session: Session, actor: Actor, owner_id: int | None, *, field: str = "owner_id"
) -> None:
    """A rep may only own records themselves; a manager may assign within their team."""
    check_rights(session, actor)
    if owner_id is None or owner_id == actor.user_id:
        return  # their own: check_rights found them active, in the role and team they act in
    owner = session.get(UserRow, owner_id)
    if owner is None or not owner.active:
        raise InvalidInput.one(field, _l("there is no active user #{id}", id=owner_id))
    if actor.role is Role.REP and owner_id != actor.user_id:
        raise PermissionDenied(_l("A rep can only assign records to themselves; ask a manager."))
    if actor.role is Role.MANAGER and owner.team != actor.team:
        raise PermissionDenied(_l("{name} is not in your team.", name=owner.display_name))


def default_owner(actor: Actor, given: int | None, fields_set: set[str]) -> int | None:
    """The owner a caller named (even ``None``), else the person creating the record."""
    return given if "owner_id" in fields_set else actor.user_id


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role in roles:
        return
    if Role.MANAGER in roles:
        raise PermissionDenied(_l("Only a manager or an admin may do this."))
    raise PermissionDenied(_l("Only an admin may do this."))


def _team_of(session: Session, user_id: int) -> str | None:
    return session.scalar(select(UserRow.team).where(UserRow.id == user_id))
