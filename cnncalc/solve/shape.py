"""`cnncalc shape`: output size of a conv or pool from shapes alone, formula included."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.core.conv import check_channels
from cnncalc.core.conventions import Rule, RuleId, windows
from cnncalc.core.geometry import WindowGeometry, window_count, window_geometry
from cnncalc.core.pool import pool_geometry
from cnncalc.errors import CnnError
from cnncalc.layers.pool import SPEC as POOL
from cnncalc.layers.shape import SPEC
from cnncalc.inputs.problem import Problem
from cnncalc.result import Result
from cnncalc.solve.common import shape_text
from cnncalc.solve.layout import nchw_shape, oihw_shape, user_shape_of_y



@dataclass(frozen=True)
class ShapeProblem:
    input: tuple[int, ...]
    kernel: tuple[int, ...]
    op: str
    stride: object
    padding: object
    dilation: object
    groups: int
    anchor: object
    ceil_mode: bool
    mode: str


def read(problem: Problem) -> ShapeProblem:
    for key in ("input", "kernel"):
        if not problem.has(key):
            raise CnnError(key, "a shape like 5x5 (given as --input/--kernel or in the file)", "nothing")
    options = problem.options(SPEC)
    if options["op"] == "pool":  # pool's own rules: stride defaults to the window, padding is numbers
        options["stride"] = problem.read("stride", SPEC.option("stride").read)
        options["padding"] = problem.option(POOL.option("padding"))
    return ShapeProblem(**options)


def _check_options(p: ShapeProblem) -> None:
    if p.op == "conv" and p.ceil_mode:
        raise CnnError("ceil_mode", "ceil_mode with --op pool only (conv output sizes round down)", "true")
    if p.op == "pool" and p.anchor is not None:
        raise CnnError("anchor", "an anchor with --op conv only", str(p.anchor))
    if p.op == "pool" and p.groups != 1:
        raise CnnError("groups", "groups with --op conv only", str(p.groups))


def _conv_output(p: ShapeProblem) -> tuple[WindowGeometry, tuple]:
    x4, w4 = nchw_shape(p.input, "input"), oihw_shape(p.kernel, "kernel")
    if len(p.kernel) == 2:  # a window size alone: one filter over every channel of its group
        w4 = (1, max(x4[1] // p.groups, 1)) + w4[2:]
    check_channels(x4, w4, p.groups, kernel_field="kernel")
    geom = window_geometry(x4[2:], w4[2:], p.stride, p.padding, p.dilation, p.anchor, p.mode)
    geom.check_fits("kernel")
    return geom, user_shape_of_y(len(p.input), (x4[0], w4[0]) + geom.out_hw)


def _pool_output(p: ShapeProblem) -> tuple[WindowGeometry, tuple]:
    if len(p.kernel) != 2:
        raise CnnError("kernel", "a pooling window kH x kW", shape_text(p.kernel))
    x4 = nchw_shape(p.input, "input")
    geom = pool_geometry(x4[2:], list(p.kernel), p.stride, p.padding, p.dilation, p.ceil_mode)
    return geom, tuple(p.input[:-2]) + geom.out_hw


def solve(p: ShapeProblem, max_elements: int) -> Result:
    _check_options(p)
    geom, out = _conv_output(p) if p.op == "conv" else _pool_output(p)
    parameters = {"op": p.op, "input": list(p.input), "kernel": list(p.kernel), "stride": list(geom.stride),
                  "padding": [list(pair) for pair in geom.padding], "dilation": list(geom.dilation),
                  "groups": p.groups, "ceil_mode": geom.ceil_mode, "output": list(out)}
    rules = [Rule(RuleId.OUTPUT_SIZE, {"op": p.op, "input": p.input, "kernel": p.kernel, "output": out}),
             windows("conv" if p.op == "conv" else "max", geom, p.padding, p.anchor,
                     p.groups if p.op == "conv" else None)]
    rules += [size_formula(geom, axis) for axis in range(2)]
    return Result("shape", parameters, conventions=rules)


def size_formula(geom: WindowGeometry, axis: int) -> Rule:
    """Ho = ⌊(H + top + bottom − d·(kH − 1) − 1) / s⌋ + 1, with the numbers put in."""
    n, k, s, d = geom.in_hw[axis], geom.kernel_hw[axis], geom.stride[axis], geom.dilation[axis]
    lo, hi = geom.padding[axis]
    return Rule(RuleId.SIZE_FORMULA, {"axis": axis, "n": n, "k": k, "s": s, "d": d, "lo": lo, "hi": hi,
                                      "ceil_mode": geom.ceil_mode, "out": geom.out_hw[axis],
                                      "before_drop": window_count(n, k, s, d, (lo, hi), geom.ceil_mode)})
