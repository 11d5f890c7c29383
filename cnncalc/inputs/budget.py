"""The memory budget: what this machine can hold, checked before anything large is made.

--max-elements caps each tensor; a problem of many tensors (a pipeline of big layers) or a
cap raised past the machine's memory must still be refused with a sentence, not end in a
MemoryError or, worse, in the kernel's out-of-memory killer (Linux over-commits: a huge
np.full succeeds and the process dies when the pages are touched).
"""

from __future__ import annotations

import functools
import os

from cnncalc.errors import CnnError

BYTES_PER_ENTRY = 8     # float64
WORK_FACTOR = 2         # a result's tensors plus the temporaries that compute them
TOTAL_FACTOR = 20       # all the tensors of one result: at most this many × --max-elements
FILE_TEXT_SHARE = 16    # a problem's text may take at most this share of free memory (parsing costs more)


@functools.lru_cache(maxsize=1)
def available_bytes() -> int | None:
    """Memory the process can still use (MemAvailable on Linux, else physical memory), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def text_limit(limit: int) -> int:
    """`limit` bytes of problem text, or less when free memory would not parse that much."""
    free = available_bytes()
    return limit if free is None else min(limit, max(free // FILE_TEXT_SHARE, 1 << 20))


def check_memory(entries: int, field: str, what: str = "this tensor") -> None:
    """Refuse `entries` float64 values (with their work space) that the free memory cannot hold."""
    free = available_bytes()
    if free is None or entries * BYTES_PER_ENTRY * WORK_FACTOR <= free:
        return
    most = free // (BYTES_PER_ENTRY * WORK_FACTOR)
    raise CnnError(field, f"at most about {most:,} entries for {what} (the free memory, "
                          f"{free / 2**30:.1f} GiB, holds no more)", f"{entries:,}",
                   hint="lower the sizes; --max-elements cannot raise what the machine holds")


def check_total(entries: int, field: str, max_elements: int) -> None:
    """All the tensors one result will hold, planned from shapes: capped and within memory."""
    cap = TOTAL_FACTOR * max_elements
    if entries > cap:
        raise CnnError(field, f"at most {cap:,} entries in all the tensors of the result "
                              f"({TOTAL_FACTOR} × --max-elements)", f"{entries:,} planned",
                       hint="raise the cap with --max-elements if you mean it")
    check_memory(entries, field, "all the tensors of the result")
