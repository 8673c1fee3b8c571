"""Builds the plugin manager: built-in plugins, then third-party entry points.

Built-in plugins are listed here by module name and registered exactly like a
third-party plugin, with the same marker and no private access. Each entry point is
loaded on its own, so a broken package is reported and skipped, never fatal. Every
plugin is checked against the hook contract as it is registered (unknown hook names,
default values, async where only sync is allowed), so a misspelled hook fails loudly.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, PackageNotFoundError, entry_points, version
from types import ModuleType
from typing import Any

import pluggy

from rapport.core import hookspecs
from rapport.core.domain.errors import PluginLoadError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "rapport.plugins"
BUILTIN_PLUGINS: tuple[str, ...] = (
    "rapport.plugins.contacts.hooks",
    "rapport.plugins.sales.hooks",
    "rapport.plugins.tasks.hooks",
    "rapport.plugins.loyalty.hooks",
    "rapport.adapters.sheets.hooks",
    "rapport.adapters.telegram.hooks",
)
"""The modules holding the hooks of the plugins shipped with Rapport, registered before any
third-party one. Each is named after its package (``rapport.plugins.sales.hooks`` is the
plugin ``sales``): :func:`plugin_name`."""

ASYNC_ALLOWED = frozenset(
    {"startup", "shutdown", "deliver_notification"}
    | {name for name in dir(hookspecs) if name.startswith("after_")}
)


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, counting the changes to its set of implementations.

    :class:`~rapport.core.hooks.Hooks` keeps each hook's implementation list between calls
    (rebuilding it on every call cost more than the calls themselves) and rebuilds it when
    :attr:`generation` moves, so registering or unregistering a plugin takes effect at once.
    """

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self.generation = 0

    def register(self, plugin: object, name: str | None = None) -> str | None:
        try:
            return super().register(plugin, name)
        finally:
            self.generation += 1

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any | None:
        try:
            return super().unregister(plugin, name)
        finally:
            self.generation += 1

    def add_hookspecs(self, module_or_class: ModuleType | type) -> None:
        try:
            super().add_hookspecs(module_or_class)
        finally:
            self.generation += 1


@dataclass(frozen=True)
class PluginInfo:
    """What ``rapport plugins`` shows for one plugin."""

    name: str
    version: str
    source: str
    status: str
    hooks: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class PluginSet:
    manager: PluginManager
    infos: list[PluginInfo] = field(default_factory=list)
    dormant: dict[str, object] = field(default_factory=dict)
    """Disabled plugins that could be imported, by name: not registered, but their
    migrations stay known, so disabling a plugin never makes an upgraded database look
    foreign."""

    def dormant_manager(self) -> PluginManager:
        """A manager holding only the disabled plugins, to ask for their migrations."""
        manager = PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        for name, plugin in self.dormant.items():
            manager.register(plugin, name=name)
        return manager

    @property
    def failed(self) -> list[PluginInfo]:
        return [info for info in self.infos if info.status == "failed"]


def make_plugin_manager(
    disabled: Iterable[str] = (),
    builtins: Sequence[str] = BUILTIN_PLUGINS,
    extra: Sequence[tuple[str, object]] = (),
    load_entry_points: bool = True,
) -> PluginSet:
    """Create a fresh plugin manager; nothing is kept at module level, so tests never leak.

    ``extra`` registers ready plugin objects (used by tests and by embedding code) after
    the built-ins and before entry points.
    """
    manager = PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    plugins = PluginSet(manager)
    blocked = set(disabled)
    own_version = _distribution_version("rapport-crm")

    for module_name in builtins:
        name = plugin_name(module_name)
        module = importlib.import_module(module_name)
        if name in blocked:
            plugins.infos.append(PluginInfo(name, own_version, "built-in", "disabled"))
            plugins.dormant[name] = module
            continue
        plugins.infos.append(_register(manager, name, module, own_version, "built-in", fatal=True))

    for name, plugin in extra:
        if name in blocked:
            plugins.infos.append(PluginInfo(name, "", "registered", "disabled"))
            continue
        plugins.infos.append(_register(manager, name, plugin, "", "registered", fatal=False))

    if load_entry_points:
        builtin_modules = {plugin_name(module_name): module_name for module_name in builtins}
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            if builtin_modules.get(entry_point.name) == entry_point.value:
                continue  # a built-in also published as an entry point: handled above
            info = _load_entry_point(manager, entry_point, blocked)
            plugins.infos.append(info)
            if info.status == "disabled":
                try:
                    plugins.dormant[entry_point.name] = entry_point.load()
                except Exception:  # a disabled package may be broken too: it stays off
                    log.warning("disabled plugin %s cannot be imported", entry_point.name)

    manager.check_pending()
    return plugins


