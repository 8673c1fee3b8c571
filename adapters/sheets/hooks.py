"""The sheets adapter's contract with the core: a sync runner, a command, its table."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rapport import hookimpl
from rapport.adapters.sheets.engine import Backend, SyncReport, sync
from rapport.adapters.sheets.polling import Poller, file_version
from rapport.core.domain.enums import Role
from rapport.core.domain.errors import ConfigError, RapportError
from rapport.core.explain import explain
from rapport.core.extensions import (
    CommandReply,
    CommandRequest,
    CommandSpec,
    MigrationSource,
    RunnerSpec,
)
from rapport.core.i18n import Translator, texts_for

if TYPE_CHECKING:
    import gspread

    from rapport.core.bootstrap import App
    from rapport.core.settings import SheetsSettings

log = logging.getLogger(__name__)
texts = texts_for(__file__)
_l = texts.lazy


def open_backend(app: App, client: gspread.Client | None = None) -> Backend:
    """The configured spreadsheet, opened for one cycle (with ``client``, Google's
    connection kept between cycles)."""
    settings = app.settings.sheets
    if settings.backend == "off":
        raise ConfigError(_l('sheets.backend is "off": set it to "xlsx" or "google" to sync'))
    if settings.backend == "xlsx":
        from rapport.adapters.sheets.backends.xlsx import XlsxBook

        path = settings.path
        if path.is_dir() or path.suffix.casefold() not in (".xlsx", ".xlsm"):
            raise ConfigError(_l("sheets.path: {path} is not an .xlsx file; name one, such as "
                                 "rapport.xlsx", path=str(path)))  # fmt: skip
        if not path.parent.is_dir():
            raise ConfigError(_l("sheets.path: the folder {folder} does not exist",
                                 folder=str(path.parent)))  # fmt: skip
        return XlsxBook(path)
    from rapport.adapters.sheets.backends.google import GoogleBook

    return GoogleBook(client or google_client(settings), str(settings.spreadsheet_id))


def google_client(settings: SheetsSettings) -> gspread.Client:
    """A client signed in as the service account the settings name."""
    if not settings.spreadsheet_id or not settings.credentials_file:
        raise ConfigError(
            _l(
                'sheets.backend = "google" needs sheets.spreadsheet_id and sheets.credentials_file '
                "(a service account's JSON key; share the spreadsheet with that account)"
            )
        )
    import gspread

    if not settings.credentials_file.is_file():
        raise ConfigError(_l("sheets.credentials_file: there is no file {path}; download the "
                             "service account's JSON key and name it here",
                             path=str(settings.credentials_file)))  # fmt: skip
    try:
        return gspread.service_account(filename=str(settings.credentials_file))
    except (ValueError, KeyError) as exc:
        raise ConfigError(_l("sheets.credentials_file: {path} is not a service account key "
                             "({reason})", path=str(settings.credentials_file),
                             reason=str(exc))) from None  # fmt: skip


def poller(app: App) -> Poller:
    """The run loop's poller: one Google client for all its cycles (a new one per cycle
    would fetch a new OAuth token every minute)."""
    settings = app.settings.sheets
    if settings.backend != "google":
        return Poller(app, lambda: file_version(settings.path), lambda: sync_once(app),
                      time.monotonic)  # fmt: skip
    from rapport.adapters.sheets.backends.google import drive_version

    client = google_client(settings)
    key = str(settings.spreadsheet_id)
    return Poller(app, lambda: drive_version(client, key),
                  lambda: sync(app, open_backend(app, client)), time.monotonic)  # fmt: skip


def where(settings: SheetsSettings, _: Translator) -> str:
    """The spreadsheet a sync reports on, named as the person set it up."""
    if settings.backend == "google":
        return _("Google spreadsheet {id}", id=settings.spreadsheet_id)
    return str(settings.path)


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
    said = ""
    polls: Poller | None = None
    while True:
        try:
            polls = polls or poller(app)
            report = await asyncio.to_thread(polls.poll)
        except RapportError as exc:  # no one to edit as yet, a missing credentials file...
            reason = explain(app, exc)
            if reason != said:  # once, not every minute
                log.warning("sheet sync waits: %s", reason)
                said = reason
        else:
            said = ""
            if report and (report.created or report.updated or report.conflicts
                           or report.refused):  # fmt: skip
                log.info("sheet sync: %s", describe(report, texts(app, "en")))
        await asyncio.sleep(app.settings.sheets.interval_seconds)


def describe(report: SyncReport, _: Translator) -> str:
    """What a cycle did, in counts a manager reads at a glance."""
    return _("{created} added, {updated} updated from the sheet, {appended} new rows, "
             "{restored} restored, {archived} archived, {conflicts} conflicts, {refused} edits "
             "refused", created=report.created, updated=report.updated,
             appended=report.appended, restored=report.restored, archived=report.archived,
             conflicts=len(report.conflicts), refused=len(report.refused))  # fmt: skip


@hookimpl
def register_commands(register: Callable[[CommandSpec], None]) -> None:
    register(
        CommandSpec("sync", "Sync with the managers' spreadsheet now", sync_command,
                    roles=frozenset({Role.MANAGER, Role.ADMIN}),
                    descriptions={"ru": "Синхронизировать таблицу руководителей сейчас",
                                  "uk": "Синхронізувати таблицю керівників зараз"})
    )  # fmt: skip


def sync_command(request: CommandRequest) -> CommandReply:
    _ = texts(request.app, request.actor.language)
    report = sync_once(request.app)
    summary = _("Synced: {summary}.", summary=describe(report, _))
    lines = [*report.conflicts[:10], *report.refused[:10], *report.warnings[:10]]
    return CommandReply("\n".join([summary, *lines]))


@hookimpl
def register_cli_commands(register: Callable[[click.Command], None]) -> None:
    from rapport.adapters.sheets.cli import sync_command

    register(sync_command)
