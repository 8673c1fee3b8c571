"""Who may see and change what: one policy for every channel.

A rep sees the records they own, a manager the records owned by their team (and
unassigned ones), an admin everything. A record outside the actor's scope is reported
as not found, so its existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import SQLCoreOperations

from rapport.core.db.tables import UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import InvalidInput, PermissionDenied


def owned_scope(actor: Actor, owner_column: SQLCoreOperations[int | None]) -> ColumnElement[bool]:
    """SQL condition selecting the rows whose owner the actor may see."""
    if actor.role is Role.ADMIN:
        return true()
    if actor.role is Role.MANAGER:
        team = select(UserRow.id).where(UserRow.team == actor.team)
        return or_(owner_column.is_(None), owner_column.in_(team))
    return owner_column == actor.user_id


def may_see_owner(session: Session, actor: Actor, owner_id: int | None) -> bool:
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.MANAGER:
        return owner_id is None or _team_of(session, owner_id) == actor.team
    return owner_id is not None and owner_id == actor.user_id


def check_owner_assignment(
    session: Session, actor: Actor, owner_id: int | None, *, field: str = "owner_id"
) -> None:
    """A rep may only own records themselves; a manager may assign within their team."""
    if owner_id is None:
        return
    owner = session.get(UserRow, owner_id)
    if owner is None or not owner.active:
        raise InvalidInput.one(field, f"there is no active user #{owner_id}")
    if actor.role is Role.REP and owner_id != actor.user_id:
        raise PermissionDenied("A rep can only assign records to themselves; ask a manager.")
    if actor.role is Role.MANAGER and owner.team != actor.team:
        raise PermissionDenied(f"{owner.display_name} is not in your team.")


def default_owner(actor: Actor, given: int | None, fields_set: set[str]) -> int | None:
    """The owner a caller named (even ``None``), else the person creating the record."""
    return given if "owner_id" in fields_set else actor.user_id


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        allowed = " or ".join(role.value for role in roles)
        raise PermissionDenied(f"Only a {allowed} may do this.")


def _team_of(session: Session, user_id: int) -> str | None:
    return session.scalar(select(UserRow.team).where(UserRow.id == user_id))
