"""``rapport import``, ``export``, ``search`` and ``segments``: the contacts plugin's CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from rapport.core.cli import cli_actor, cli_words, friendly_errors, open_app
from rapport.core.i18n import Translator, texts_for
from rapport.core.services.users import find_user
from rapport.plugins.contacts.exporting import export_customers
from rapport.plugins.contacts.importing import IGNORE, plan_import, preview, run_import
from rapport.plugins.contacts.search import search_customers
from rapport.plugins.contacts.segments import (
    delete_segment,
    list_segments,
    save_segment,
    segment_members,
)
from rapport.plugins.contacts.tabular import read_source

SHOWN_PROBLEMS = 30
texts = texts_for(__file__)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="COLUMN=FIELD",
    help=f"Read COLUMN into FIELD (or '{IGNORE}' to skip it); repeat for more columns.",
)
@click.option("--encoding", default=None, help="The file's encoding, if not UTF-8 or Windows-1251.")
@click.option("--allow-duplicates", is_flag=True, help="Import rows that repeat a stored customer.")
@click.option("--preview", "preview_only", is_flag=True, help="Show the mapping and stop.")
@click.option("--owner", default=None, help="Who owns rows without an Owner column (name or id).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every refused or skipped row, with its line and reason, to this CSV.",
)
@click.pass_context
@friendly_errors
def import_command(
    ctx: click.Context,
    path: Path,
    mappings: tuple[str, ...],
    encoding: str | None,
    allow_duplicates: bool,
    owner: str | None,
    preview_only: bool,
    yes: bool,
    report: Path | None,
) -> None:
    """Import customers from a CSV (any Excel export) or a vCard file."""
    _ = cli_words(texts)
    overrides = {}
    for mapping in mappings:
        column, sep, target = mapping.partition("=")
        if not sep:
            # click's own "Invalid value for '--map'" would be English
            raise click.ClickException(
                _("--map {mapping}: write COLUMN=FIELD", mapping=repr(mapping))
            )
        overrides[column.strip()] = target.strip()
    table = read_source(path.read_bytes(), path.name, encoding)
    with open_app(ctx) as app:
        actor = cli_actor(app)
        _ = cli_words(texts)  # now in the acting person's language
        plan = plan_import(app, table, overrides)
        shape = dict(name=path.name, rows=len(table.rows), encoding=table.encoding)
        click.echo(
            _(
                "{name}: {rows} rows, {encoding}, columns separated by {delimiter}",
                **shape,
                delimiter=repr(table.delimiter),
            )
            if table.delimiter
            else _("{name}: {rows} rows, {encoding}", **shape)
        )
        for header, target in plan.mapping.items():  # field keys, as --map takes them
            click.echo(f"  {header:<28} -> {target}")
        skipped = _("(not imported)")
        for header in plan.unmapped:
            click.echo(f"  {header:<28} -> {skipped}")
        for line, values in preview(app, plan):
            click.echo("  " + _("line {line}: {values}", line=line, values=values))
        unreadable = [
            (row.line, "cannot be read", row.problem) for row in table.rows if row.problem
        ]
        _show(_, unreadable + [(line, "note", note) for line, note in table.notes], report)
        if preview_only:
            return
        if not yes and not _confirmed(_, len(table.rows) - len(unreadable), len(table.rows)):
            click.echo(_("Nothing was imported."))
            ctx.exit(1)
        with click.progressbar(length=len(table.rows), label=_("Importing")) as bar:
            done = [0]

            def advance(count: int) -> None:
                bar.update(count - done[0])
                done[0] = count

            result = run_import(
                app,
                actor,
                plan,
                allow_duplicates=allow_duplicates,
                owner_id=find_user(app, owner).id if owner else None,
                on_progress=advance,
            )
    counts = dict(
        created=result.created,
        rows=result.rows,
        seconds=f"{result.seconds:.1f}",
        organisations=result.organisations_created,
        duplicates=len(result.duplicates),
        refused=len(result.failed),
    )
    guessed = len({line for line, _note in result.notes})
    click.echo(
        _(
            "Imported {created} of {rows} rows in {seconds} s ({organisations} organisations "
            "created); {duplicates} duplicates skipped, {refused} rows refused; {guessed} rows "
            "stored from a guess, check them.",
            **counts,
            guessed=guessed,
        )
        if guessed
        else _(
            "Imported {created} of {rows} rows in {seconds} s ({organisations} organisations "
            "created); {duplicates} duplicates skipped, {refused} rows refused.",
            **counts,
        )
    )
    if result.stopped:
        line, why = result.stopped
        click.echo(
            _(
                "Stopped at line {line}: {why}. Nothing from line {line} on was stored.",
                line=line,
                why=why,
            )
        )
    problems = [(line, "duplicate", why) for line, why in result.duplicates]
    problems += [(line, "refused", why) for line, why in result.failed]
    problems += [(line, "note", why) for line, why in result.notes]
    problems.sort()
    _show(_, problems, report)
    if report:
        with report.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(["line", "outcome", "reason"])
            writer.writerows(problems)
    if result.stopped:
        ctx.exit(1)


def _confirmed(_: Translator, readable: int, rows: int) -> bool:
    """Ask before anything is stored; a script without a person to answer is told to say
    --yes, instead of click's bare "Aborted!"."""
    question = (
        _("Import {rows} rows?", rows=rows)
        if readable == rows
        else _("Import the {readable} readable rows of {rows}?", readable=readable, rows=rows)
    )
    try:
        return click.confirm(question)
    except click.Abort:
        click.echo()  # the question's line stays unfinished otherwise
        raise click.ClickException(
            _("Nothing was imported: answer at a terminal, or pass --yes.")
        ) from None


