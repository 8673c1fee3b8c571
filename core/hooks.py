"""The only way the core calls plugins: one typed method per hook.

Three rules are decided here, once:

* **Isolation.** Each implementation is called on its own. An exception is logged with
  the plugin's name, recorded in :attr:`Hooks.failures`, and the other implementations
  still run; the caller's change is never undone by a plugin failing after it.
* **Awaiting.** pluggy is synchronous. ``startup`` and ``shutdown`` are awaited by
  :meth:`App.start` / :meth:`App.stop`. Awaitables returned by ``after_*`` hooks are
  scheduled on the loop bound with :meth:`bind_loop` (the one ``rapport run`` serves
  on), from whatever thread the service ran in; with no bound loop (a one-shot CLI
  command) they run to completion before the call returns. Every other hook must
  answer synchronously; an awaitable there is a reported failure.
* **Order.** Implementations run in pluggy's order: last registered first, with
  ``tryfirst``/``trylast`` respected, so built-in fallbacks mark themselves ``trylast``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import dataclasses
import functools
import inspect
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click
import pluggy
from pydantic import BaseModel

from rapport.core.domain.actor import Actor
from rapport.core.domain.errors import ConfigError, PluginFailed, RapportError, Text, _l
from rapport.core.domain.fields import FieldSpec
from rapport.core.domain.models import Customer, Deal, Interaction, Stage
from rapport.core.extensions import (
    CardSection,
    Classifier,
    CommandSpec,
    Hold,
    JobSpec,
    MigrationSource,
    Notification,
    ProposedChange,
    ReportSpec,
    RunnerSpec,
    SheetColumn,
    Term,
    TimelineEntry,
)
from rapport.core.markers import FAIL_CLOSED
from rapport.core.plugins import PluginManager
from rapport.core.settings import Settings

if TYPE_CHECKING:
    from rapport.core.bootstrap import App

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    hook: str
    error: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _Implementation:
    """One plugin's implementation of a hook, in calling order, with what it takes."""

    plugin: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]


