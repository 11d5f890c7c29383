"""The conv problem: read it, lift it to NCHW, run the core, bring results back.

Shapes as the user writes them (SPEC "Tensors"): x is (H,W), (C,H,W) or
(N,C,H,W); w is (kH,kW), (Cin,kH,kW) or (Cout,Cin/groups,kH,kW). Results keep
the number of dimensions the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.conv import check_channels, conv2d_backward, conv2d_forward
from cnncalc.core.conventions import Rule, RuleId, windows
from cnncalc.core.geometry import WindowGeometry, window_geometry
from cnncalc.errors import CnnError
from cnncalc.layers.conv import SPEC
from cnncalc.inputs.problem import Problem
from cnncalc.naming import Naming
from cnncalc.result import Result
from cnncalc.solve.layout import as_nchw, as_oihw, user_shape_of_y
from cnncalc.solve.common import (bias_from, check_names, check_window_sizes, note_no_upstream, read_array,
                                  read_upstream, require, shape_text)



@dataclass(frozen=True)
class ConvProblem:
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: object
    padding: object
    dilation: object
    groups: int
    mode: str
    anchor: object
    names: Naming
    source: Problem  # dy is read from it once y's shape is known (a fill takes that shape)


def read(problem: Problem) -> ConvProblem:
    require(problem, "x", "w")
    w = read_array(problem, "w")
    try:
        filters = as_oihw(w).shape[0]
    except CnnError as error:
        raise problem.locate(error) from None
    return ConvProblem(
        x=read_array(problem, "x"), w=w, b=bias_from(problem, problem.tensor("b"), filters),
        **problem.options(SPEC), names=check_names(problem, SPEC.names), source=problem,
    )


def _bias(b: np.ndarray | None, filters: int) -> np.ndarray | None:
    """b as one bias per filter; a number stands for the same bias on every filter."""
    if b is None:
        return None
    if b.size == 1 and b.ndim <= 1:
        return np.full(filters, float(b.reshape(())))
    if b.shape != (filters,):
        raise CnnError("b", f"a number or one bias per filter ({filters})", shape_text(b.shape))
    return b


def conv_geometry(x4_shape: tuple, w4_shape: tuple, p: ConvProblem) -> WindowGeometry:
    geom = window_geometry(x4_shape[2:], w4_shape[2:], p.stride, p.padding, p.dilation, p.anchor, p.mode)
    geom.check_fits("w")
    return geom


def solve(p: ConvProblem, max_elements: int) -> Result:
    x4, w4 = as_nchw(p.x), as_oihw(p.w)
    check_channels(x4.shape, w4.shape, p.groups)
    b = _bias(p.b, w4.shape[0]) if p.b is not None else None
    geom = conv_geometry(x4.shape, w4.shape, p)
    check_window_sizes(geom, x4.shape[:2], w4.shape[0], max_elements)
    y4 = conv2d_forward(x4, w4, b, geom, p.groups, p.mode)
    y_shape = user_shape_of_y(p.x.ndim, y4.shape)
    result = Result("conv", _parameters(p, geom, x4, w4), conventions=conventions(p, geom), naming=p.names)
    result.slice_axes.update({"w": ("o", "c"), "dw": ("o", "c")})
    result.inputs.update({"x": p.x, "w": p.w} | ({"b": p.b} if p.b is not None else {}))
    result.forward["y"] = y4.reshape(y_shape)
    dy = read_upstream(p.source, y_shape, also=y4.shape)
    if dy is not None:
        dy4 = dy.reshape(y4.shape)
        grads = conv2d_backward(dy4, x4, w4, geom, p.groups, p.mode, has_bias=p.b is not None)
        result.inputs["dy"] = dy4.reshape(y_shape)
        result.backward["dx"] = grads.dx.reshape(p.x.shape)
        result.backward["dw"] = grads.dw.reshape(p.w.shape)
        if grads.db is not None:
            # A number for b is one bias per filter (PyTorch's); one filter keeps the shape written.
            result.backward["db"] = grads.db.reshape(p.b.shape) if grads.db.size == p.b.size else grads.db
    else:
        note_no_upstream(result, "the gradients (dx, dw" + (", db)" if p.b is not None else ")"))
    return result


def _parameters(p: ConvProblem, geom: WindowGeometry, x4, w4) -> dict:
    return {
        "mode": p.mode,
        "stride": list(geom.stride),
        "padding": [list(pair) for pair in geom.padding],
        "padding_given": p.padding if p.anchor is None else None,
        "anchor": p.anchor,
        "dilation": list(geom.dilation),
        "groups": p.groups,
        "bias": p.b is not None,
        "input_nchw": list(x4.shape),
        "weight_oihw": list(w4.shape),
        "output_hw": list(geom.out_hw),
    }


def conventions(p: ConvProblem, geom: WindowGeometry) -> list[Rule]:
    return conv_rules(geom, p.mode, p.groups, p.b is not None, p.padding, p.anchor)


def conv_rules(geom: WindowGeometry, mode: str, groups: int, has_bias: bool, padding, anchor) -> list[Rule]:
    """A conv layer's conventions, for `cnncalc conv` and a pipeline's conv layers alike."""
    return [Rule(RuleId.CONV_MODE, {"mode": mode}),
            Rule(RuleId.CONV_SUM, {"mode": mode, "stride": geom.stride, "dilation": geom.dilation,
                                   "groups": groups, "bias": has_bias}),
            windows("conv", geom, padding if anchor is None else None, anchor, groups)]
