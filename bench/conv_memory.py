"""Peak memory of cnncalc's conv forward + backward on the large case.

Case: N=8, C=64 -> 64, 56x56, 3x3 kernel, stride 1, padding 1, float64, with bias,
through cnncalc.core.conv.conv2d_forward and conv2d_backward.

The reference size is the total of the eight tensors the problem itself holds:
x, w, b, y, dy, dx, dw, db (about 52 MB here). Budget: peak < 3x that.

Two measurements, each in a fresh subprocess of this interpreter (so nothing else of
the parent is counted), after `import numpy` and a tiny warm-up conv (which loads
the BLAS and starts its threads):

  tracemalloc  NumPy reports its data buffers to tracemalloc, so the traced peak
               covers x, w, b, dy (made after tracemalloc.start()), every temporary
               of forward and backward, and the results y, dx, dw, db. Peaks of the
               forward alone and the backward alone (tracemalloc.reset_peak) are given
               too. Python objects are counted as well; they are small here.
  ru_maxrss    resource.getrusage(RUSAGE_SELF).ru_maxrss after the pass minus the
               resident size just before the tensors were made (/proc/self/statm;
               ru_maxrss where that is missing). Real pages, so it also sees BLAS
               work buffers; it can read low when malloc reuses freed pages.

--quick runs a tiny case (2, 4->4, 8x8): a smoke run whose ratio means nothing (the
budget is not judged there). The budget is reported, not enforced, unless BENCH_STRICT=1;
a failing measurement exits 1.

Usage: python bench/conv_memory.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys

SHAPE = {"n": 8, "cin": 64, "cout": 64, "hw": 56, "k": 3, "stride": 1, "padding": 1}
QUICK_SHAPE = {"n": 2, "cin": 4, "cout": 4, "hw": 8, "k": 3, "stride": 1, "padding": 1}
BUDGET = 3.0
MB = 1e6


def _rss_now() -> int:
    """Resident bytes now (Linux /proc), else the peak so far."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return _maxrss()


def _maxrss() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def child(method: str, s: dict) -> dict:
    import tracemalloc

    import numpy as np

    from cnncalc.core.conv import conv2d_backward, conv2d_forward
    from cnncalc.core.geometry import window_geometry

    geom = window_geometry((s["hw"], s["hw"]), (s["k"], s["k"]), stride=s["stride"], padding=s["padding"])
    # warm-up on a tiny problem: BLAS initialised, code paths touched
    small = window_geometry((6, 6), (3, 3), padding=1)
    xs, ws = np.ones((1, 2, 6, 6)), np.ones((2, 2, 3, 3))
    conv2d_backward(conv2d_forward(xs, ws, np.ones(2), small), xs, ws, small)

    if method == "tracemalloc":
        tracemalloc.start()
    rss_before = _rss_now()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((s["n"], s["cin"], s["hw"], s["hw"]))
    w = rng.standard_normal((s["cout"], s["cin"], s["k"], s["k"]))
    b = rng.standard_normal(s["cout"])
    dy = rng.standard_normal((s["n"], s["cout"]) + geom.out_hw)
    out = {}
    if method == "tracemalloc":
        inputs = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        y = conv2d_forward(x, w, b, geom)
        out["forward_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        g = conv2d_backward(dy, x, w, geom)
        cur, peak_bwd = tracemalloc.get_traced_memory()
        out.update(inputs=inputs, backward_peak=peak_bwd, after=cur)
        out["peak"] = max(out["forward_peak"], out["backward_peak"])
        tracemalloc.stop()
    else:
        y = conv2d_forward(x, w, b, geom)
        g = conv2d_backward(dy, x, w, geom)
        out.update(rss_before=rss_before, maxrss_after=_maxrss())
        out["peak"] = out["maxrss_after"] - rss_before
    tensors = {"x": x, "w": w, "b": b, "y": y, "dy": dy, "dx": g.dx, "dw": g.dw, "db": g.db}
    out["sizes"] = {k: int(v.nbytes) for k, v in tensors.items()}
    return out


def run_child(method: str, quick: bool) -> dict:
    res = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", method]
                         + (["--quick"] if quick else []), capture_output=True, text=True)
    if res.returncode != 0:
        lines = res.stderr.strip().splitlines() or [f"exit {res.returncode}"]
        raise RuntimeError(f"{method} child failed: {lines[-1]}")
    return json.loads(res.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--quick", action="store_true", help="a tiny case (smoke run)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    s = QUICK_SHAPE if args.quick else SHAPE
    if args.child:
        print(json.dumps(child(args.child, s)))
        return 0
    try:
        tm, rss = run_child("tracemalloc", args.quick), run_child("rss", args.quick)
    except RuntimeError as error:
        print(f"FAILED: {error}\nRESULT conv_memory: FAILED (1)")
        if args.json:
            with open(args.json, "w") as fh:
                json.dump({"bench": "conv_memory", "ok": False, "failures": [str(error)]}, fh)
        return 1
    total = sum(tm["sizes"].values())
    print(f"== conv memory: N={s['n']}, C={s['cin']}->{s['cout']}, {s['hw']}x{s['hw']}, {s['k']}x{s['k']}, "
          f"stride {s['stride']}, padding {s['padding']}, float64, forward + backward")
    print("  tensor sizes: " + ", ".join(f"{k} {v / MB:.2f}" for k, v in tm["sizes"].items())
          + f"  -> total {total / MB:.2f} MB")
    ratio_tm = tm["peak"] / total
    ratio_rss = rss["peak"] / total
    print(f"  tracemalloc peak      {tm['peak'] / MB:8.2f} MB = {ratio_tm:.2f}x the eight tensors")
    print(f"    forward alone       {tm['forward_peak'] / MB:8.2f} MB (x, w, b, dy live: {tm['inputs'] / MB:.2f} MB)"
          f" = {tm['forward_peak'] / total:.2f}x")
    print(f"    backward alone      {tm['backward_peak'] / MB:8.2f} MB (x, w, b, dy, y live) = "
          f"{tm['backward_peak'] / total:.2f}x;  working memory above the eight tensors "
          f"{(tm['peak'] - total) / MB:.2f} MB")
    print(f"  ru_maxrss delta       {rss['peak'] / MB:8.2f} MB = {ratio_rss:.2f}x the eight tensors"
          f"  (RSS before tensors {rss['rss_before'] / MB:.1f} MB, max RSS after {rss['maxrss_after'] / MB:.1f} MB)")
    worst = max(ratio_tm, ratio_rss)
    met = worst < BUDGET
    verdict = "not judged (--quick)" if args.quick else ("met" if met else "NOT MET")
    print(f"  budget < {BUDGET:.0f}x: {verdict} (worst of the two: {worst:.2f}x)")
    failed = not met and not args.quick and os.environ.get("BENCH_STRICT") == "1"
    print(f"RESULT conv_memory: {'FAILED (budget, BENCH_STRICT=1)' if failed else 'ok'}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"bench": "conv_memory", "ok": not failed, "quick": args.quick, "total_bytes": total, "tracemalloc": tm, "rss": rss, "ratio_tracemalloc": ratio_tm,
                       "ratio_rss": ratio_rss, "budget": BUDGET, "met": met}, fh, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
