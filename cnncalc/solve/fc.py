"""`cnncalc fc`: y = W·x + b for a vector, a batch or a flattened tensor; dx, dW, db from dy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.conventions import Rule, RuleId
from cnncalc.core.fc import fc_backward, fc_forward
from cnncalc.errors import CnnError
from cnncalc.layers.fc import SPEC
from cnncalc.inputs.problem import Problem
from cnncalc.inputs.tensors import Fill, RandomFill, materialize
from cnncalc.naming import Naming
from cnncalc.result import Result
from cnncalc.solve.common import bias_from, check_names, note_no_upstream, read_array, read_upstream, require, shape_text



@dataclass(frozen=True)
class FcProblem:
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    layout: str
    names: Naming
    source: Problem


def read(problem: Problem) -> FcProblem:
    require(problem, "x", "w")
    x = read_array(problem, "x")
    b_spec = problem.tensor("b")
    b = b_spec if isinstance(b_spec, np.ndarray) else None  # a fill is sized by the weight, below
    options = problem.options(SPEC)
    layout, out = options["weight_layout"], options["out"]
    spec = problem.tensor("w")
    w_shape = None
    if isinstance(spec, (Fill, RandomFill)) and spec.shape is None:
        outputs = _output_count(problem, out, b)
        inputs = x.shape[-1] if x.ndim == 2 else int(np.prod(x.shape[1:] if x.ndim == 4 else x.shape))
        w_shape = (outputs, inputs) if layout == "out-in" else (inputs, outputs)
    try:
        w = materialize(spec, "w", w_shape, problem.max_elements)
    except CnnError as error:
        raise problem.locate(error) from None
    out_axis = 0 if layout == "out-in" else 1
    b = bias_from(problem, b_spec, w.shape[out_axis] if w.ndim == 2 else None)
    if b is not None and b.ndim == 0 and w.ndim == 2:
        b = np.full(w.shape[out_axis], float(b))  # one bias per output, all equal
    if out is not None and w.ndim == 2 and w.shape[out_axis] != out:
        raise problem.locate(CnnError("out", f"the number of outputs of w ({w.shape[out_axis]}, {layout})", str(out)))
    return FcProblem(x, w, b, layout, check_names(problem, SPEC.names), problem)


def _output_count(problem: Problem, count: int | None, b: np.ndarray | None) -> int:
    if count is None and b is not None:
        count = b.size
    if count is None and problem.has("dy"):
        dy = problem.tensor("dy")
        count = dy.shape[-1] if isinstance(dy, np.ndarray) and dy.ndim >= 1 else None
    if count is None:
        raise problem.locate(CnnError("w", "a known number of outputs for the fill",
                                      "nothing that fixes it", hint="give --out N, a bias with values, or dy with "
                                                                    "values"))
    return count


def _as_batch(x: np.ndarray, in_count: int) -> tuple[np.ndarray, bool, str | None]:
    """x as (N, in), whether it is a batch, and a note when it was flattened."""
    if x.ndim == 1:
        return x.reshape(1, -1), False, None
    if x.ndim == 2 and (x.shape[1] == in_count or x.size != in_count):
        return x, True, None
    if x.ndim == 4:
        return x.reshape(x.shape[0], -1), True, f"each sample of x {shape_text(x.shape)} flattened in C order " \
                                                f"(row-major: channel, then row, then column) to {x[0].size} inputs"
    return x.reshape(1, -1), False, f"x {shape_text(x.shape)} flattened in C order (row-major: " \
                                    f"channel, then row, then column) to {x.size} inputs"


def solve(p: FcProblem, max_elements: int) -> Result:
    in_count = p.w.shape[1] if p.layout == "out-in" and p.w.ndim == 2 else (p.w.shape[0] if p.w.ndim == 2 else -1)
    x2, batch, note = _as_batch(p.x, in_count)
    y2 = fc_forward(x2, p.w, p.b, p.layout)
    y_shape = y2.shape if batch else y2.shape[1:]
    result = Result("fc", {"weight_layout": p.layout, "in": x2.shape[1], "out": y2.shape[1], "batch": x2.shape[0],
                           "bias": p.b is not None, "flattened": note is not None},
                    conventions=[Rule(RuleId.FC, {"layout": p.layout, "bias": p.b is not None})], naming=p.names)
    result.notes += [note] if note else []
    result.inputs.update({"x": p.x, "w": p.w} | ({"b": p.b} if p.b is not None else {}))
    result.slice_axes.update({"x": ("n", "c")})
    result.forward["y"] = y2.reshape(y_shape)
    dy = read_upstream(p.source, y_shape, also=y2.shape)
    if dy is not None:
        grads = fc_backward(dy.reshape(y2.shape), x2, p.w, p.layout, has_bias=p.b is not None)
        result.inputs["dy"] = dy.reshape(y_shape)
        result.backward["dx"] = grads.dx.reshape(p.x.shape)
        result.backward["dw"] = grads.dw
        if grads.db is not None:
            result.backward["db"] = grads.db
    else:
        note_no_upstream(result, "the gradients (dx, dw" + (", db)" if p.b is not None else ")"))
    return result
