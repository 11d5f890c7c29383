"""Timing and reporting shared by every bench: interleaved blocks, ratios, the printed and JSON report.

interleave() runs the implementations' timers in blocks, rotating their order each
block (cnncalc, torch, then torch, cnncalc, ...), and keeps each block's median per
implementation; ratio_figures() turns paired block medians into the figure every
bench reports: the median over blocks of (cnncalc ÷ baseline), with its range.
A Report ends each script: one line per skipped or failed part, a RESULT line, the
JSON file (--json), and the exit status (1 when anything failed).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass, field


def has_threadpoolctl() -> bool:
    return importlib.util.find_spec("threadpoolctl") is not None


def has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None


@dataclass
class Settings:
    quick: bool
    blocks: int
    block_seconds: float
    threads: list[int]
    pause: float  # seconds between blocks: lets the last worker's spinning threads go idle
    max_repeats: int = 1000
    min_repeats: int = 3


def settings_from(args) -> Settings:
    if args.quick:
        return Settings(True, 2, 0.0, args.threads, 0.0, max_repeats=2)
    return Settings(False, args.blocks, args.block_seconds, args.threads, 0.1)


def repeats_for(first_s: float, s: Settings) -> int:
    if s.quick:
        return 1 if first_s > 0.05 else 2
    return max(s.min_repeats, min(s.max_repeats, round(s.block_seconds / max(first_s, 1e-7))))


def _order(impls: list[str], block: int) -> list[str]:
    k = block % len(impls)
    return impls[k:] + impls[:k]


def interleave(timers: dict, s: Settings, repeats: dict) -> dict:
    """Block medians per implementation: `timers[impl](threads, repeats)` returns pass times."""
    medians = {(impl, t): [] for impl in timers for t in s.threads}
    for block in range(s.blocks):
        for t in s.threads:
            for impl in _order(list(timers), block):
                time.sleep(s.pause)
                times = timers[impl](t, repeats[impl, t])
                medians[impl, t].append(statistics.median(times))
                repeats[impl, t] = repeats_for(medians[impl, t][-1], s)  # next block near block_seconds
    return medians


def ratio_figures(medians: dict, top: str, base: str, t) -> dict:
    """Median and range over blocks of top's block median ÷ base's block median."""
    pairs = [a / b for a, b in zip(medians[top, t], medians[base, t])]
    return {"ratio": statistics.median(pairs), "ratio_range": [min(pairs), max(pairs)], "blocks": len(pairs),
            "ratio_of_best_blocks": min(medians[top, t]) / min(medians[base, t])}


def baseline_row(name: str, label: str, medians: dict, top: str, base: str, t=None) -> dict:
    """A row of a bench whose baseline is not torch (json.load, a process per file, ...)."""
    return {"case": name, "label": label, "threads": t, "baseline": base,
            "median_s": {top: statistics.median(medians[top, t]), base: statistics.median(medians[base, t])},
            "vs_baseline": ratio_figures(medians, top, base, t), "vs_torch": None, "vs_gemm": None,
            "gemm_vs_torch": None, "max_diff": None}


def print_baseline_rows(report) -> None:
    print(f"{'case':12s} {'what':44s} {'measured':>28s} {'baseline':>28s} {'ratio [range]':>18s}")
    for r in report.rows:
        (top, t_top), (base, t_base) = r["median_s"].items()
        print(f"{r['case'][:12]:12s} {r['label'][:44]:44s} {top[:17]:>17s} {fmt_time(t_top):>10s} "
              f"{base[:17]:>17s} {fmt_time(t_base):>10s} {fmt_ratio(r['vs_baseline']):>18s}")


@dataclass
class Report:
    bench: str
    quick: bool
    env: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_json(self) -> dict:
        return {"bench": self.bench, "ok": self.ok, "quick": self.quick, "env": self.env, "rows": self.rows,
                "skipped": self.skipped, "failures": self.failures, "notes": self.notes}


def environment(extra: dict | None = None) -> dict:
    import numpy

    env = {"python": platform.python_version(), "numpy": numpy.__version__, "cpus": os.cpu_count(),
           "threads_via": "threadpoolctl" if has_threadpoolctl() else "OMP/OPENBLAS/MKL_NUM_THREADS",
           "load_average": load_average()}
    if has_torch():
        import torch

        env["torch"] = torch.__version__
    return env | (extra or {})


def load_average() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def fmt_time(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.3f} s"


def fmt_ratio(fig) -> str:
    if fig is None:
        return "-"
    lo, hi = fig["ratio_range"]
    return f"{fig['ratio']:.2f} [{lo:.2f}-{hi:.2f}]"


def print_rows(report: Report) -> None:
    head = (f"{'case':10s} {'sizes':40s} {'thr':>3s} {'cnncalc':>10s} {'torch':>10s} {'cnncalc/torch':>18s} "
            f"{'GEMM floor':>10s} {'cnncalc/GEMM':>18s} {'GEMM/torch':>10s} {'max|diff|':>9s}")
    print(head)
    for r in report.rows:
        m, diff = r["median_s"], r["max_diff"]
        gemm_torch = "-" if r["gemm_vs_torch"] is None else f"{r['gemm_vs_torch']['ratio']:.2f}"
        print(f"{r['case'][:10]:10s} {r['label'][:40]:40s} {r['threads'] or '-':>3} {fmt_time(m.get('cnncalc')):>10s} "
              f"{fmt_time(m.get('torch')):>10s} {fmt_ratio(r['vs_torch']):>18s} {fmt_time(m.get('gemm')):>10s} "
              f"{fmt_ratio(r['vs_gemm']):>18s} {gemm_torch:>10s} {'-' if diff is None else f'{diff:.1e}':>9s}")


def finish(report: Report, json_path: str | None) -> int:
    """Print the closing lines, write the JSON report, and return the exit status."""
    for line in report.notes:
        print(f"note: {line}")
    for line in report.skipped:
        print(f"SKIPPED: {line}")
    for line in report.failures:
        print(f"FAILED: {line}")
    print(f"RESULT {report.bench}: " + ("ok" if report.ok else f"FAILED ({len(report.failures)})"))
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(report.as_json(), fh, indent=2)
    return 0 if report.ok else 1


def parse_threads(text: str) -> list[int]:
    return [int(t) for t in text.split(",") if t.strip()]


def common_arguments(parser: argparse.ArgumentParser, blocks: int = 6, block_seconds: float = 0.2) -> None:
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 2 blocks of 1-2 passes (a smoke run)")
    parser.add_argument("--blocks", type=int, default=blocks, help=f"blocks per implementation (default {blocks})")
    parser.add_argument("--block-seconds", type=float, default=block_seconds,
                        help=f"target time of one block (default {block_seconds})")
    parser.add_argument("--threads", type=parse_threads, default=[1, 2], help="thread counts (default 1,2)")
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument("--json", help="write the report here")
