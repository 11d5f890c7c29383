"""Max- and average-pool forward + backward, float64 on the CPU: cnncalc ÷ PyTorch.

    /work/torchenv/bin/python bench/pool_speed.py            # full
    .venv/bin/python bench/pool_speed.py --quick             # tiny sizes, works without torch

Implementations, each in its own long-lived worker process per thread count:
  cnncalc  maxpool2d_forward + maxpool2d_backward(forward=...) (the maxima handed back, as
           autograd keeps its indices), or avgpool2d_forward + avgpool2d_backward
  torch    F.max_pool2d / F.avg_pool2d + torch.autograd.grad(y, x, dy), on a leaf made
           once (nothing cloned inside the timing)
No GEMM floor: pooling has no matrix product. Blocks interleave the two and rotate their
order; the figure is the median over blocks of cnncalc ÷ torch. Results must agree with
torch (y, dx) to 1e-9, else the script exits 1.
"""

from __future__ import annotations

import sys

import harness
import ops

LABEL = "{kind}-pool {k}x{k} s{s}, N{n} C{c} {hw}x{hw}"
FULL, TINY = {"n": 8, "c": 64, "hw": 56}, {"n": 2, "c": 4, "hw": 12}

CASES = [harness.Case(f"{kind}{k}", LABEL, FULL | {"kind": kind, "k": k, "s": 2}, TINY)
         for kind in ("max", "avg") for k in (2, 3)]


def build(impl: str, case: harness.Case, quick: bool):
    p = case.params(quick)
    r = ops.rng()
    x = r.standard_normal((p["n"], p["c"], p["hw"], p["hw"]))
    ho = (p["hw"] - p["k"]) // p["s"] + 1
    dy = r.standard_normal((p["n"], p["c"], ho, ho))
    make = ops.cnncalc_pool if impl == "cnncalc" else ops.torch_pool
    return make(x, dy, p["kind"], p["k"], p["s"])


if __name__ == "__main__":
    sys.exit(harness.main_for(__file__, CASES, build, ["cnncalc", "torch"], __doc__.splitlines()[0]))
