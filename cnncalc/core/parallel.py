"""Splitting a batch across threads: how many, and running the chunks.

NumPy releases the GIL inside matrix products and array copies, so threads that each
take a slice of the batch run side by side. The thread count follows the BLAS's own
setting, so a user (or a benchmark) that limits BLAS limits this too:
  CNNCALC_THREADS, else OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS
  (the smallest set), else the BLAS's own thread count when threadpoolctl can read it,
  else the CPUs this process may run on.
While the threads run, each one's BLAS calls should use one thread (several threads each
starting a multi-threaded BLAS call oversubscribe the cores; measured 10× slower on a busy
2-core machine). threadpoolctl can set that, and is used when it is installed; it is never
required: without it the BLAS keeps its own setting.
"""

from __future__ import annotations

import contextlib
import os

try:  # optional: only to read and limit the BLAS's threads (see above)
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - depends on the environment
    ThreadpoolController = None

_POOLS: dict[tuple[int, int], object] = {}  # (threads, pid) → a ThreadPoolExecutor
_ENV_LIMITS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_BLAS: list = []  # the threadpoolctl selection of BLAS libraries, made on first use


def _env_threads(name: str) -> int | None:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def thread_count() -> int:
    """Threads a batch may be split over (at least 1); see the module docstring."""
    own = _env_threads("CNNCALC_THREADS")
    if own is not None:
        return own
    limits = [v for v in map(_env_threads, _ENV_LIMITS) if v is not None]
    if limits:
        return min(limits)
    blas = _blas_threads()
    if blas is not None:
        return blas
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _blas():
    """The loaded BLAS libraries as a threadpoolctl selection, or None without threadpoolctl."""
    if ThreadpoolController is None:
        return None
    if not _BLAS:
        _BLAS.append(ThreadpoolController().select(user_api="blas"))
    return _BLAS[0]


def _blas_threads() -> int | None:
    blas = _blas()
    counts = [lib.num_threads for lib in blas.lib_controllers] if blas is not None else []
    return max(1, min(counts)) if counts else None


def _one_blas_thread():
    blas = _blas()
    return blas.limit(limits=1) if blas is not None else contextlib.nullcontext()


def _pool(threads: int):
    # Kept for the process's life: starting threads per call would cost more than small convs
    # take. Keyed by process too: a forked child inherits the pool but not its threads.
    key = (os.getpid(), threads)
    if key not in _POOLS:
        from concurrent.futures import ThreadPoolExecutor  # only a run that splits its batch pays for it

        _POOLS[key] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="cnncalc")
    return _POOLS[key]


def run_chunks(work, chunks: list[tuple[int, int]], threads: int) -> list:
    """[work(lo, hi) for each chunk], on up to `threads` threads; results in chunk order."""
    if threads <= 1 or len(chunks) <= 1:
        return [work(lo, hi) for lo, hi in chunks]
    with _one_blas_thread():
        return list(_pool(min(threads, len(chunks))).map(lambda chunk: work(*chunk), chunks))


def batch_chunks(n: int, per_item: int, threads: int, target: int) -> list[tuple[int, int]]:
    """Split n items of `per_item` scratch entries into chunks of about `target` entries,
    at least one chunk per thread (while items last), as equal as possible."""
    count = max(min(n, threads), -(-n * per_item // max(target, 1)))
    count = min(count, n)
    edges = [round(i * n / count) for i in range(count + 1)]
    return [(lo, hi) for lo, hi in zip(edges, edges[1:]) if hi > lo]
