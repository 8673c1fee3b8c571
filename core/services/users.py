"""Users and roles: who may use Rapport, and as what."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Final, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from rapport.core.db.tables import UserRow
from rapport.core.domain.actor import Actor
from rapport.core.domain.commands import NewUser, parse_command
from rapport.core.domain.enums import Channel, Role
from rapport.core.domain.errors import InvalidInput, NotFound, PermissionDenied, _l
from rapport.core.domain.models import User
from rapport.core.services import changes
from rapport.core.services.access import require_role
from rapport.core.services.uow import UnitOfWork
from rapport.core.settings import Language

LANGUAGES: tuple[str, ...] = get_args(Language)
ENTITY: Final = "user"

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from rapport.core.bootstrap import App


def add_user(app: App, actor: Actor, data: NewUser | dict[str, Any]) -> User:
    """Register a person; only admins add users (and only an admin may create an admin)."""
    command = parse_command(NewUser, data)
    with UnitOfWork(app) as uow:
        if uow.session.scalar(select(func.count()).select_from(UserRow)):
            require_role(actor, Role.ADMIN)
        if command.telegram_id is not None and uow.session.scalar(
            select(UserRow.id).where(UserRow.telegram_id == command.telegram_id)
        ):
            raise InvalidInput.one(
                "telegram_id",
                _l(
                    "{telegram_id} already belongs to another user", telegram_id=command.telegram_id
                ),
            )
        row = UserRow(**command.model_dump(), active=True, created_at=app.clock())
        changes.insert(uow, actor, entity=ENTITY, row=row, values=command.model_dump())
        user = User.model_validate(row)
        uow.commit()
    return user


def list_users(app: App) -> list[User]:
    with UnitOfWork(app, read_only=True) as uow:
        rows = uow.session.scalars(select(UserRow).order_by(UserRow.id))
        return [User.model_validate(row) for row in rows]


def find_user(app: App, key: str | int) -> User:
    """Find a user by id, Telegram id or exact display name (what an admin types in the CLI)."""
    with UnitOfWork(app, read_only=True) as uow:
        text = str(key).strip()
        query = select(UserRow)
        if text.isascii() and text.isdigit():
            number = int(text)
            query = query.where((UserRow.id == number) | (UserRow.telegram_id == number))
            rows = list(uow.session.scalars(query.order_by(UserRow.id)))
        else:
            rows = users_named(uow.session, text)
        if not rows:
            raise NotFound(_l("No user {name}.", name=repr(text)))
        if len(rows) > 1 and not text.isdigit():
            raise InvalidInput.one(
                "user", _l("{name} names several users; use the id", name=repr(text))
            )
        return User.model_validate(rows[0])


def users_named(session: Session, name: str) -> list[UserRow]:
    """The users called ``name`` in any letter case and script. Compared here rather than
    with SQL ``lower()``, which SQLite applies to ASCII letters only ("ольга" would not
    find "Ольга"); a team is small enough to read whole."""
    wanted = name.strip().casefold()
    rows = session.scalars(select(UserRow).order_by(UserRow.id))
    return [row for row in rows if row.display_name.casefold() == wanted]


def set_role(app: App, actor: Actor, user_id: int, role: Role | str) -> User:
    require_role(actor, Role.ADMIN)
    try:
        new_role = Role(role)
    except ValueError:
        raise InvalidInput.one(
            "role",
            _l("{value} is not one of: {choices}", value=repr(role), choices="rep, manager, admin"),
        ) from None
    with UnitOfWork(app) as uow:
        row = uow.session.get(UserRow, user_id)
        if row is None:
            raise NotFound(_l("No user #{id}.", id=user_id))
        if row.role == Role.ADMIN and new_role is not Role.ADMIN and _admins(uow) == 1:
            raise PermissionDenied(_l("This is the last admin; make someone else admin first."))
        _set(uow, actor, row, role=new_role.value)
        user = User.model_validate(row)
        uow.commit()
    return user


def set_active(app: App, actor: Actor, user_id: int, active: bool) -> User:
    """Let someone in again, or shut them out (a rep who left keeps their history)."""
    require_role(actor, Role.ADMIN)
    with UnitOfWork(app) as uow:
        row = uow.session.get(UserRow, user_id)
        if row is None:
            raise NotFound(_l("No user #{id}.", id=user_id))
        if not active and row.role == Role.ADMIN and _admins(uow) == 1:
            raise PermissionDenied(_l("This is the last admin; make someone else admin first."))
        _set(uow, actor, row, active=active)
        user = User.model_validate(row)
        uow.commit()
    return user


def get_user(app: App, user_id: int) -> User:
    with UnitOfWork(app, read_only=True) as uow:
        row = uow.session.get(UserRow, user_id)
        if row is None:
            raise NotFound(_l("No user #{id}.", id=user_id))
        return User.model_validate(row)


def user_by_telegram_id(app: App, telegram_id: int) -> User | None:
    """The registered user behind a Telegram account, active or not; None for a stranger.

    The bot asks this for every update, so the row is read as plain columns: loading an
    ORM object only to copy it into a ``User`` cost twice the query itself.
    """
    query = select(UserRow.__table__).where(UserRow.telegram_id == telegram_id)
    with UnitOfWork(app, read_only=True) as uow:
        found = uow.session.connection().execute(query).mappings().first()
    return User.model_validate(dict(found)) if found is not None else None


_KNOWN_NAMES: weakref.WeakKeyDictionary[App, dict[int, str]] = weakref.WeakKeyDictionary()


class UserNames:
    """Colleagues' display names, as every card and timeline shows them next to what they did.

    A name is written once, when the user is added (no use case renames anyone), so the
    names are kept per application and the users are read again only for an id not seen
    yet: a colleague added since, by this process or any other.
    """

    def __init__(self, app: App, session: Session) -> None:
        self.session = session
        self.names = _KNOWN_NAMES.setdefault(app, {})

    def get(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.names:
            rows = self.session.execute(select(UserRow.id, UserRow.display_name))
            self.names.update({known_id: name for known_id, name in rows})
        return self.names.get(user_id)


def set_preferences(
    app: App, actor: Actor, *, language: str | None = None, timezone: str | None = None
) -> User:
    """A person's own language and time zone (None leaves one as it is), audited."""
    if language is not None and language not in LANGUAGES:
        raise InvalidInput.one(
            "language",
            _l(
                "{value} is not one of: {choices}",
                value=repr(language),
                choices=", ".join(LANGUAGES),
            ),
        )
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput.one(
                "timezone",
                _l("{value} is not a time zone, e.g. Europe/Moscow", value=repr(timezone)),
            ) from None
    with UnitOfWork(app) as uow:
        row = uow.session.get(UserRow, actor.user_id)
        if row is None:
            raise NotFound(_l("Only a registered user has preferences."))
        wanted = {"language": language, "timezone": timezone}
        _set(uow, actor, row, **{key: value for key, value in wanted.items() if value is not None})
        user = User.model_validate(row)
        uow.commit()
    return user