def _show(_: Translator, problems: list[tuple[int, str, str]], report: Path | None) -> None:
    """The first problems by line; the rest are counted (all of them go to ``--report``,
    whose outcome column keeps the English word a script reads)."""
    for line, kind, why in sorted(problems)[:SHOWN_PROBLEMS]:
        click.echo(
            "  " + _("line {line}: {kind}: {why}", line=line, kind=_outcome(_, kind), why=why)
        )
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        click.echo(
            "  "
            + (
                _("... and {count} more", count=more)
                if report
                else _("... and {count} more (use --report FILE to get them all)", count=more)
            )
        )


def _outcome(_: Translator, kind: str) -> str:
    """What became of a row, in the reader's words."""
    words = {
        "cannot be read": _("cannot be read"),
        "note": _("note"),
        "duplicate": _("duplicate"),
        "refused": _("refused"),
    }
    return words.get(kind, kind)


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--segment", default=None, help="A saved segment's name, or a filter expression.")
@click.option("--delimiter", default=";", show_default=True, help="Column separator.")
@click.pass_context
@friendly_errors
def export_command(ctx: click.Context, path: Path, segment: str | None, delimiter: str) -> None:
    """Export customers (all, or a segment) as CSV that Excel opens as it is."""
    with open_app(ctx) as app, path.open("w", newline="", encoding="utf-8-sig") as out:
        count = export_customers(app, cli_actor(app), out, segment=segment, delimiter=delimiter)
    _ = cli_words(texts)
    click.echo(_("Exported {count} customers to {path}.", count=count, path=path))


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.pass_context
@friendly_errors
def search_command(ctx: click.Context, query: tuple[str, ...]) -> None:
    """Find customers by name (any spelling or script), phone digits or e-mail."""
    with open_app(ctx) as app:
        hits = search_customers(app, cli_actor(app), " ".join(query))
    if not hits:
        _ = cli_words(texts)
        click.echo(_("Nothing found."))
    for hit in hits:
        customer, phones = hit.customer, ", ".join(hit.customer.phones)
        match = f"{hit.matched} {hit.score:.0f}"
        click.echo(f"#{customer.id:<6} {customer.name:<40} {phones}  ({match})")


@click.group("segments")
def segments_command() -> None:
    """Saved filters over customers, e.g. "turnover > 1 000 000 and region = North"."""


@segments_command.command("add")
@click.argument("name")
@click.argument("expression")
@click.pass_context
@friendly_errors
def segments_add(ctx: click.Context, name: str, expression: str) -> None:
    """Save a segment (or change the expression of an existing one)."""
    with open_app(ctx) as app:
        segment = save_segment(app, cli_actor(app), name, expression)
        total, _members = segment_members(app, cli_actor(app), segment.name, limit=0)
    _ = cli_words(texts)
    click.echo(
        _("Segment {name} saved: {total} customers today.", name=repr(segment.name), total=total)
    )


@segments_command.command("list")
@click.pass_context
@friendly_errors
def segments_list(ctx: click.Context) -> None:
    """List saved segments with their size."""
    with open_app(ctx) as app:
        actor = cli_actor(app)
        rows = [(s, segment_members(app, actor, s.name, limit=0)[0]) for s in list_segments(app)]
    if not rows:
        _ = cli_words(texts)
        click.echo(_("No segments yet."))
    for segment, total in rows:
        click.echo(f"{segment.name:<30} {total:>7}  {segment.expression}")


@segments_command.command("show")
@click.argument("segment")
@click.option("--limit", default=20, show_default=True)
@click.pass_context
@friendly_errors
def segments_show(ctx: click.Context, segment: str, limit: int) -> None:
    """List the customers in a segment (a saved name, or an expression)."""
    with open_app(ctx) as app:
        total, customers = segment_members(app, cli_actor(app), segment, limit=limit)
    _ = cli_words(texts)
    click.echo(_("{total} customers", total=total))
    for customer in customers:
        click.echo(f"#{customer.id:<6} {customer.name}")


@segments_command.command("delete")
@click.argument("name")
@click.pass_context
@friendly_errors
def segments_delete(ctx: click.Context, name: str) -> None:
    """Delete a saved segment (the customers stay)."""
    with open_app(ctx) as app:
        delete_segment(app, cli_actor(app), name)
    _ = cli_words(texts)
    click.echo(_("Segment {name} deleted.", name=repr(name)))


commands = [import_command, export_command, search_command, segments_command]
