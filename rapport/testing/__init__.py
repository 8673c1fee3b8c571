"""Rapport's test kit for plugin authors (and for Rapport's own tests).

Installed with Rapport and loaded by pytest through the ``pytest11`` entry point, so
its fixtures (``app``, ``make_app``, ``admin``, ``act_as``, ``team``, ``clock``,
``chat``, ``workbook``, ``cli``) are there in any test: see :mod:`rapport.testing.plugin`
and "Testing your plugin" in ``docs/plugins.md``. The helpers behind them are importable
from here for tests that need more than one of them (two bot instances sharing Redis).
"""

from rapport.testing.clock import FakeClock

__all__ = ["FakeClock"]
