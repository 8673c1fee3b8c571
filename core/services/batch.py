"""Results of use cases applied to many records at once (imports, bulk edits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rapport.core.domain.errors import RapportError

T = TypeVar("T")


@dataclass(frozen=True)
class RowFailure:
    """Row ``index`` (0-based, in the order given) was refused, and why."""

    index: int
    error: RapportError


@dataclass
class BatchResult(Generic[T]):
    done: list[T] = field(default_factory=list)
    failed: list[RowFailure] = field(default_factory=list)
