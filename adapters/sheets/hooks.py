"""The sheets adapter's contract with the core: a sync runner, a command, its table."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from adapters.sheets.engine import Backend, SyncReport, sync
from core import hookimpl
from core.domain.errors import ConfigError
from core.extensions import MigrationSource, RunnerSpec

if TYPE_CHECKING:
    from core.bootstrap import App

log = logging.getLogger(__name__)


def open_backend(app: App) -> Backend:
    settings = app.settings.sheets
    if settings.backend == "xlsx":
        from adapters.sheets.backends.xlsx import XlsxBook

        return XlsxBook(settings.path)
    raise ConfigError(
        f"sheets.backend = {settings.backend!r}: this installation syncs a local workbook "
        '(backend = "xlsx"); Google Sheets support is being added'
    )


def sync_once(app: App) -> SyncReport:
    return sync(app, open_backend(app))


@hookimpl
def register_migrations(register: Callable[[MigrationSource], None]) -> None:
    register(MigrationSource("sheets", Path(__file__).parent / "migrations"))


@hookimpl
def register_runners(register: Callable[[RunnerSpec], None]) -> None:
    register(RunnerSpec("sheets", run))


async def run(app: App) -> None:
    """Sync every ``sheets.interval_seconds`` until ``rapport run`` stops."""
    if app.settings.sheets.backend == "off":
        return
    while True:
        report = await asyncio.to_thread(sync_once, app)
        if report.created or report.updated or report.conflicts or report.refused:
            log.info("sheet sync: %s", describe(report))
        await asyncio.sleep(app.settings.sheets.interval_seconds)


def describe(report: SyncReport) -> str:
    return (f"{report.created} added, {report.updated} updated from the sheet, "
            f"{report.appended} new rows, {report.restored} restored, "
            f"{len(report.conflicts)} conflicts, {len(report.refused)} edits refused")  # fmt: skip


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from adapters.sheets.cli import sync_command

    register(sync_command)
