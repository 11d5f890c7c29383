"""Speed of cnncalc's conv core against PyTorch and against textbook loop code.

Run with an interpreter that has both cnncalc and PyTorch (CPU) installed; torch is
only a benchmark reference, never a cnncalc dependency:

    python3 -m venv /tmp/torchenv
    /tmp/torchenv/bin/pip install torch numpy      # CPU wheel is enough
    /tmp/torchenv/bin/pip install -e .             # cnncalc, editable
    /tmp/torchenv/bin/python bench/conv_speed.py

What is timed (float64 throughout; one pass = forward + backward for dx, dw, db):
  cnncalc  cnncalc.core.conv.conv2d_forward + conv2d_backward (the geometry from
           cnncalc.core.geometry.window_geometry is made once, outside the timing)
  torch    F.conv2d forward + torch.autograd.grad(y, (x, w, b), dy), with
           torch.set_num_threads(2)
  loop     a textbook NumPy conv written below: Python loops over every output entry
           (n, o, i, j), a NumPy dot over its window forward, and window-sized
           updates of dw and dx backward (like the loop code of seed 004)

Cases:
  homework  N=1, C=2 -> 2, 4x4, 3x3, stride 1, no padding (seed 001's numeric problem)
  large     N=8, C=64 -> 64, 56x56, 3x3, stride 1, padding 1 (a ResNet stage-1 layer)
  loop      N=8, C=16 -> 16, 32x32, 3x3, stride 1, padding 1: cnncalc and torch as above,
            and the loop version timed in full (not on a subset, not scaled),
            --loop-runs times (default 2), no warm-up

How: each implementation runs in its own worker process (same data: a fixed seed), in
blocks that alternate cnncalc, torch, torch, cnncalc, ... so slow drift of a shared
machine hits both alike. Each block warms up, then times its repeats with
time.perf_counter. Separate processes because in one process NumPy's OpenBLAS
threads and torch's OpenMP threads, both spinning after each call, slow whichever
runs next on 2 cores (measured: torch 2-2.5x slower in the loop case);
--inline times both in one process, interleaved call by call, to see that.
Reported: the median pass time over all repeats (and forward / backward medians),
the ratio cnncalc/torch of the medians, and as cross-checks against a busy machine
the ratio of the minima and the median and range of per-block-pair ratios; and the
largest absolute difference between cnncalc and torch over y, dx, dw, db (< 1e-10).

Usage: python bench/conv_speed.py [--quick] [--repeats-scale F] [--blocks B]
                                  [--loop-runs 2] [--inline] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from cnncalc.core.conv import conv2d_backward, conv2d_forward
from cnncalc.core.geometry import window_geometry

TOLERANCE = 1e-10


@dataclass(frozen=True)
class Case:
    name: str
    n: int
    cin: int
    cout: int
    hw: int
    k: int
    stride: int
    padding: int
    warmups: int   # per block
    repeats: int   # per block

    @property
    def label(self) -> str:
        return (f"N={self.n}, C={self.cin}->{self.cout}, {self.hw}x{self.hw}, {self.k}x{self.k}, "
                f"stride {self.stride}, padding {self.padding}")

    def out_hw(self) -> int:
        return (self.hw + 2 * self.padding - self.k) // self.stride + 1

    def flops(self) -> float:
        """2 x multiply-adds of forward + dx + dw (three convolutions of equal cost)."""
        return 3.0 * 2 * self.n * self.cout * self.cin * self.k * self.k * self.out_hw() ** 2

    def geometry(self):
        return window_geometry((self.hw, self.hw), (self.k, self.k), stride=self.stride,
                               padding=self.padding)


def make_data(case: Case, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((case.n, case.cin, case.hw, case.hw))
    w = rng.standard_normal((case.cout, case.cin, case.k, case.k))
    b = rng.standard_normal(case.cout)
    ho = case.out_hw()
    dy = rng.standard_normal((case.n, case.cout, ho, ho))
    return x, w, b, dy


# ----------------------------------------------------------------- implementations

def cnncalc_runner(case: Case, x, w, b, dy):
    geom = case.geometry()

    def run(split=None):
        t0 = time.perf_counter()
        y = conv2d_forward(x, w, b, geom)
        t1 = time.perf_counter()
        g = conv2d_backward(dy, x, w, geom)
        t2 = time.perf_counter()
        if split is not None:
            split.append((t1 - t0, t2 - t1))
        return y, g.dx, g.dw, g.db

    return run


def torch_runner(case: Case, x, w, b, dy, threads: int = 2):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    xt = torch.from_numpy(x).requires_grad_(True)
    wt = torch.from_numpy(w).requires_grad_(True)
    bt = torch.from_numpy(b).requires_grad_(True)
    dyt = torch.from_numpy(dy)

    def run(split=None):
        t0 = time.perf_counter()
        y = F.conv2d(xt, wt, bt, stride=case.stride, padding=case.padding)
        t1 = time.perf_counter()
        dx, dw, db = torch.autograd.grad(y, (xt, wt, bt), dyt)
        t2 = time.perf_counter()
        if split is not None:
            split.append((t1 - t0, t2 - t1))
        return y.detach().numpy(), dx.numpy(), dw.numpy(), db.numpy()

    return run


def loop_forward(x, w, b, stride: int, padding: int):
    """Textbook conv: one Python iteration per output entry, a dot over its window."""
    n_, _, h, wd = x.shape
    o_, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    y = np.empty((n_, o_, ho, wo))
    for n in range(n_):
        for o in range(o_):
            kernel = w[o].ravel()
            for i in range(ho):
                for j in range(wo):
                    window = xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    y[n, o, i, j] = np.dot(window.ravel(), kernel) + b[o]
    return y


def loop_backward(dy, x, w, stride: int, padding: int):
    """dx, dw, db by the same loops: each dy entry scatters into its window."""
    _, _, h, wd = x.shape
    o_, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    n_, _, ho, wo = dy.shape
    for n in range(n_):
        for o in range(o_):
            for i in range(ho):
                for j in range(wo):
                    g = dy[n, o, i, j]
                    rows = slice(i * stride, i * stride + kh)
                    cols = slice(j * stride, j * stride + kw)
                    dw[o] += g * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += g * w[o]
    dx = np.ascontiguousarray(dxp[:, :, padding:padding + h, padding:padding + wd])
    db = dy.sum(axis=(0, 2, 3))
    return dx, dw, db


def loop_runner(case: Case, x, w, b, dy):
    def run(split=None):
        t0 = time.perf_counter()
        y = loop_forward(x, w, b, case.stride, case.padding)
        t1 = time.perf_counter()
        dx, dw, db = loop_backward(dy, x, w, case.stride, case.padding)
        t2 = time.perf_counter()
        if split is not None:
            split.append((t1 - t0, t2 - t1))
        return y, dx, dw, db

    return run


def make_runner(impl: str, case: Case, threads: int):
    data = make_data(case)
    if impl == "torch":
        return torch_runner(case, *data, threads=threads)
    return {"cnncalc": cnncalc_runner, "loop": loop_runner}[impl](case, *data)


# ----------------------------------------------------------------- measuring

def time_block(run, warmups: int, repeats: int) -> list[tuple[float, float]]:
    """(forward, backward) seconds of each timed pass, after the warm-ups."""
    for _ in range(warmups):
        run()
    split: list[tuple[float, float]] = []
    for _ in range(repeats):
        run(split)
    return split


def worker(spec: str) -> None:
    """--worker: time one block of one implementation, print the splits as JSON."""
    job = json.loads(spec)
    case = Case(**job["case"])
    run = make_runner(job["impl"], case, job["threads"])
    print(json.dumps(time_block(run, case.warmups, case.repeats)))


def block_in_subprocess(impl: str, case: Case, threads: int) -> list[tuple[float, float]]:
    spec = json.dumps({"impl": impl, "case": asdict(case), "threads": threads})
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", spec],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(s) for s in json.loads(out)]


def measure(case: Case, impls: list[str], blocks: int, threads: int, inline: bool) -> dict:
    """Splits per implementation, pooled over blocks; blocks alternate the order."""
    splits: dict[str, list] = {i: [] for i in impls}
    block_medians: dict[str, list] = {i: [] for i in impls}
    runners = {i: make_runner(i, case, threads) for i in impls} if inline else None
    if inline:
        for i in impls:  # warm-up once, then interleave call by call
            time_block(runners[i], case.warmups, 0)
    for blk in range(blocks):
        order = impls if blk % 2 == 0 else impls[::-1]
        if inline:
            got = {i: [] for i in impls}
            for _ in range(case.repeats):
                for i in order:
                    runners[i](got[i])
        else:
            got = {i: block_in_subprocess(i, case, threads) for i in order}
        for i in impls:
            splits[i] += got[i]
            block_medians[i].append(statistics.median(f + b for f, b in got[i]))
    return {"splits": splits, "block_medians": block_medians}


def summarize(splits: list[tuple[float, float]]) -> dict:
    totals = sorted(f + b for f, b in splits)
    q = lambda p: totals[min(len(totals) - 1, int(p * len(totals)))]  # noqa: E731
    return {"median_s": statistics.median(totals), "min_s": totals[0], "p25_s": q(0.25),
            "p75_s": q(0.75), "forward_median_s": statistics.median(f for f, _ in splits),
            "backward_median_s": statistics.median(b for _, b in splits), "n": len(totals)}


def max_abs_diff(ours, theirs) -> float:
    worst = 0.0
    for a, t in zip(ours, theirs):
        assert a.shape == t.shape, (a.shape, t.shape)
        worst = max(worst, float(np.max(np.abs(a - t))))
    return worst


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def bench_case(case: Case, blocks: int, threads: int, inline: bool) -> dict:
    data = make_data(case)
    diff = max_abs_diff(cnncalc_runner(case, *data)(), torch_runner(case, *data, threads=threads)())
    m = measure(case, ["cnncalc", "torch"], blocks, threads, inline)
    stats = {i: summarize(m["splits"][i]) for i in ("cnncalc", "torch")}
    c, t = stats["cnncalc"], stats["torch"]
    ratio = c["median_s"] / t["median_s"]
    pair_ratios = [a / b for a, b in zip(m["block_medians"]["cnncalc"], m["block_medians"]["torch"])]
    how = "in-process, interleaved call by call" if inline else "worker processes, alternating blocks"
    print(f"\n== {case.name}: {case.label}")
    print(f"   {blocks} blocks x ({case.warmups} warm-ups + {case.repeats} timed passes) each, {how}")
    for name, s in stats.items():
        print(f"  {name:8s} median {fmt_time(s['median_s']):>10s}  (IQR {fmt_time(s['p25_s'])} .. "
              f"{fmt_time(s['p75_s'])}, min {fmt_time(s['min_s'])}, n={s['n']})  forward "
              f"{fmt_time(s['forward_median_s'])}, backward {fmt_time(s['backward_median_s'])}"
              f"  ~{case.flops() / s['median_s'] / 1e9:.2f} GFLOP/s")
    ratio_min = c["min_s"] / t["min_s"]
    print(f"  ratio cnncalc/torch (medians): {ratio:.2f}x   forward "
          f"{c['forward_median_s'] / t['forward_median_s']:.2f}x, backward "
          f"{c['backward_median_s'] / t['backward_median_s']:.2f}x")
    print(f"    cross-checks: ratio of minima {ratio_min:.2f}x; per block pair median "
          f"{statistics.median(pair_ratios):.2f}x (range {min(pair_ratios):.2f}..{max(pair_ratios):.2f})")
    ok = diff < TOLERANCE
    print(f"  max |cnncalc - torch| over y, dx, dw, db: {diff:.3e}  "
          f"({'< 1e-10: OK' if ok else '>= 1e-10: MISMATCH'})")
    return {"case": case.label, **stats, "ratio_cnncalc_over_torch": ratio,
            "ratio_per_block_pair": pair_ratios, "ratio_of_minima": ratio_min,
            "ratio_forward": c["forward_median_s"] / t["forward_median_s"],
            "ratio_backward": c["backward_median_s"] / t["backward_median_s"],
            "max_abs_diff_vs_torch": diff, "diff_ok": ok}


def bench_loop(case: Case, loop_runs: int, base: dict, inline: bool) -> dict:
    """The loop version, `loop_runs` full passes in a worker, against cnncalc's median."""
    data = make_data(case)
    one = Case(**{**asdict(case), "warmups": 0, "repeats": loop_runs})
    run = loop_runner(case, *data)
    splits = time_block(run, 0, loop_runs) if inline else block_in_subprocess("loop", one, 2)
    diff = max_abs_diff(cnncalc_runner(case, *data)(), run())
    times = [f + b for f, b in splits]
    loop_t = statistics.median(times)
    ratio = loop_t / base["cnncalc"]["median_s"]
    print(f"  loop     {loop_runs} full pass(es), no warm-up, not scaled: "
          + ", ".join(fmt_time(t) for t in times)
          + f"  (forward {fmt_time(statistics.median(f for f, _ in splits))}, backward "
            f"{fmt_time(statistics.median(b for _, b in splits))})")
    print(f"  ratio loop/cnncalc (medians): {ratio:,.0f}x   loop/torch: "
          f"{loop_t / base['torch']['median_s']:,.0f}x")
    print(f"  max |cnncalc - loop| over y, dx, dw, db: {diff:.3e}")
    return {"loop_times_s": times, "loop_median_s": loop_t, "ratio_loop_over_cnncalc": ratio,
            "ratio_loop_over_torch": loop_t / base["torch"]["median_s"], "max_abs_diff_vs_loop": diff}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer blocks and repeats (smoke run, noisier)")
    parser.add_argument("--repeats-scale", type=float, default=1.0, help="multiply every repeat count")
    parser.add_argument("--blocks", type=int, default=6, help="blocks per implementation (default 6)")
    parser.add_argument("--loop-runs", type=int, default=2, help="full passes of the loop version")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--inline", action="store_true",
                        help="time both in this process, call by call (shows thread-pool interference)")
    parser.add_argument("--json", help="write all figures here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    try:
        import torch
    except ImportError:
        sys.exit("conv_speed.py needs PyTorch in this interpreter (pip install torch); "
                 "it is a benchmark reference only, not a cnncalc dependency")
    scale = args.repeats_scale * (0.25 if args.quick else 1.0)
    blocks = max(2, args.blocks // 2) if args.quick else args.blocks
    reps = lambda r: max(2, int(round(r * scale)))  # noqa: E731
    cases = [
        Case("homework", 1, 2, 2, 4, 3, 1, 0, warmups=30, repeats=reps(100)),
        Case("large", 8, 64, 64, 56, 3, 1, 1, warmups=1, repeats=reps(3)),
        Case("loop", 8, 16, 16, 32, 3, 1, 1, warmups=3, repeats=reps(10)),
    ]
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}"
          f" (set_num_threads({args.threads})), {os.cpu_count()} CPUs, float64; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    results = {}
    for case in cases:
        results[case.name] = bench_case(case, blocks, args.threads, args.inline)
        if case.name == "loop":
            results["loop"].update(bench_loop(case, args.loop_runs, results["loop"], args.inline))
    bad = [name for name, r in results.items() if not r["diff_ok"]]
    print("\n== conv speed summary (median pass = forward + backward, float64)")
    for name, r in results.items():
        print(f"  {name:8s} cnncalc {fmt_time(r['cnncalc']['median_s']):>10s}  torch "
              f"{fmt_time(r['torch']['median_s']):>10s}  cnncalc/torch {r['ratio_cnncalc_over_torch']:5.2f}x"
              f" (minima {r['ratio_of_minima']:.2f}x)"
              f"  max diff {r['max_abs_diff_vs_torch']:.1e}")
    lp = results["loop"]
    print(f"  loop code, N=8 C=16 32x32 3x3: {fmt_time(lp['loop_median_s'])} = "
          f"{lp['ratio_loop_over_cnncalc']:,.0f}x cnncalc's time")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"results": results, "tolerance": TOLERANCE, "mismatch": bad,
                       "inline": args.inline, "blocks": blocks}, fh, indent=2)
    if bad:
        print(f"MISMATCH against torch (>= {TOLERANCE}) in: {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
