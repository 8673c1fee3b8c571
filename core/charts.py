"""PNG charts for reports: what the bot sends as a picture and a manager pastes anywhere.

Shared by every plugin that offers reports, so they all look alike.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import cache
from types import ModuleType

SIZE = (7.0, 3.8)


def chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    kind: str = "bar",
    line: tuple[str, Sequence[float]] | None = None,
) -> bytes:
    """Bars (``bar``, or ``barh`` for a funnel) or lines, one colour per series; ``line``
    adds a second axis in percent (a cumulative share, a conversion).
    """
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
