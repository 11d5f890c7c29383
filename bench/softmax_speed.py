"""Softmax + cross-entropy (mean) forward + backward on 1024x1000 logits, float64: cnncalc ÷ PyTorch.

    /work/torchenv/bin/python bench/softmax_speed.py         # full
    .venv/bin/python bench/softmax_speed.py --quick          # tiny sizes, works without torch

Implementations, each in its own long-lived worker process per thread count:
  cnncalc  target_distribution(classes) + cross_entropy(z, t, "mean"): L and dL/dz (and p,
           ln p, dL/dp, which cnncalc always returns)
  torch    F.cross_entropy(z, classes) + torch.autograd.grad(L, z)
Both start from the same class indices. No GEMM floor (no matrix product). The figure
is the median over interleaved blocks of cnncalc ÷ torch; L and dL/dz must agree to 1e-9.
"""

from __future__ import annotations

import sys

import harness
import ops

CASES = [harness.Case("softmax_ce", "softmax + CE {n}x{k}", {"n": 1024, "k": 1000}, {"n": 16, "k": 10})]


def build(impl: str, case: harness.Case, quick: bool):
    p = case.params(quick)
    r = ops.rng()
    z = r.standard_normal((p["n"], p["k"])) * 3
    classes = r.integers(0, p["k"], p["n"])
    return (ops.cnncalc_cross_entropy if impl == "cnncalc" else ops.torch_cross_entropy)(z, classes)


if __name__ == "__main__":
    sys.exit(harness.main_for(__file__, CASES, build, ["cnncalc", "torch"], __doc__.splitlines()[0]))
