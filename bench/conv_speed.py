"""Conv forward + backward (dx, dw, db), float64 on the CPU: cnncalc ÷ PyTorch, and ÷ the GEMM floor.

Run with an interpreter that has cnncalc, and PyTorch for the full run (torch is a
benchmark reference, never a cnncalc dependency; see bench/README.md):

    /work/torchenv/bin/python bench/conv_speed.py            # full, ~2 min
    .venv/bin/python bench/conv_speed.py --quick             # tiny sizes, works without torch

Implementations, each in its own long-lived worker process per thread count:
  cnncalc  conv2d_forward + conv2d_backward (geometry made once, outside the timing)
  torch    F.conv2d + torch.autograd.grad(y, (x, w, b), dy)
  gemm     the three im2col matrix products of the same conv (see ops.py): the floor
The figure is the median over interleaved blocks of cnncalc's block median ÷ torch's;
[lo-hi] is the range over blocks. Results must agree with torch to 1e-9 (relative), else
the script exits 1. Exit 1 too when torch is missing (outside --quick) or a worker fails.
"""

from __future__ import annotations

import sys

import harness
import ops

BASE = {"n": 8, "cin": 16, "cout": 32, "hw": 32, "k": 3, "stride": 1, "padding": 1, "dilation": 1, "groups": 1}
LABEL = "N{n} {cin}->{cout} {hw}x{hw} k{k} p{padding} s{stride} d{dilation} g{groups}"
TINY = {"n": 2, "cin": 4, "cout": 4, "hw": 8}


def case(name: str, quick: dict | None = None, **changes) -> harness.Case:
    return harness.Case(name, LABEL, BASE | changes, TINY | (quick or {}))


CASES = [
    case("homework", quick={"hw": 3, "cin": 1, "cout": 1, "n": 1},
         n=1, cin=1, cout=1, hw=3, k=2, padding=0),
    case("resnet", n=8, cin=64, cout=64, hw=56),
    case("mid"),
    case("stride2", stride=2),
    case("dilation2", dilation=2),
    case("kernel5", k=5),
    case("depthwise", quick={"groups": 4}, cout=16, groups=16),
    case("mnist", quick={"cin": 1, "n": 4}, n=64, cin=1, cout=8, hw=28),
]


def build(impl: str, c: harness.Case, quick: bool):
    p = c.params(quick)
    if impl == "gemm":
        return ops.gemm_floor(ops.conv_gemm_operands(p))
    d = ops.conv_data(p)
    return ops.cnncalc_conv(d, p) if impl == "cnncalc" else ops.torch_conv(d, p)


if __name__ == "__main__":
    sys.exit(harness.main_for(__file__, CASES, build, ["cnncalc", "torch", "gemm"], __doc__.splitlines()[0]))
