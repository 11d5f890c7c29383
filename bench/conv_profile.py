"""Where cnncalc's conv time goes: a step-by-step breakdown of forward and backward.

cProfile cannot see inside conv2d_forward / conv2d_backward (np.matmul and the other
ufuncs are not reported as calls), so this script replays the same steps as
cnncalc/core/conv.py, using its helpers, and times each kind of step:

  pad        _grouped_padded: zeroed padded copy of x, laid out (G, C/G, N, Hp, Wp)
  columns    _columns: the strided window slice for one kernel offset, copied contiguous
  matmul     np.matmul for one kernel offset (y, dw or dx contribution)
  accumulate y += ... (forward) and dx_pad[rows, cols] += ... (backward), strided adds
  layout     transposes back to NCHW, the bias add, ascontiguousarray, dy's transpose
  db         dy.sum

It checks first that the replay gives the same numbers as the real functions, so the
breakdown describes the product's code; if conv.py changes shape this script says so.
Needs only NumPy and cnncalc.

Usage: python bench/conv_profile.py [--case large|loop|homework|all] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict

import numpy as np

from cnncalc.core import conv as C
from cnncalc.core.geometry import window_geometry

CASES = {  # name: (N, Cin, Cout, H=W, k, stride, padding)
    "homework": (1, 2, 2, 4, 3, 1, 0),
    "large": (8, 64, 64, 56, 3, 1, 1),
    "loop": (8, 16, 16, 32, 3, 1, 1),
}


class Clock:
    def __init__(self):
        self.t = defaultdict(float)
        self.last = time.perf_counter()

    def lap(self, name):
        now = time.perf_counter()
        self.t[name] += now - self.last
        self.last = now


def forward(x, w, b, geom, clk):
    n = x.shape[0]
    o, cg, kh, kw = w.shape
    ho, wo = geom.out_hw
    xg = C._grouped_padded(x, geom, 1)
    clk.lap("fwd pad")
    wg = w.reshape(1, o, cg, kh, kw)
    y = np.zeros((1, o, n * ho * wo))
    clk.lap("fwd layout")
    for a in range(kh):
        for e in range(kw):
            cols = C._columns(xg, geom, a, e)
            clk.lap("fwd columns")
            prod = np.matmul(wg[..., a, e], cols)
            clk.lap("fwd matmul")
            y += prod
            clk.lap("fwd accumulate")
    y = y.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    y = y + b.reshape(1, o, 1, 1)
    y = np.ascontiguousarray(y)
    clk.lap("fwd layout")
    return y


def backward(dy, x, w, geom, clk):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xg = C._grouped_padded(x, geom, 1)
    clk.lap("bwd pad")
    wg = w.reshape(1, o, cg, kh, kw)
    dyg = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(1, o, -1)
    dxg = np.zeros_like(xg)
    dwg = np.empty_like(wg)
    clk.lap("bwd layout")
    out_shape = (1, cg, n) + geom.out_hw
    for a in range(kh):
        for e in range(kw):
            rows, cols_ = C._offset_slices(geom, a, e)
            cols = C._columns(xg, geom, a, e)
            clk.lap("bwd columns")
            dwg[..., a, e] = np.matmul(dyg, cols.transpose(0, 2, 1))
            clk.lap("bwd matmul dw")
            prod = np.matmul(wg[..., a, e].transpose(0, 2, 1), dyg)
            clk.lap("bwd matmul dx")
            dxg[..., rows, cols_] += prod.reshape(out_shape)
            clk.lap("bwd accumulate dx")
    (top, _), (left, _) = geom.padding
    dx = np.ascontiguousarray(dxg[..., top:top + h, left:left + wd].transpose(2, 0, 1, 3, 4).reshape(n, c, h, wd))
    dw = np.ascontiguousarray(dwg.reshape(o, cg, kh, kw))
    clk.lap("bwd layout")
    db = dy.sum(axis=(0, 2, 3))
    clk.lap("bwd db")
    return dx, dw, db


def profile(name: str, repeats: int) -> None:
    n, cin, cout, hw, k, s, p = CASES[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, cin, hw, hw))
    w = rng.standard_normal((cout, cin, k, k))
    b = rng.standard_normal(cout)
    geom = window_geometry((hw, hw), (k, k), stride=s, padding=p)
    dy = rng.standard_normal((n, cout) + geom.out_hw)

    missing = [h for h in ("_grouped_padded", "_columns", "_offset_slices") if not hasattr(C, h)]
    if missing:
        sys.exit(f"conv_profile.py: cnncalc.core.conv no longer has {', '.join(missing)}; update the replay")
    y_ref = C.conv2d_forward(x, w, b, geom)
    g_ref = C.conv2d_backward(dy, x, w, geom)
    clk = Clock()
    y = forward(x, w, b, geom, clk)
    dx, dw, db = backward(dy, x, w, geom, clk)
    same = all(np.array_equal(a, r) for a, r in ((y, y_ref), (dx, g_ref.dx), (dw, g_ref.dw), (db, g_ref.db)))
    if not same:
        sys.exit("conv_profile.py: the replay no longer matches cnncalc/core/conv.py; update it")

    inner = max(1, int(0.3 / max(1e-6, sum(clk.t.values()))))  # passes per sample: ~0.3 s or 1
    samples, real = [], []
    for _ in range(repeats):  # replay and real passes interleaved, so noise hits both
        clk = Clock()
        for _ in range(inner):
            forward(x, w, b, geom, clk)
            backward(dy, x, w, geom, clk)
        samples.append({key: v / inner for key, v in clk.t.items()})
        t0 = time.perf_counter()
        for _ in range(inner):
            C.conv2d_forward(x, w, b, geom)
            C.conv2d_backward(dy, x, w, geom)
        real.append((time.perf_counter() - t0) / inner)
    keys = list(samples[0])
    med = {key: statistics.median(smp[key] for smp in samples) for key in keys}
    total = sum(med.values())
    print(f"\n== {name}: N={n}, C={cin}->{cout}, {hw}x{hw}, {k}x{k}, stride {s}, padding {p}"
          f"  ({repeats} samples of {inner} pass(es); median per pass)")
    print(f"  replayed total {total * 1e3:9.3f} ms   real conv2d_forward+backward "
          f"{statistics.median(real) * 1e3:9.3f} ms")
    for key in sorted(keys, key=lambda kk: -med[kk]):
        print(f"  {key:20s} {med[key] * 1e3:9.3f} ms  {100 * med[key] / total:5.1f}%")
    groups = defaultdict(float)
    for key in keys:
        groups["matmul (BLAS)" if "matmul" in key else "copies, adds, layout (memory)"] += med[key]
    print("  " + ";  ".join(f"{g}: {100 * v / total:.0f}%" for g, v in groups.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="all", choices=[*CASES, "all"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for name in (CASES if args.case == "all" else [args.case]):
        profile(name, args.repeats)


if __name__ == "__main__":
    main()
