"""The marker plugins use to implement hooks: ``from core import hookimpl``."""

import pluggy

from rapport.core.hookspecs import PROJECT

hookimpl = pluggy.HookimplMarker(PROJECT)