class Hooks:
    """Typed, isolated access to ``pm.hook``."""

    def __init__(self, manager: PluginManager) -> None:
        self.manager = manager
        self._implementations: dict[str, tuple[_Implementation, ...]] = {}
        self._generation = manager.generation
        self.failures: deque[PluginFailure] = deque(maxlen=200)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[concurrent.futures.Future[Any] | asyncio.Future[Any]] = set()
        self._lock = threading.Lock()
        self._reported: set[tuple[str, str, str]] = set()
        self._local = threading.local()
        self._runners: list[asyncio.Runner] = []
        self._closing: list[tuple[str, Callable[[], None]]] = []

    # --- machinery -------------------------------------------------------------------

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Run async ``after_*`` implementations on ``loop`` from now on (``None`` unbinds)."""
        self._loop = loop

    def _implementations_of(self, hook: str) -> tuple[_Implementation, ...]:
        """``hook``'s implementations in calling order, built once per set of plugins: the
        manager's :attr:`~rapport.core.plugins.PluginManager.generation` says when to rebuild."""
        if self._generation != self.manager.generation:
            self._implementations = {}
            self._generation = self.manager.generation
        found = self._implementations.get(hook)
        if found is None:
            caller: pluggy.HookCaller = getattr(self.manager.hook, hook)
            found = tuple(
                _Implementation(impl.plugin_name, impl.function, tuple(impl.argnames))
                for impl in reversed(caller.get_hookimpls())
            )
            self._implementations[hook] = found
        return found

    def _results(
        self,
        hook: str,
        on_failure: Callable[[_Implementation], None] | None = None,
        only: str | None = None,
        **kwargs: Any,
    ) -> Iterator[tuple[str, Any]]:
        """Call each implementation (of plugin ``only``, if given) on its own; yield
        ``(plugin name, result)`` for each success."""
        for impl in self._implementations_of(hook):
            if only is not None and impl.plugin != only:
                continue
            try:
                # Positionally, as pluggy does: cheaper than a keyword dict per implementation.
                result = impl.function(*[kwargs[name] for name in impl.argnames])
            except Exception as exc:
                self._record(impl.plugin, hook, exc)
                if on_failure is not None:
                    on_failure(impl)
                continue
            yield impl.plugin, result

    def call(self, plugin: str, where: str, function: Callable[..., T], *args: Any) -> T:
        """Call something a plugin registered (a report, a column, a command's handler).

        A :class:`RapportError` is the plugin talking to the person (bad input, no
        right) and passes through; any other exception is recorded against the plugin
        and becomes :class:`PluginFailed`, which callers show as one line and go on.
        """
        try:
            return function(*args)
        except RapportError:
            raise
        except Exception as exc:
            self._record(plugin, where, exc)
            raise PluginFailed(plugin, where) from exc

    async def call_async(
        self, plugin: str, where: str, function: Callable[..., Any], *args: Any
    ) -> Any:
        """:meth:`call` from the event loop: a coroutine function is awaited, a plain one
        runs in a worker thread (it may use the database), and an awaitable result is awaited.
        """
        try:
            if inspect.iscoroutinefunction(function):
                return await function(*args)
            result = await asyncio.to_thread(function, *args)
            return await result if inspect.isawaitable(result) else result
        except RapportError:
            raise
        except Exception as exc:
            self._record(plugin, where, exc)
            raise PluginFailed(plugin, where) from exc

    def report_failure(self, plugin: str, where: str, exc: BaseException) -> None:
        """Log and keep a plugin's failure outside a hook call (a scheduled job, a runner)."""
        self._record(plugin, where, exc)

    def _record(self, plugin: str, hook: str, exc: BaseException) -> None:
        """Keep the failure and log it once as one line naming the plugin (a broken column
        synced every minute must not fill the log); the traceback, for the plugin's author,
        at the ``debug`` log level."""
        error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            first = (plugin, hook, error) not in self._reported
            self._reported.add((plugin, hook, error))
        if first:
            log.error("plugin %s failed in %s: %s", plugin, hook, error)
        log.debug("plugin %s failed in %s", plugin, hook, exc_info=exc)
        self.failures.append(PluginFailure(plugin, hook, error, datetime.now(UTC)))

    def _sync_results(
        self,
        hook: str,
        on_failure: Callable[[_Implementation], None] | None = None,
        only: str | None = None,
        **kwargs: Any,
    ) -> Iterator[tuple[str, Any]]:
        for plugin, result in self._results(hook, on_failure, only, **kwargs):
            if inspect.isawaitable(result):
                _close(result)
                self._record(plugin, hook, TypeError(f"{hook} must answer synchronously"))
                continue
            yield plugin, result

    def _collect(self, hook: str, kind: type[T], *, stamp: bool = True, **context: Any) -> list[T]:
        """Run a ``register_*`` hook; check each registered item's type and stamp its owner."""
        collected: list[T] = []
        for impl in self._implementations_of(hook):
            owner = impl.plugin
            found: list[T] = []

            def register(item: T, owner: str = owner, found: list[T] = found) -> None:
                if not isinstance(item, kind):
                    raise TypeError(f"register() takes a {kind.__name__}, got {item!r}")
                found.append(_with_owner(item, owner) if stamp else item)

            try:
                arguments = {"register": register, **context}
                result = impl.function(*[arguments[name] for name in impl.argnames])
                if inspect.isawaitable(result):
                    _close(result)
                    raise TypeError(f"{hook} must be a plain function, not async")
            except ConfigError:
                raise  # the user's settings are wrong, not the plugin: stop and say which
            except Exception as exc:
                self._record(owner, hook, exc)
                continue
            collected.extend(found)
        return collected

    def _notify(self, hook: str, **kwargs: Any) -> None:
        self._spawn(
            *(
                _guarded(result, functools.partial(self._record, plugin, hook))
                for plugin, result in self._results(hook, **kwargs)
                if result is not None and inspect.isawaitable(result)
            )
        )

    def _spawn(self, *awaitables: Awaitable[Any]) -> None:
        """Run ``awaitables`` on the bound loop, each on its own; with none bound, to the end
        one after another in a single run of this thread's loop (a run per implementation
        cost more than what most of them do)."""
        if not awaitables:
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            # In the caller's context as it is now, as asyncio.run would: a runner reuses
            # the one it first ran in otherwise (with whatever unit of work was open then).
            self._runner().run(_in_turn(awaitables), context=contextvars.copy_context())
            return
        for awaitable in awaitables:
            future = asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), loop)
            with self._lock:
                self._pending.add(future)
            future.add_done_callback(self._forget)

    def _runner(self) -> asyncio.Runner:
        """This thread's event loop for async work with no serving loop bound, kept between
        calls: a new loop (and a new worker thread for its ``to_thread``) per hook call
        cost a service call more than its transaction."""
        runner: asyncio.Runner | None = getattr(self._local, "runner", None)
        if runner is None:
            runner = self._local.runner = asyncio.Runner()
            with self._lock:
                self._runners.append(runner)
        return runner

    def on_close(self, plugin: str, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the app closes, before its loops and engine go: a plugin's
        background work finishes what it queued, as a one-shot command expects."""
        with self._lock:
            self._closing.append((plugin, callback))

    def close(self) -> None:
        """Finish the plugins' background work, then close the loops :meth:`_runner` kept
        (called when the app closes)."""
        with self._lock:
            closing, self._closing = self._closing, []
        for plugin, callback in closing:
            try:
                callback()
            except Exception as exc:  # the app closes all the same
                self._record(plugin, "close", exc)
        with self._lock:
            runners, self._runners = self._runners, []
        for runner in runners:
            runner.close()

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    async def drain(self) -> None:
        """Wait for async ``after_*`` work still running (called when the app stops)."""
        with self._lock:
            pending = list(self._pending)
        if pending:
            await asyncio.gather(*(asyncio.wrap_future(f) for f in pending))

    async def _await_all(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        answers = []
        for plugin, result in self._results(hook, **kwargs):
            if inspect.isawaitable(result):
                try:
                    result = await result
                except Exception as exc:
                    self._record(plugin, hook, exc)
                    continue
            answers.append((plugin, result))
        return answers

    # --- lifecycle -------------------------------------------------------------------

    async def startup(self, app: App) -> None:
        await self._await_all("startup", app=app)

    async def shutdown(self, app: App) -> None:
        await self._await_all("shutdown", app=app)

    def load_demo(self, app: App, admin: Actor) -> None:
        self._notify("load_demo", app=app, admin=admin)

    # --- registration ----------------------------------------------------------------

    def register_migrations(self) -> list[MigrationSource]:
        return self._collect("register_migrations", MigrationSource, stamp=False)

    def register_fields(self, settings: Settings) -> list[FieldSpec]:
        return self._collect("register_fields", FieldSpec, settings=settings)

    def register_terms(self, settings: Settings) -> list[Term]:
        return self._collect("register_terms", Term, settings=settings)

    def register_commands(self) -> list[CommandSpec]:
        return self._collect("register_commands", CommandSpec)

    def register_sheet_columns(self) -> list[SheetColumn]:
        return self._collect("register_sheet_columns", SheetColumn)

    def register_jobs(self) -> list[JobSpec]:
        return self._collect("register_jobs", JobSpec)

    def register_reports(self) -> list[ReportSpec]:
        return self._collect("register_reports", ReportSpec)

    def register_cli_commands(self) -> list[click.Command]:
        return self._collect("register_cli_commands", click.Command, stamp=False)

    def register_classifiers(self, settings: Settings) -> list[Classifier]:
        return self._collect("register_classifiers", Classifier, settings=settings)

    def register_runners(self) -> list[RunnerSpec]:
        return self._collect("register_runners", RunnerSpec)

    # --- validation ------------------------------------------------------------------

    def validate_change(self, app: App, change: ProposedChange) -> list[Text | Hold]:
        """Every reason given to refuse ``change`` (each followed by the plugin's name) and
        every hold on it (with the plugin that asked for it).

        A rule that raises lets the change through, unless it is marked
        :func:`~rapport.core.markers.fail_closed`: then its failure is a refusal.
        """
        reasons: list[Text | Hold] = []

        def undecided(impl: _Implementation) -> None:
            if getattr(impl.function, FAIL_CLOSED, False):
                reasons.append(_l("this rule could not be checked, so nothing was saved "
                                  "({plugin})", plugin=impl.plugin))  # fmt: skip

        for plugin, reason in self._sync_results(
            "validate_change", undecided, app=app, change=change
        ):
            if isinstance(reason, Hold):
                reasons.append(dataclasses.replace(reason, owner=plugin))
            elif reason:
                reasons.append(_l("{reason} ({plugin})", reason=reason, plugin=plugin))
        return reasons

    def after_change_held(self, app: App, change: ProposedChange, hold: Hold) -> None:
        """Hand a held change to the plugin that holds it (``hold.owner``), and to it alone."""
        for _plugin, _answer in self._sync_results(
            "after_change_held", None, hold.owner, app=app, change=change, hold=hold
        ):
            pass

    # --- events ----------------------------------------------------------------------

    def after_customer_created(self, app: App, customer: Customer, actor: Actor) -> None:
        self._notify("after_customer_created", app=app, customer=customer, actor=actor)

    def after_customer_updated(
        self, app: App, customer: Customer, changes: Mapping[str, tuple[Any, Any]], actor: Actor
    ) -> None:
        self._notify(
            "after_customer_updated", app=app, customer=customer, changes=changes, actor=actor
        )

    def after_customers_merged(
        self, app: App, kept: Customer, merged: Customer, actor: Actor
    ) -> None:
        self._notify("after_customers_merged", app=app, kept=kept, merged=merged, actor=actor)

    def after_interaction_logged(self, app: App, interaction: Interaction, actor: Actor) -> None:
        self._notify("after_interaction_logged", app=app, interaction=interaction, actor=actor)

    def after_deal_created(self, app: App, deal: Deal, actor: Actor) -> None:
        self._notify("after_deal_created", app=app, deal=deal, actor=actor)

    def after_deal_updated(
        self, app: App, deal: Deal, changes: Mapping[str, tuple[Any, Any]], actor: Actor
    ) -> None:
        self._notify("after_deal_updated", app=app, deal=deal, changes=changes, actor=actor)

    def after_deal_stage_changed(
        self, app: App, deal: Deal, from_stage: Stage, to_stage: Stage, actor: Actor
    ) -> None:
        self._notify(
            "after_deal_stage_changed",
            app=app,
            deal=deal,
            from_stage=from_stage,
            to_stage=to_stage,
            actor=actor,
        )

    def after_deal_won(self, app: App, deal: Deal, first_for_customer: bool, actor: Actor) -> None:
        self._notify(
            "after_deal_won", app=app, deal=deal, first_for_customer=first_for_customer, actor=actor
        )

    def after_deal_lost(self, app: App, deal: Deal, reason: str | None, actor: Actor) -> None:
        self._notify("after_deal_lost", app=app, deal=deal, reason=reason, actor=actor)

    def after_task_due(self, app: App, task: Mapping[str, Any], late: bool) -> None:
        self._notify("after_task_due", app=app, task=task, late=late)

    # --- presentation and delivery ---------------------------------------------------

    def customer_metrics(self, app: App, customer_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Every plugin's figures, merged per customer."""
        merged: dict[int, dict[str, Any]] = {customer_id: {} for customer_id in customer_ids}
        for _plugin, answer in self._sync_results(
            "customer_metrics", app=app, customer_ids=customer_ids
        ):
            for customer_id, metrics in (answer or {}).items():
                merged.setdefault(customer_id, {}).update(metrics)
        return merged

    def customer_card_sections(
        self, app: App, customer: Customer, actor: Actor
    ) -> list[CardSection]:
        sections: list[CardSection] = []
        for plugin, answer in self._sync_results(
            "customer_card_sections", app=app, customer=customer, actor=actor
        ):
            items = answer if isinstance(answer, list) else [answer] if answer else []
            for item in items:
                if isinstance(item, CardSection):
                    sections.append(item)
                else:
                    self._record(plugin, "customer_card_sections", TypeError(f"got {item!r}"))
        return sorted(sections, key=lambda section: section.order)

    def customer_timeline(self, app: App, customer: Customer, actor: Actor) -> list[TimelineEntry]:
        entries: list[TimelineEntry] = []
        for plugin, answer in self._sync_results(
            "customer_timeline", app=app, customer=customer, actor=actor
        ):
            for item in answer or []:
                if isinstance(item, TimelineEntry):
                    entries.append(item)
                else:
                    self._record(plugin, "customer_timeline", TypeError(f"got {item!r}"))
        return entries

    def send_notification(self, app: App, notification: Notification) -> None:
        """Deliver ``notification`` from synchronous code (a service), without waiting for it:
        on the serving loop when there is one, at once otherwise.
        """
        self._spawn(self.deliver_notification(app, notification))

    async def deliver_notification(self, app: App, notification: Notification) -> bool:
        """Offer ``notification`` to every adapter; true when at least one delivered it."""
        answers = await self._await_all("deliver_notification", app=app, notification=notification)
        return any(answer is True for _, answer in answers)


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def _in_turn(awaitables: Sequence[Awaitable[Any]]) -> None:
    for awaitable in awaitables:
        await awaitable


async def _guarded(awaitable: Awaitable[Any], on_error: Callable[[Exception], None]) -> None:
    try:
        await awaitable
    except Exception as exc:
        on_error(exc)


def _close(awaitable: object) -> None:
    """Close an un-awaited coroutine so Python does not warn about it."""
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()


def _with_owner(item: T, owner: str) -> T:
    """``item`` stamped with the plugin that registered it, unless it names an owner itself."""
    if getattr(item, "owner", None) != "":
        return item
    if isinstance(item, BaseModel):
        return item.model_copy(update={"owner": owner})
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.replace(item, owner=owner)
    raise TypeError(f"cannot record the owner of {item!r}")
