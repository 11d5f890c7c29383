"""Keeping freed memory for the next large array, as PyTorch's caching allocator does.

NumPy takes each large array fresh from the C allocator. glibc hands blocks above its
mmap threshold straight back to the system when they are freed, and trims the heap top
beyond its trim threshold, so the next array of the same size is mapped again and every
page of it faults on first touch: measured as half the time of a small network's pass
(conv-relu-maxpool-fc, N32 3×32²: 14 ms, 7.8 ms with freed memory kept) and a third of
softmax + cross-entropy on 1024×1000. Raising both thresholds once keeps up to
TRIM_BYTES of freed memory in the process for reuse.

Only with glibc (Linux); elsewhere, or with CNNCALC_KEEP_MEMORY=0, nothing changes.
It applies to the whole process, so the core never calls it: the doors do, once, before
solving (cli/run.py, check/grading.py), and the benches give every worker the same settings
through glibc's environment variables (bench/harness.py).
"""

from __future__ import annotations

import os

MMAP_BYTES = 32 << 20   # blocks below this come from the heap (glibc's own upper limit)
TRIM_BYTES = 256 << 20  # freed memory kept at the heap top before it goes back
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_DONE: list[bool] = []


def keep_freed_memory() -> bool:
    """Once per process: raise glibc's mmap and trim thresholds (see the module docstring).
    True if they were raised (now or before)."""
    if not _DONE:
        _DONE.append(_raise_thresholds())
    return _DONE[0]


def _raise_thresholds() -> bool:
    if os.environ.get("CNNCALC_KEEP_MEMORY", "1") == "0":
        return False
    try:
        import ctypes  # only the first large computation pays for it

        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # Both at once: setting either turns glibc's own sliding thresholds off.
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
