"""The cyclic garbage collector held back while an import writes one chunk.

A chunk keeps a few dozen objects per row alive until its transaction ends (the rows'
values, their commands, audit entries, the ORM's states). With the collector running,
every few hundred rows enough of them survive two young collections to set off a full
one, which walks every object of the process: the application, the file's other rows.
That walking was a third of an import's time, for garbage that reference counting frees
anyway. Held back for a chunk, the collector runs once at its end over what is young, so
memory stays bounded by the chunk and no cycle is kept longer than one chunk.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_held() -> Iterator[None]:
    """Hold the collector back for the block, then collect the young generations once.

    When it was already off (someone else holds it, or the process runs without it), it
    is left as it was.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)
