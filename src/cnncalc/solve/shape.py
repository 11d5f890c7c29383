"""`cnncalc shape`: output size of a conv or pool from shapes alone, formula included."""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.core.geometry import WindowGeometry, window_geometry
from cnncalc.errors import CnnError
from cnncalc.inputs import fields
from cnncalc.inputs.problem import Problem
from cnncalc.inputs.tensors import read_shape
from cnncalc.result import Result
from cnncalc.solve.common import describe_padding, read_bool, shape_text

FIELDS = ("input", "kernel", "op", "stride", "padding", "dilation", "anchor", "ceil_mode", "mode")
AXES = (("H", "kH", "top", "bottom"), ("W", "kW", "left", "right"))


@dataclass(frozen=True)
class ShapeProblem:
    input: tuple[int, ...]
    kernel: tuple[int, ...]
    op: str
    stride: object
    padding: object
    dilation: object
    anchor: object
    ceil_mode: bool
    mode: str


def read(problem: Problem) -> ShapeProblem:
    for key in ("input", "kernel"):
        if not problem.has(key):
            raise CnnError(key, "a shape like 5x5 (given as --input/--kernel or in the file)", "nothing")
    shape = lambda raw, field: read_shape(raw, field, problem.max_elements)  # noqa: E731
    op = problem.read("op", fields.read_choice(("conv", "pool")), "conv")
    return ShapeProblem(
        input=problem.read("input", shape), kernel=problem.read("kernel", shape), op=op,
        stride=problem.read("stride", fields.read_int_or_pair(1)),
        padding=problem.read("padding", fields.read_padding, 0),
        dilation=problem.read("dilation", fields.read_int_or_pair(1), 1),
        anchor=problem.read("anchor", fields.read_int_or_pair(0)),
        ceil_mode=problem.read("ceil_mode", read_bool, False),
        mode=problem.read("mode", fields.read_choice(("correlation", "convolution"),
                                                     {"cross_correlation": "correlation"}), "correlation"),
    )


def _spatial(shape: tuple[int, ...], field: str) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], 1
    if len(shape) > 4:
        raise CnnError(field, "a shape of 1 to 4 dimensions", shape_text(shape))
    return shape[-2], shape[-1]


def _output_shape(p: ShapeProblem, geom: WindowGeometry) -> tuple[int, ...]:
    lead = p.input[:-2]
    if p.op == "conv" and len(p.kernel) == 4:
        if len(lead) >= 1 and lead[-1] % p.kernel[1] != 0:
            raise CnnError("kernel", f"input channels per group dividing {lead[-1]}", str(p.kernel[1]))
        lead = lead[:-1] + (p.kernel[0],) if lead else (p.kernel[0],)
    return tuple(lead) + tuple(geom.out_hw)


def solve(p: ShapeProblem, max_elements: int) -> Result:
    in_hw, k_hw = _spatial(p.input, "input"), _spatial(p.kernel, "kernel")
    if p.op == "pool" and p.ceil_mode is False and p.mode != "correlation":
        raise CnnError("mode", "no mode for pooling", p.mode)
    stride = p.stride if p.stride is not None else (list(k_hw) if p.op == "pool" else 1)
    geom = window_geometry(in_hw, k_hw, stride, p.padding, p.dilation, p.anchor, p.mode,
                           ceil_mode=p.ceil_mode and p.op == "pool")
    geom.check_fits("kernel")
    out = _output_shape(p, geom)
    parameters = {"op": p.op, "input": list(p.input), "kernel": list(p.kernel), "stride": list(geom.stride),
                  "padding": [list(pair) for pair in geom.padding], "dilation": list(geom.dilation),
                  "ceil_mode": geom.ceil_mode, "output": list(out)}
    lines = [f"{p.op}: input {shape_text(p.input)}, kernel {shape_text(p.kernel)} → output {shape_text(out)}",
             f"padding {describe_padding(p.padding, p.anchor, geom)}"]
    lines += [size_formula(geom, axis) for axis in range(2)]
    return Result("shape", parameters, conventions=lines)


def size_formula(geom: WindowGeometry, axis: int) -> str:
    """'Ho = ⌊(H + top + bottom − d·(kH − 1) − 1) / s⌋ + 1 = ... = n' with the numbers put in."""
    n_name, k_name, lo_name, hi_name = AXES[axis]
    n, k, s, d = geom.in_hw[axis], geom.kernel_hw[axis], geom.stride[axis], geom.dilation[axis]
    lo, hi = geom.padding[axis]
    left, right = ("⌈", "⌉") if geom.ceil_mode else ("⌊", "⌋")
    symbols = f"{left}({n_name} + {lo_name} + {hi_name} − d·({k_name} − 1) − 1) / s{right} + 1"
    numbers = f"{left}({n} + {lo} + {hi} − {d}·({k} − 1) − 1) / {s}{right} + 1"
    text = f"{n_name}_out = {symbols} = {numbers} = {geom.out_hw[axis]}"
    if geom.ceil_mode:
        text += " (a last window starting in the right padding is dropped, as in PyTorch)"
    return text
