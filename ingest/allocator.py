"""The C allocator set to keep freed memory for reuse during an ingest, not give it back.

glibc's malloc maps large blocks (from 128 KiB, a threshold it raises as it
goes) on their own and unmaps them when freed, and trims the top of its heap
once a little lies free there. An ingest frees and allocates the same large
buffers paper after paper (the recogniser's activations, BLAS work space, the
reader's page buffers), so each process faulted the same pages in again,
zero-filled by the kernel. With larger thresholds the freed blocks stay in
the heap and are reused: the parse workers of a 2-worker ingest of the 40
bench papers took 22,800 page faults instead of 30,000 (84,000 once the
recogniser's steps ran through OpenBLAS, ingest/nlp.py), and the run 0.96x
the CPU a page (medians of 12 alternating pairs). The price is a few MiB of
peak memory a process (7-10 MiB in the benchmark's ingest figures), which
does not grow with the corpus.

The setting is the process's, and its forked workers and index writers
inherit it. Elsewhere than glibc it is left alone.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
TRIM_THRESHOLD = 256 << 20  # free memory kept at the top of the heap before trimming
MMAP_THRESHOLD = 32 << 20  # blocks below this come from the heap; glibc's largest on 64-bit


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds for this process; False where not glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)  # the C library this process runs on
        libc.gnu_get_libc_version  # noqa: B018 (glibc's own symbol: the parameters are its)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)) and bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