def plugin_name(module_name: str) -> str:
    """``rapport.plugins.sales.hooks`` → ``sales``; ``tests.plugin_modules.inbox`` → ``inbox``."""
    parts = module_name.split(".")
    return parts[-2] if parts[-1] == "hooks" and len(parts) > 1 else parts[-1]


def _load_entry_point(
    manager: pluggy.PluginManager, entry_point: EntryPoint, blocked: set[str]
) -> PluginInfo:
    dist = entry_point.dist
    dist_version = dist.version if dist is not None else ""
    source = f"entry point {dist.name}" if dist is not None else "entry point"
    if entry_point.name in blocked:
        return PluginInfo(entry_point.name, dist_version, source, "disabled")
    if manager.has_plugin(entry_point.name):
        error = f"another plugin is already registered as {entry_point.name!r}"
        log.error("plugin %s skipped: %s", entry_point.name, error)
        return PluginInfo(entry_point.name, dist_version, source, "failed", error=error)
    try:
        plugin = entry_point.load()
    except Exception as exc:
        # One line, not a traceback on every command: `rapport plugins` says why.
        error = f"import failed: {type(exc).__name__}: {exc}"
        log.error("plugin %s (%s) was skipped: %s", entry_point.name, source, error)
        return PluginInfo(entry_point.name, dist_version, source, "failed", error=error)
    return _register(manager, entry_point.name, plugin, dist_version, source, fatal=False)


def _register(
    manager: pluggy.PluginManager,
    name: str,
    plugin: object,
    plugin_version: str,
    source: str,
    *,
    fatal: bool,
) -> PluginInfo:
    plugin_version = plugin_version or _module_version(plugin)
    try:
        manager.register(plugin, name=name)
        problems = contract_violations(manager, plugin)
        if problems:
            manager.unregister(plugin)
            raise PluginLoadError(f"plugin {name!r}: " + "; ".join(problems))
    except (PluginLoadError, ValueError, pluggy.PluginValidationError) as exc:
        if fatal:
            raise PluginLoadError(str(exc)) from exc
        log.error("plugin %s (%s) was skipped: %s", name, source, exc)
        return PluginInfo(name, plugin_version, source, "failed", error=str(exc))
    hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
    return PluginInfo(name, plugin_version, source, "loaded", hooks=hooks)


def contract_violations(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """Everything in ``plugin`` that breaks the hook contract, in words for its author."""
    problems = []
    for caller in manager.get_hookcallers(plugin) or ():
        impls = [impl for impl in caller.get_hookimpls() if impl.plugin is plugin]
        for impl in impls:
            problems.extend(_impl_violations(caller, impl))
    return problems


def _impl_violations(caller: pluggy.HookCaller, impl: pluggy.HookImpl) -> list[str]:
    name = caller.name
    if not caller.has_spec():
        return [f"{name!r} is not a Rapport hook (misspelled? see docs/plugins.md)"]
    problems = []
    if impl.hookwrapper or impl.wrapper:
        problems.append(f"{name}: wrappers are not supported; implement the hook plainly")
    with_defaults = [
        parameter.name
        for parameter in inspect.signature(impl.function).parameters.values()
        if parameter.default is not inspect.Parameter.empty
    ]
    if with_defaults:
        problems.append(
            f"{name}: parameters must not have default values ({', '.join(with_defaults)})"
        )
    if inspect.iscoroutinefunction(impl.function) and name not in ASYNC_ALLOWED:
        problems.append(f"{name} must be a plain function, not async")
    return problems


def _distribution_version(dist_name: str) -> str:
    try:
        return version(dist_name)
    except PackageNotFoundError:
        return "unknown"


def _module_version(plugin: object) -> str:
    module: Any = plugin if isinstance(plugin, ModuleType) else inspect.getmodule(plugin)
    return str(getattr(module, "__version__", "")) if module is not None else ""
