"""A whole network forward + backward, float64: cnncalc's run_network ÷ PyTorch autograd, and ÷ its GEMM floor.

    /work/torchenv/bin/python bench/pipeline_speed.py        # full
    .venv/bin/python bench/pipeline_speed.py --quick         # tiny sizes, works without torch

Network: conv 3->16 k3 p1 (bias) -> relu -> max-pool 2x2 -> flatten -> fc 16·(H/2)²->10
(bias) -> softmax -> cross-entropy (mean) against class indices; input N32 3x32x32.
Implementations, each in its own long-lived worker process per thread count:
  cnncalc  cnncalc.core.network.run_network (every intermediate forward, dL/d(each of them),
           dL/d(each parameter)); the class indices turned into t inside the timing
  torch    the same layers with torch.nn.functional, torch.autograd.grad(L, [x, w1, b1, w2, b2])
  gemm     the conv's three im2col products and the fc's three products (see ops.py)
L and the gradients of x and every parameter must agree with torch to 1e-9.
"""

from __future__ import annotations

import sys

import harness
import ops

CASES = [harness.Case("pipeline", "conv-relu-maxpool-fc-softmax-CE N{n} {c}x{hw}x{hw}",
                      {"n": 32, "c": 3, "hw": 32, "filters": 16, "classes": 10},
                      {"n": 2, "c": 3, "hw": 8, "filters": 4, "classes": 3})]


def data(p: dict) -> dict:
    r = ops.rng()
    features = p["filters"] * (p["hw"] // 2) ** 2
    return {"x": r.standard_normal((p["n"], p["c"], p["hw"], p["hw"])),
            "w1": r.standard_normal((p["filters"], p["c"], 3, 3)) * 0.3,
            "b1": r.standard_normal(p["filters"]) * 0.1,
            "w2": r.standard_normal((p["classes"], features)) * features ** -0.5,
            "b2": r.standard_normal(p["classes"]) * 0.1,
            "classes": r.integers(0, p["classes"], p["n"])}


def gemm(p: dict):
    conv = {"n": p["n"], "cin": p["c"], "cout": p["filters"], "hw": p["hw"], "k": 3, "stride": 1, "padding": 1,
            "dilation": 1, "groups": 1}
    features = p["filters"] * (p["hw"] // 2) ** 2
    # fc: y (N, K) = x (N, F) @ wᵀ; as (1, K, F) @ (1, F, N), the same three products
    return ops.gemm_floor(ops.conv_gemm_operands(conv), ops.gemm_operands(1, p["classes"], features, p["n"]))


def build(impl: str, case: harness.Case, quick: bool):
    p = case.params(quick)
    if impl == "gemm":
        return gemm(p)
    return (ops.cnncalc_pipeline if impl == "cnncalc" else ops.torch_pipeline)(data(p))


if __name__ == "__main__":
    sys.exit(harness.main_for(__file__, CASES, build, ["cnncalc", "torch", "gemm"], __doc__.splitlines()[0]))
