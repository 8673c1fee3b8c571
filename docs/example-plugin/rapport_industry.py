"""Rapport plugin: customers by industry, and no deal lost without a reason."""

from collections import Counter
from collections.abc import Callable

from rapport import hookimpl
from rapport.core.domain.enums import FieldType
from rapport.core.domain.fields import FieldSpec
from rapport.core.extensions import CommandReply, CommandRequest, CommandSpec, ProposedChange
from rapport.core.services.customers import list_customers

__version__ = "1.0.0"
INDUSTRIES = ("retail", "manufacturing", "services", "healthcare")


@hookimpl
def register_fields(register: Callable[[FieldSpec], None]) -> None:
    # Declared once: validated on every save, asked in the bot, a column in the sheet.
    register(
        FieldSpec(
            entity="customer",
            name="industry",
            type=FieldType.CHOICE,
            label="Industry",
            labels={"ru": "Отрасль", "uk": "Галузь"},
            choices=INDUSTRIES,
        )
    )


@hookimpl
def validate_change(change: ProposedChange) -> str | None:
    # Runs before every write, from any channel; a returned reason refuses the change.
    lost = change.entity == "deal" and change.after.get("status") == "lost"
    if lost and not change.after.get("lost_reason"):
        return "say why the deal was lost"
    return None


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    register(
        CommandSpec(
            name="industries",
            description="How many of my customers are in each industry",
            handler=customers_by_industry,
        )
    )


def customers_by_industry(request: CommandRequest) -> CommandReply:
    customers = list_customers(request.app, request.actor, limit=10_000)
    counts = Counter(c.fields.get("industry", "not set") for c in customers)
    lines = [f"{industry}: {count}" for industry, count in counts.most_common()]
    return CommandReply("\n".join(lines) or "No customers yet.")
