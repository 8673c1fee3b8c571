"""``rapport customers merge|set|tag|untag|date|interactions``: the chat's upkeep commands
under the names a CLI user looks for, run through the very same command line."""

from __future__ import annotations

import click

from rapport.core.cli import friendly_errors, run_chat_line
from rapport.core.cli_values import RECORD_ID


@click.group("customers")
def customers_command() -> None:
    """Keep customer records right: merge duplicates, set fields, tags, dates."""


@customers_command.command("merge")
@click.argument("keep_id", type=RECORD_ID)
@click.argument("merge_id", type=RECORD_ID)
@click.option("--yes", is_flag=True, help="Merge now (without it, show what would move).")
@click.pass_context
@friendly_errors
def customers_merge(ctx: click.Context, keep_id: int, merge_id: int, yes: bool) -> None:
    """Fold MERGE_ID into KEEP_ID, keeping every interaction, deal and value."""
    run_chat_line(ctx, f"merge {keep_id} {merge_id}{' yes' if yes else ''}")


@customers_command.command("set")
@click.argument("customer_id", type=RECORD_ID)
@click.argument("field")
@click.argument("value", nargs=-1)
@click.pass_context
@friendly_errors
def customers_set(ctx: click.Context, customer_id: int, field: str, value: tuple[str, ...]) -> None:
    """Set FIELD (by its name or label: phone, телефон, Отрасль, consent...) to VALUE."""
    run_chat_line(ctx, f"set {customer_id} {field} {' '.join(value)}")


def _passing(verb: str, about: str) -> click.Command:
    @click.argument("customer_id", type=RECORD_ID)
    @click.argument("words", nargs=-1)
    @click.pass_context
    @friendly_errors
    def command(ctx: click.Context, customer_id: int, words: tuple[str, ...]) -> None:
        run_chat_line(ctx, f"{verb} {customer_id} {' '.join(words)}")

    command.__doc__ = about
    return click.command(verb)(command)


for _verb, _about in (
    ("tag", "Add tags: rapport customers tag 12 vip, dealer"),
    ("untag", "Remove tags: rapport customers untag 12 vip"),
    ("date", "A yearly date: rapport customers date 12 15.06.2019 Anniversary"),
    ("interactions", "The customer's calls, visits and notes, newest first"),
):
    customers_command.add_command(_passing(_verb, _about))
