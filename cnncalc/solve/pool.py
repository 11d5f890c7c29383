"""`cnncalc pool`: max or average pooling, dx from dy, the argmax of every window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry
from cnncalc.core.conventions import Rule, RuleId, windows
from cnncalc.core.pool import (avgpool2d_backward, avgpool2d_forward, maxpool2d_backward,
                               maxpool2d_forward, pool_geometry)
from cnncalc.layers.pool import SPEC
from cnncalc.inputs.problem import Problem
from cnncalc.naming import Naming
from cnncalc.result import Result
from cnncalc.solve.common import check_names, check_window_sizes, check_windows_meet_input, note_no_upstream, read_array, read_upstream, require
from cnncalc.solve.layout import as_nchw



@dataclass(frozen=True)
class PoolProblem:
    x: np.ndarray
    kind: str
    kernel_size: object
    stride: object
    padding: object
    dilation: object
    ceil_mode: bool
    count_include_pad: bool
    ties: str
    names: Naming
    source: Problem


def read(problem: Problem) -> PoolProblem:
    require(problem, "x")
    require(problem, "kernel_size", what="a window size like 2 or 2,3")
    return PoolProblem(x=read_array(problem, "x"), **problem.options(SPEC),
                       names=check_names(problem, SPEC.names), source=problem)


def solve(p: PoolProblem, max_elements: int) -> Result:
    x4 = as_nchw(p.x)
    geom = pool_geometry(x4.shape[2:], p.kernel_size, p.stride, p.padding, p.dilation, p.ceil_mode, p.kind)
    check_window_sizes(geom, x4.shape[:2], x4.shape[1], max_elements)
    check_windows_meet_input(geom)
    lead = p.x.shape[:-2]
    result = Result("pool", _parameters(p, geom), conventions=conventions(p, geom), naming=p.names)
    result.inputs["x"] = p.x
    if p.kind == "max":
        forward = maxpool2d_forward(x4, geom)
        result.positions["argmax"] = forward.argmax.reshape(lead + geom.out_hw + (2,))
    else:
        forward = avgpool2d_forward(x4, geom, p.count_include_pad)
        result.extras["divisor"] = forward.divisor
    y_shape = lead + geom.out_hw
    result.forward["y"] = forward.y.reshape(y_shape)
    dy = read_upstream(p.source, y_shape, also=forward.y.shape)
    if dy is not None:
        dy4 = dy.reshape(forward.y.shape)
        grads = (maxpool2d_backward(dy4, x4, geom, p.ties, forward=forward) if p.kind == "max"
                 else avgpool2d_backward(dy4, geom, p.count_include_pad))
        result.inputs["dy"] = dy.reshape(y_shape)
        result.backward["dx"] = grads.dx.reshape(p.x.shape)
    else:
        note_no_upstream(result, "the gradients (dx)")
    return result


def _parameters(p: PoolProblem, geom: WindowGeometry) -> dict:
    return {"kind": p.kind, "kernel_size": list(geom.kernel_hw), "stride": list(geom.stride),
            "padding": [list(pair) for pair in geom.padding], "dilation": list(geom.dilation),
            "ceil_mode": p.ceil_mode, "count_include_pad": p.count_include_pad if p.kind == "avg" else None,
            "ties": p.ties if p.kind == "max" else None, "output_hw": list(geom.out_hw)}


def conventions(p: PoolProblem, geom: WindowGeometry) -> list[Rule]:
    return pool_rules(geom, p.kind, p.padding, p.ties, p.count_include_pad)


def pool_rules(geom: WindowGeometry, kind: str, padding, ties: str, count_include_pad: bool) -> list[Rule]:
    """A pooling layer's conventions, for `cnncalc pool` and a pipeline's pooling layers alike."""
    rules = [windows(kind, geom, padding)]
    if kind == "max":
        return rules + [Rule(RuleId.POOL_MAX), Rule(RuleId.POOL_TIES, {"ties": ties})]
    return rules + [Rule(RuleId.POOL_AVG, {"count_include_pad": count_include_pad})]
