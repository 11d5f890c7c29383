"""How long explanations take, against a baseline measured in the same run.

1. Explaining one entry (y, dx and dw) of the large conv (N=8, C=O=64, 56×56, 3×3, padding 1)
   against the forward pass itself: the ratio should be well below 1 (the term maps are
   lazy: one entry costs its own terms only).
2. --symbolic on a 28×28 input with a 5×5 kernel: the whole derivation (every y, dx, dw, db
   entry) built and written as text, wall time.

    python bench/explain_speed.py           # the sizes above
    python bench/explain_speed.py --quick   # smaller, for CI (N=2, C=16, 28×28)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cnncalc.core.conv import conv2d_forward
from cnncalc.core.geometry import window_geometry
from cnncalc.explain import Request, explain
from cnncalc.naming import LAYER_GRADIENTS, Naming
from cnncalc.render.explanation import explanation_view
from cnncalc.result import Result


def best_of(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def conv_result(x, w, dy, geom) -> Result:
    """A solved conv Result without computing the backward pass (explaining needs only the inputs)."""
    params = {"mode": "correlation", "stride": list(geom.stride), "padding": [list(p) for p in geom.padding],
              "dilation": list(geom.dilation), "groups": 1, "bias": False, "input_nchw": list(x.shape),
              "weight_oihw": list(w.shape), "output_hw": list(geom.out_hw)}
    result = Result("conv", params, naming=Naming({}, LAYER_GRADIENTS))
    y = np.zeros((x.shape[0], w.shape[0]) + geom.out_hw)
    result.inputs.update({"x": x, "w": w, "dy": dy})
    result.forward["y"] = y
    result.backward.update({"dx": np.zeros_like(x), "dw": np.zeros_like(w)})
    return result


def one_entry(n: int, c: int, hw: int, repeats: int) -> None:
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((n, c, hw, hw)), rng.standard_normal((c, c, 3, 3))
    geom = window_geometry((hw, hw), (3, 3), 1, 1)
    dy = rng.standard_normal((n, c) + geom.out_hw)
    forward = best_of(lambda: conv2d_forward(x, w, None, geom), repeats)
    result = conv_result(x, w, dy, geom)
    print(f"conv N={n}, C=O={c}, {hw}×{hw}, 3×3: forward {forward * 1e3:.1f} ms")
    for entry in ("y[1,1,2,2]", "dx[1,1,2,2]", "dw[1,1,2,2]"):
        took = best_of(lambda: explain(result, Request((entry,))), repeats)
        print(f"  explain {entry:12} {took * 1e3:8.2f} ms   ratio to forward {took / forward:.4f}")


def symbolic(hw: int, k: int, repeats: int) -> None:
    geom = window_geometry((hw, hw), (k, k), 1, 0)
    shape_x, shape_w = (1, 1, hw, hw), (1, 1, k, k)
    result = conv_result(np.ones(shape_x), np.ones(shape_w), np.ones((1, 1) + geom.out_hw), geom)

    def whole():
        explanation = explain(result, Request((), True, 0))
        view = explanation_view(explanation, result.naming)
        return len(view.steps)

    took = best_of(whole, repeats)
    print(f"--symbolic {hw}×{hw} input, {k}×{k} kernel, every step ({whole()} steps) built and written: "
          f"{took:.3f} s")
    bounded = best_of(lambda: explanation_view(explain(result, Request((), True, 40)), result.naming), repeats)
    print(f"--symbolic with the default --max-steps 40: {bounded * 1e3:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for CI")
    quick = parser.parse_args().quick
    one_entry(2 if quick else 8, 16 if quick else 64, 28 if quick else 56, 3 if quick else 5)
    symbolic(28, 5, 1 if quick else 3)


if __name__ == "__main__":
    main()
