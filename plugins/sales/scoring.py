"""Explained lead scoring: a deal's win chance from how the team's own closed deals went.

Frequency-based, as Odoo's predictive lead scoring: for each factor of a deal (the stage
it reached, where the customer heard of us, their industry and region, the owner, the
amount band) the share of closed deals with that value that were won, P(won | value),
Laplace-smoothed, combined naive-Bayes style. In log-odds each factor adds
``logit(P(won | value)) - logit(P(won))``: how far that value moves the odds away from
the team's overall win rate. The factors that move it most are the explanation.

Plain Python over counts the database has already grouped: no ML dependency, and
learning from 100k closed deals costs a few grouped queries. No I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FACTORS = ("stage", "source", "industry", "region", "owner", "amount")
MIN_HISTORY = 10
"""Closed deals needed before the history is trusted over the stage's own probability."""
NOTABLE = 0.05
"""A factor moving the log-odds less than this is not worth naming."""
SHOWN = 3
FLOOR, CEILING = 0.01, 0.99  # a history of a few dozen deals never makes anything certain


@dataclass(frozen=True)
class Tally:
    """Closed deals with one value of one factor: how many won, how many were lost."""

    won: int = 0
    lost: int = 0

    @property
    def closed(self) -> int:
        return self.won + self.lost

    def chance(self) -> float:
        """P(won | value), Laplace-smoothed: one won and one lost deal added to every count."""
        return (self.won + 1) / (self.closed + 2)


@dataclass(frozen=True)
class Model:
    """What the closed deals say: the totals, and a tally per factor and value."""

    total: Tally
    tallies: Mapping[str, Mapping[str, Tally]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "won": self.total.won,
            "lost": self.total.lost,
            "tallies": {
                factor: {value: [t.won, t.lost] for value, t in values.items()}
                for factor, values in self.tallies.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        tallies = {
            factor: {value: Tally(int(w), int(lo)) for value, (w, lo) in values.items()}
            for factor, values in data.get("tallies", {}).items()
        }
        return cls(Tally(int(data.get("won", 0)), int(data.get("lost", 0))), tallies)


@dataclass(frozen=True)
class Reason:
    """One factor of a score: ``source`` ``exhibition``, 8 of 10 such deals won, raising it."""

    factor: str
    value: str
    won: int
    closed: int
    weight: float

    @property
    def share(self) -> int:
        """The plain share of such deals won, in percent, as a reader would check it."""
        return round(self.won / self.closed * 100)


@dataclass(frozen=True)
class Score:
    """A win chance (0..1) and why: from the history, or the stage's when history is thin."""

    chance: float
    learned: bool
    reasons: tuple[Reason, ...] = ()


def score(
    model: Model,
    values: Mapping[str, str | None],
    stage_probability: float,
    min_history: int = MIN_HISTORY,
) -> Score:
    """The deal's win chance given its factor ``values`` (None: not known, says nothing)."""
    if model.total.closed < min_history:
        return Score(stage_probability, learned=False)
    prior = _logit(model.total.chance())
    reasons = []
    for factor in FACTORS:
        value = values.get(factor)
        tally = model.tallies.get(factor, {}).get(value) if value is not None else None
        if value is None or tally is None or not tally.closed:
            continue  # a value no closed deal had tells nothing
        weight = _logit(tally.chance()) - prior
        reasons.append(Reason(factor, value, tally.won, tally.closed, weight))
    odds = prior + sum(r.weight for r in reasons)
    chance = min(CEILING, max(FLOOR, 1 / (1 + math.exp(-odds))))
    notable = sorted((r for r in reasons if abs(r.weight) >= NOTABLE), key=lambda r: -abs(r.weight))
    return Score(chance, learned=True, reasons=tuple(notable[:SHOWN]))


def reached(
    stages: Mapping[int, list[tuple[int, int]]], won: Mapping[int, int], lost_at: Mapping[int, Any]
) -> dict[str, Tally]:
    """The stage factor's tally: a deal counts for every open stage it got at least as far
    as. A won deal passed them all; a lost one those up to the furthest it reached.

    ``stages``: per pipeline, its open stages as (stage id, position); ``won``: won deals
    per pipeline; ``lost_at``: per pipeline, lost deals per furthest position reached.
    """
    tallies: dict[str, Tally] = {}
    for pipeline, open_stages in stages.items():
        lowest = min((position for _, position in open_stages), default=0)
        furthest: Mapping[int | None, int] = lost_at.get(pipeline, {})
        for stage_id, position in open_stages:
            lost = sum(
                count
                for at, count in furthest.items()
                if (lowest if at is None else at) >= position
            )
            tallies[str(stage_id)] = Tally(won.get(pipeline, 0), lost)
    return tallies


def _logit(p: float) -> float:
    return math.log(p / (1 - p))
