"""PNG charts for reports: what the bot sends as a picture and a manager pastes anywhere.

Shared by every plugin that offers reports, so they all look alike.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from types import ModuleType

SIZE = (7.0, 3.8)


class Drawing:
    """A chart, drawn the first time an adapter shows it: drawing costs more than the
    report's figures, and a sheet's summary, a text reply or a CLI run without ``--png``
    never shows it."""

    def __init__(self, draw: Callable[[], bytes]) -> None:
        self._draw = draw
        self._png: bytes | None = None
        self._lock = threading.Lock()

    def png(self) -> bytes:
        with self._lock:
            if self._png is None:
                self._png = self._draw()
            return self._png


def chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    kind: str = "bar",
    line: tuple[str, Sequence[float]] | None = None,
) -> Drawing:
    """Bars (``bar``, or ``barh`` for a funnel) or lines, one colour per series; ``line``
    adds a second axis in percent (a cumulative share, a conversion). The figures are
    copied now, the picture drawn when shown.
    """
    copied_line = None if line is None else (line[0], tuple(line[1]))
    copied = {name: tuple(values) for name, values in series.items()}
    return Drawing(partial(_draw, title, tuple(labels), copied, kind, copied_line))


def _draw(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    kind: str,
    line: tuple[str, Sequence[float]] | None,
) -> bytes:
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=SIZE, dpi=100)
    try:
        positions = list(range(len(labels)))
        width = 0.8 / max(len(series), 1)
        for index, (name, values) in enumerate(series.items()):
            shifted = [p + (index - (len(series) - 1) / 2) * width for p in positions]
            if kind == "barh":
                axes.barh(shifted, values, height=width, label=name)
            elif kind == "line":
                axes.plot(positions, values, marker="o", label=name)
            else:
                axes.bar(shifted, values, width=width, label=name)
        if kind == "barh":
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()
        else:
            axes.set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
        if line is not None:
            share = axes.twinx()
            share.plot(positions, line[1], color="black", marker=".", label=line[0])
            share.set_ylim(0, 105)
            share.set_ylabel(line[0])
        if len(series) > 1:
            axes.legend(fontsize=8)
        axes.set_title(title)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


@cache
def _pyplot() -> ModuleType:
    """matplotlib on first use: a command that draws nothing never pays its import."""
    import matplotlib

    matplotlib.use("Agg")  # no screen on a server; must precede pyplot
    from matplotlib import pyplot

    return pyplot