def language_of(app: App, user_id: int | None) -> str:
    """The language a person chose, else the team's."""
    if user_id is None:
        return app.settings.language
    with UnitOfWork(app, read_only=True) as uow:
        chosen = uow.session.scalar(select(UserRow.language).where(UserRow.id == user_id))
    return chosen or app.settings.language


def person_acting(app: App, wanted: str | int | None, channel: Channel) -> Actor:
    """Who acts through a channel nobody logs into (the CLI, the spreadsheet): the user
    ``wanted`` names (a name or an id), else the first active admin; with their rights."""
    if wanted is not None and str(wanted).strip():
        return actor_for(find_user(app, wanted), channel)
    with UnitOfWork(app, read_only=True) as uow:
        admin_id = uow.session.scalar(
            select(UserRow.id)
            .where(UserRow.role == Role.ADMIN.value, UserRow.active)
            .order_by(UserRow.id)
            .limit(1)
        )
    if admin_id is None:
        raise NotFound(_l("There is no admin yet: run `rapport init` first."))
    return actor_for(get_user(app, admin_id), channel)


def actor_for(user: User, channel: Channel) -> Actor:
    if not user.active:
        raise PermissionDenied(_l("{name} is no longer an active user.", name=user.display_name))
    return Actor(
        user_id=user.id,
        role=user.role,
        channel=channel,
        team=user.team,
        display_name=user.display_name,
        language=user.language,
    )


def _set(uow: UnitOfWork, actor: Actor, row: UserRow, **values: Any) -> None:
    """Change some of a user's columns through the one write path."""
    current = User.model_validate(row)

    def apply() -> int:
        for key, value in values.items():
            setattr(row, key, value)
        uow.session.flush()
        return row.id

    before = changes.snapshot(current)
    changes.write(uow, actor, entity=ENTITY, action="update", entity_id=row.id, before=before,
                  after=before | changes.plain(values), apply=apply)  # fmt: skip


def _admins(uow: UnitOfWork) -> int:
    query = select(func.count()).where(UserRow.role == Role.ADMIN.value, UserRow.active)
    return uow.session.scalar(query) or 0
