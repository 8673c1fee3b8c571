"""The closed vocabularies of the core domain.

They are ``StrEnum`` so values stored in the database, written to a sheet or typed in a
chat are the same plain strings.
"""

from enum import StrEnum


class Role(StrEnum):
    """What a user may see: a rep their own records, a manager the team's, an admin all."""

    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class Channel(StrEnum):
    """Through which door a change came in; recorded with every change."""

    BOT = "bot"
    SHEET = "sheet"
    CLI = "cli"
    API = "api"
    SYSTEM = "system"


class CustomerKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class CustomerStatus(StrEnum):
    """Lifecycle of a counterparty, from first sighting to buyer (or lost)."""

    SUSPECT = "suspect"
    PROSPECT = "prospect"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    LOST = "lost"


class InteractionKind(StrEnum):
    CALL = "call"
    VISIT = "visit"
    MEETING = "meeting"
    MESSAGE = "message"
    EMAIL = "email"
    NOTE = "note"
    REQUEST = "request"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class StageOutcome(StrEnum):
    """Whether a pipeline stage keeps a deal open or closes it."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class FieldType(StrEnum):
    """Types a plugin or a user may give a custom field."""

    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    BOOLEAN = "boolean"
