"""One-time invites: an admin creates a deep link, the colleague taps it and is in.

The link carries a random token, never the role or the name, so a forwarded or guessed
link cannot grant more than the admin meant; it works once and expires after a week.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from rapport.adapters.telegram.i18n import lazy as _l
from rapport.adapters.telegram.tables import InviteRow
from rapport.core.db.dml import execute_counted
from rapport.core.domain.actor import Actor
from rapport.core.domain.enums import Channel, Role
from rapport.core.domain.errors import InvalidInput, NotFound, PermissionDenied
from rapport.core.domain.models import User
from rapport.core.services import changes
from rapport.core.services.access import require_role
from rapport.core.services.uow import UnitOfWork
from rapport.core.services.users import add_user, get_user, user_by_telegram_id

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

VALID_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Invite:
    token: str
    display_name: str
    role: Role

    def link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.token}"


def create_invite(
    app: App, actor: Actor, display_name: str, role: Role = Role.REP, team: str | None = None
) -> Invite:
    """Admins invite anyone; a manager may invite reps to their own team."""
    require_role(actor, Role.ADMIN, Role.MANAGER)
    if actor.role is Role.MANAGER and team is None:
        team = actor.team
    if actor.role is Role.MANAGER and (role is not Role.REP or team != actor.team):
        raise PermissionDenied(_l("A manager may invite reps to their own team only."))
    name = display_name.strip()
    if not name:
        raise InvalidInput.one("name", _l("say who the invite is for"))
    token = secrets.token_urlsafe(24)  # 32 characters: deep-link payloads allow 64
    now = app.clock()
    with UnitOfWork(app) as uow:
        row = InviteRow(
            token=token,
            display_name=name[:200],
            role=role.value,
            team=team,
            created_by=actor.user_id,
            created_at=now,
            expires_at=now + VALID_FOR,
        )
        invited = {"invited": row.display_name, "role": role.value, "team": team}

        def add() -> int | None:
            uow.session.add(row)
            uow.session.flush()
            return actor.user_id

        # In the inviter's history (an invite has no number); the token stays out of it:
        # it lets someone in. The new user's own record starts when the link is used.
        changes.write(uow, actor, entity="user", action="invite", entity_id=actor.user_id,
                      before={key: None for key in invited}, after=invited,
                      apply=add)  # fmt: skip
        uow.commit()
    return Invite(token, name, role)


def redeem_invite(app: App, token: str, telegram_id: int, language: str | None) -> User:
    """Register the Telegram account behind ``telegram_id`` with the invite's name and role.

    Claimed with one conditional UPDATE, so two taps racing on one link make one user.
    """
    if user_by_telegram_id(app, telegram_id) is not None:
        raise InvalidInput.one("invite", _l("this Telegram account is registered already"))
    now = app.clock()
    with UnitOfWork(app) as uow:
        claimed = execute_counted(
            uow.session,
            update(InviteRow)
            .where(
                InviteRow.token == token, InviteRow.used_at.is_(None), InviteRow.expires_at > now
            )
            .values(used_at=now),
        )
        invite = uow.session.scalar(select(InviteRow).where(InviteRow.token == token))
        uow.commit()
    if not claimed or invite is None:
        raise NotFound(_l("This invite link was used already or has expired; ask for a new one."))
    by = get_user(app, invite.created_by).display_name if invite.created_by else "an admin"
    inviter = Actor.system(f"invite from {by}").via(Channel.BOT)
    user = add_user(
        app,
        inviter,
        {
            "display_name": invite.display_name,
            "role": invite.role,
            "team": invite.team,
            "telegram_id": telegram_id,
            "language": language,
        },
    )
    with UnitOfWork(app) as uow:
        uow.session.execute(
            update(InviteRow).where(InviteRow.token == token).values(used_by=user.id)
        )
        uow.commit()
    return user
