"""``rapport sync``: one sync cycle with the managers' spreadsheet, now."""

from __future__ import annotations

import click

from rapport.adapters.sheets.hooks import describe, sync_once, texts, where
from rapport.core.cli import cli_words, friendly_errors, open_app


@click.command("sync")
@click.pass_context
@friendly_errors
def sync_command(ctx: click.Context) -> None:
    """Sync with the spreadsheet now (``rapport run`` does it every minute)."""
    with open_app(ctx) as app:
        report = sync_once(app)
        _ = cli_words(texts)
    click.echo(_("Synced {where} as {editor}: {summary}.", where=where(app.settings.sheets, _),
                 editor=report.editor, summary=describe(report, _)))  # fmt: skip
    for line in report.conflicts + report.refused + report.warnings + report.failed:
        click.echo(f"  {line}")
