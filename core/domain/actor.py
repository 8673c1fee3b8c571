"""Who is acting, and through which channel: passed to every service call."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from rapport.core.domain.enums import Channel, Role


class Actor(BaseModel):
    """The person (or the system) behind a change, with what their role lets them see.

    ``user_id`` is ``None`` only for the system itself (scheduled jobs, migrations).
    """

    model_config = ConfigDict(frozen=True)

    user_id: int | None
    role: Role
    channel: Channel
    team: str | None = None
    display_name: str = "system"
    language: str | None = None
    """The language replies to this person are written in; ``None``: the team's."""

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """Rapport itself acting for the team: a scheduled job, an automatic rule, an invite
        being claimed. Its rights are an admin's, by design: it must reach every record to
        remind their owners or follow up a deal. It is no user, so it never logs in, and
        ``name`` says in the history which part of Rapport acted ("tasks: reminders")."""
        return cls(user_id=None, role=Role.ADMIN, channel=Channel.SYSTEM, display_name=name)

    def via(self, channel: Channel) -> Actor:
        """The same person acting through another channel."""
        return self.model_copy(update={"channel": channel})
