"""Keep the C heap from holding on to what a knowledge build frees (glibc only; no-op elsewhere).

Building the matcher allocates numpy temporaries of tens of MiB. glibc serves a freed large
block's size from the heap next time (its mmap threshold rises to the largest block freed, up to
32 MiB), so later temporaries land in the heap, fragment it and are never given back: RSS stayed
at ~2.5x the live index after a build and grew with every hot reload. A fixed threshold keeps
blocks from 1 MiB up in their own mappings, returned to the system when freed; `malloc_trim`
after a build returns the free pages left in the heap (benchmarks/memory.py measures both).
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # <malloc.h>
# Blocks from this size up get their own mapping. Query-time arrays of a 50,000-example
# knowledge base (~400 KiB) stay on the heap; build temporaries (MiBs) do not.
MMAP_THRESHOLD = 1 << 20


@cache
def _libc() -> Any:
    """glibc's handle (a ctypes.CDLL), or None on another C library or system."""
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")  # glibc's name; musl and macOS do not load it
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


@cache
def bound_heap() -> None:
    """Fix glibc's mmap threshold for this process (once)."""
    libc = _libc()
    if libc is not None and not libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD):
        log.debug("mallopt(M_MMAP_THRESHOLD) refused")


def release_free_memory() -> None:
    """Give the heap's free pages back to the system (after a build has dropped its temporaries)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
