"""Rapport plugin for a distributor: delivery zones, and no deal won without its amount."""

from collections import Counter
from collections.abc import Callable

from rapport import hookimpl
from rapport.api import (
    CommandReply,
    CommandRequest,
    CommandSpec,
    FieldSpec,
    FieldType,
    ProposedChange,
    list_customers,
)

__version__ = "1.0.0"
ZONES = ("center", "north", "south", "east", "west")


@hookimpl
def register_fields(register: Callable[[FieldSpec], None]) -> None:
    # Declared once: validated on every save, asked in the bot, a column in the sheet.
    register(
        FieldSpec(
            entity="customer",
            name="delivery_zone",
            type=FieldType.CHOICE,
            label="Delivery zone",
            labels={"ru": "Зона доставки", "uk": "Зона доставки"},
            choices=ZONES,
        )
    )


@hookimpl
def validate_change(change: ProposedChange) -> str | None:
    # Runs before every write, from any channel; a returned reason refuses the change.
    won = change.entity == "deal" and change.after.get("status") == "won"
    if won and not change.after.get("amount"):
        return "say how much was sold before the deal is won"
    return None


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    register(
        CommandSpec(
            name="zones",
            description="How many of my customers are in each delivery zone",
            descriptions={"ru": "Мои клиенты по зонам доставки", "uk": "Мої клієнти за зонами"},
            handler=customers_by_zone,
        )
    )


def customers_by_zone(request: CommandRequest) -> CommandReply:
    customers = list_customers(request.app, request.actor, limit=10_000)
    counts = Counter(c.fields.get("delivery_zone") or "not set" for c in customers)
    lines = [f"{zone}: {count}" for zone, count in counts.most_common()]
    return CommandReply("\n".join(lines) or "No customers yet.")
