"""How every benchmark ends a figure: the goal it serves and whether this run meets it."""

from __future__ import annotations


def verdict(goal: str, meets: bool) -> None:
    """Print the goal (from issue 18) next to a plain meets / misses for this run."""
    print(f"  goal          : {goal}")
    print(f"  verdict       : {'meets' if meets else 'misses'}")
