"""Small tools for the hot paths of the graph layer.

>>> @without_gc
... def build() -> list[int]:
...     return [i for i in range(3)]
>>> build()
[0, 1, 2]
>>> before = gc.get_threshold()
>>> with fewer_collections():
...     gc.get_threshold()[0] >= YOUNG_OBJECTS
True
>>> gc.get_threshold() == before
True
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


def without_gc(function: _F) -> _F:
    """Pause the cyclic garbage collector while ``function`` runs.

    Serialising claims and projecting networks allocate millions of small,
    acyclic objects; the collector would rescan the growing heap again and
    again (about 40% of a projection at 100k claims, a third of serialising
    10k claims). Reference counting still frees everything; the previous
    collector state is restored afterwards.
    """
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
    return wrapper  # type: ignore[return-value]


#: New container objects between two collections of the youngest generation while :func:`fewer_collections` holds
#: (CPython's default is 700).
YOUNG_OBJECTS = 20_000
_held = [0]
_saved: list[tuple[int, ...]] = []
_lock = threading.Lock()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a long load runs (the previous thresholds come back after).

    A load keeps a chunk of claims alive while it allocates millions of small
    objects, so with CPython's thresholds (700, 10, 10) survivors are promoted
    again and again and the whole heap is rescanned (16 full collections at
    100k claims, a fifth of the loading thread's CPU). With the youngest
    generation collected every :data:`YOUNG_OBJECTS` new objects instead, cycles
    are still collected (a load makes few), memory stays bounded, and almost no
    full collection runs. Nested or concurrent holders share the setting; the
    last one out restores it.
    """
    with _lock:
        if _held[0] == 0:
            _saved.append(gc.get_threshold())
            first, second, third = _saved[-1]
            if first:  # 0: automatic collection is off, and stays off
                gc.set_threshold(max(first, YOUNG_OBJECTS), second, third)
        _held[0] += 1
    try:
        yield
    finally:
        with _lock:
            _held[0] -= 1
            if _held[0] == 0:
                gc.set_threshold(*_saved.pop())


#: Blocks this size or larger that the C allocator maps on their own, so that freeing one gives it back.
LARGE_BLOCK = 1 << 20
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


@functools.cache
def return_large_blocks() -> bool:
    """Have glibc's ``malloc`` map every block of :data:`LARGE_BLOCK` bytes or more on its own (once per process).

    glibc raises its mapping threshold, up to 32 MB, each time a mapped block
    is freed. A long load's chunk texts (several MB each) then come from the
    heap, which cannot shrink below a small block allocated after them: at a
    million claims, 130 MB of a validated load's RSS was memory freed this
    way, and its level grew with the file. A fixed threshold keeps them out
    of the heap (measured: 575 → 448 MB at the summary's start, in the same
    time). Returns whether it was set: not when the user set a threshold
    (``MALLOC_MMAP_THRESHOLD_`` or ``GLIBC_TUNABLES``), nor off Linux, nor
    where the C library has no ``mallopt``.
    """
    if ("MALLOC_MMAP_THRESHOLD_" in os.environ or "mmap_threshold" in os.environ.get("GLIBC_TUNABLES", "")
            or not sys.platform.startswith("linux")):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # no C library to ask, or one without mallopt (musl has it)
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK))
