"""What every speed bench shares: long-lived workers, interleaved blocks, one report.

An implementation ("cnncalc", "torch", "gemm", ...) runs in a worker process of its
kind ("numpy" or "torch") and thread count, started once and kept for the whole run,
so imports and first-call costs are paid once and NumPy's OpenBLAS threads never
compete with torch's OpenMP threads inside one process. The parent sends each worker
"time case C, implementation I, R passes" and gets the times back. Blocks interleave
the implementations and rotate their order (cnncalc, torch, then torch, cnncalc, ...),
so the drift of a shared machine hits all of them alike; each block gives a median per
implementation, each block a ratio cnncalc ÷ baseline, and the figure reported is the
median of those ratios, with their range.

Threads: BLAS and OpenMP limited with threadpoolctl when the bench interpreter has it,
else by OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS in the worker's
environment; torch also gets torch.set_num_threads. Each worker reports what it got.

A bench script provides CASES (a list of Case) and build(impl, case, quick) -> run,
where run() does one forward + backward pass and returns the arrays to compare
(a dict name -> array; None for timing-only implementations such as the GEMM floor).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field

from cnncalc.core.memory import MMAP_BYTES, TRIM_BYTES
from report import (Report, Settings, common_arguments, environment, finish, has_threadpoolctl, has_torch,
                    interleave, load_average, print_rows, ratio_figures, repeats_for, settings_from)

PROCESS_KIND = {"torch": "torch"}  # every other implementation runs in a NumPy-only worker
# Every worker keeps freed memory as cnncalc does for itself (cnncalc.core.memory), torch's
# included: with glibc's default thresholds the first case a fresh torch worker ran paid a page
# fault per page of every array on every pass (depthwise alone: torch 3.3-4.0 ms, 1.4 ms with
# these), and the ratio flattered cnncalc.
SAME_ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(MMAP_BYTES), "MALLOC_TRIM_THRESHOLD_": str(TRIM_BYTES)}
TOLERANCE = 1e-9  # max |cnncalc − torch| allowed, relative to the largest |torch| entry (at least 1)


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    full: dict
    quick: dict = field(default_factory=dict)  # overrides of `full` in quick mode

    def params(self, quick: bool) -> dict:
        return {**self.full, **self.quick} if quick else dict(self.full)

    def title(self, quick: bool) -> str:
        """The label with the sizes actually run filled in ({n}, {hw}, ... from the params)."""
        return self.label.format(**self.params(quick))


class BenchError(RuntimeError):
    pass


# ----------------------------------------------------------------- the worker side

def _limit_threads(threads: int) -> dict:
    """Apply the thread limit inside a worker; say what the libraries ended up with."""
    got = {}
    if has_threadpoolctl():
        from threadpoolctl import threadpool_info, threadpool_limits

        _limit_threads.keep = threadpool_limits(limits=threads)
        got["threadpoolctl"] = sorted({f"{i['internal_api']}={i['num_threads']}" for i in threadpool_info()})
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(threads)
        got["torch"] = torch.get_num_threads()
    return got


def _reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _save(outputs, path: str | None) -> str | None:
    if outputs is None or path is None:
        return None
    import numpy as np

    np.savez(path, **{k: np.asarray(v, dtype=np.float64) for k, v in outputs.items()})
    return path


def _serve(cases: dict, build, request: dict, runs: dict) -> dict:
    key = (request["case"], request["impl"])
    if request["op"] == "prepare":
        run = build(request["impl"], cases[request["case"]], request["quick"])
        outputs = run()  # the first pass: warm-up, and the result to check
        started = time.perf_counter()
        run()
        runs[key] = run
        return {"first_s": time.perf_counter() - started, "outputs": _save(outputs, request.get("save"))}
    if request["op"] == "time":
        run, times = runs[key], []
        for _ in range(request["repeats"]):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        return {"times": times}
    raise BenchError(f"unknown request {request['op']!r}")


def serve_forever(kind: str, threads: int, cases: list[Case], build) -> int:
    """--worker: answer the parent's JSON requests, one per line, until stdin closes."""
    if kind == "torch":
        import torch  # noqa: F401  (before the limits, so set_num_threads applies)
    import numpy  # noqa: F401
    _reply({"hello": kind, "threads": threads, "got": _limit_threads(threads)})
    by_name, runs = {c.name: c for c in cases}, {}
    for line in sys.stdin:
        try:
            _reply(_serve(by_name, build, json.loads(line), runs))
        except Exception:  # noqa: BLE001  (reported to the parent, which fails the run)
            _reply({"error": traceback.format_exc()})
    return 0


# ----------------------------------------------------------------- the parent side

class Worker:
    def __init__(self, script: str, kind: str, threads: int):
        env = dict(os.environ)
        # Always, threadpoolctl or not: cnncalc's conv splits its batch over as many threads
        # as these allow (cnncalc.core.parallel), so a 1-thread figure is one thread throughout.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(threads)
        env.update(SAME_ALLOCATOR)
        self.name = f"{kind} worker ({threads} thread{'s' if threads > 1 else ''})"
        self.proc = subprocess.Popen([sys.executable, script, "--worker", kind, "--worker-threads", str(threads)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.hello = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise BenchError(f"{self.name} died (exit {self.proc.wait()})")
        message = json.loads(line)
        if "error" in message:
            raise BenchError(f"{self.name}: {message['error'].strip().splitlines()[-1]}\n{message['error']}")
        return message

    def ask(self, **request) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def max_difference(ours: str, theirs: str) -> float:
    """max |ours − theirs| over every array, relative to the largest |theirs| entry when above 1."""
    import numpy as np

    a, b = np.load(ours), np.load(theirs)
    worst = 0.0
    for name in b.files:
        if a[name].shape != b[name].shape:
            raise BenchError(f"{name}: shape {a[name].shape} against {b[name].shape}")
        scale = max(1.0, float(np.max(np.abs(b[name]), initial=0.0)))
        worst = max(worst, float(np.max(np.abs(a[name] - b[name]), initial=0.0)) / scale)
    return worst


# ----------------------------------------------------------------- running a bench's cases

class Pool:
    """The long-lived workers of one run, one per (process kind, thread count), started on demand."""

    def __init__(self, script: str):
        self.script, self.workers = script, {}

    def get(self, impl: str, threads: int) -> Worker:
        key = (PROCESS_KIND.get(impl, "numpy"), threads)
        if key not in self.workers:
            self.workers[key] = Worker(self.script, *key)
        return self.workers[key]

    def close(self) -> None:
        for worker in self.workers.values():
            worker.close()


def _prepare(pool: Pool, case: Case, impls: list[str], s: Settings, tmp: str):
    repeats, saved = {}, {}
    for t in s.threads:
        for impl in impls:
            save = os.path.join(tmp, f"{case.name}-{impl}.npz") if t == s.threads[0] else None
            got = pool.get(impl, t).ask(op="prepare", case=case.name, impl=impl, quick=s.quick, save=save)
            repeats[impl, t] = repeats_for(got["first_s"], s)
            if save:
                saved[impl] = got["outputs"]
    return repeats, saved


def _row(case: Case, t: int, impls: list[str], medians: dict, diff, quick: bool) -> dict:
    row = {"case": case.name, "label": case.title(quick), "threads": t,
           "median_s": {impl: statistics.median(medians[impl, t]) for impl in impls},
           "vs_torch": None, "vs_gemm": None, "gemm_vs_torch": None, "max_diff": diff,
           "load_average_after": load_average()}
    if "torch" in impls:
        row["vs_torch"] = ratio_figures(medians, "cnncalc", "torch", t)
    if "gemm" in impls:
        row["vs_gemm"] = ratio_figures(medians, "cnncalc", "gemm", t)
        if "torch" in impls:
            row["gemm_vs_torch"] = ratio_figures(medians, "gemm", "torch", t)
    return row


def measure_case(pool: Pool, case: Case, impls: list[str], s: Settings, tmp: str) -> list[dict]:
    repeats, saved = _prepare(pool, case, impls, s, tmp)
    timers = {impl: (lambda t, r, impl=impl: pool.get(impl, t).ask(
        op="time", case=case.name, impl=impl, repeats=r)["times"]) for impl in impls}
    medians = interleave(timers, s, repeats)
    diff = None
    if saved.get("cnncalc") and saved.get("torch"):
        diff = max_difference(saved["cnncalc"], saved["torch"])
    return [_row(case, t, impls, medians, diff, s.quick) for t in s.threads]


def main_for(script: str, cases: list[Case], build, impls: list[str], title: str) -> int:
    """The whole of a worker-based bench: arguments, workers, every case, the report."""
    parser = argparse.ArgumentParser(description=title)
    common_arguments(parser)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return serve_forever(args.worker, args.worker_threads, cases, build)
    s = settings_from(args)
    report = Report(os.path.splitext(os.path.basename(script))[0], s.quick, environment())
    impls = _available(impls, report, s)
    chosen = [c for c in cases if not args.cases or c.name in args.cases.split(",")]
    print(f"== {title}\n{json.dumps(report.env)}\n{s.blocks} blocks, threads {s.threads}, order rotated per block")
    pool, tmp = Pool(script), tempfile.mkdtemp(prefix="cnncalc-bench-")
    try:
        for case in chosen:
            _run_one(pool, case, impls, s, tmp, report)
    finally:
        pool.close()
    report.env["workers"] = {w.name: w.hello.get("got") for w in pool.workers.values()}  # threads they got
    print(f"threads as the workers report them: {json.dumps(report.env['workers'])}")
    print_rows(report)
    _check_rows(report)
    return finish(report, args.json)


def _available(impls: list[str], report: Report, s: Settings) -> list[str]:
    if "torch" not in impls or has_torch():
        return impls
    message = "torch is not installed in this interpreter: cnncalc/torch ratios not measured"
    (report.skipped if s.quick else report.failures).append(message)
    return [i for i in impls if i != "torch"]


def _run_one(pool: Pool, case: Case, impls: list[str], s: Settings, tmp: str, report: Report) -> None:
    started = time.perf_counter()
    try:
        report.rows += measure_case(pool, case, impls, s, tmp)
    except BenchError as error:
        report.failures.append(f"{case.name}: {error}")
    print(f"  {case.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _check_rows(report: Report) -> None:
    for r in report.rows:
        if r["max_diff"] is not None and not r["max_diff"] <= TOLERANCE and r["threads"] == report.rows[0]["threads"]:
            report.failures.append(f"{r['case']}: cnncalc and torch differ by {r['max_diff']:.2e} (relative)")
