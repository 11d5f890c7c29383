"""`cnncalc act`: relu, leaky_relu, sigmoid, tanh, element-wise; dx from dy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.conventions import Rule, RuleId
from cnncalc.core.activations import activation_backward, activation_forward
from cnncalc.vocabulary import ACTIVATION_KINDS
from cnncalc.layers.act import SPEC
from cnncalc.inputs.problem import Problem
from cnncalc.naming import Naming
from cnncalc.result import Result
from cnncalc.solve.common import check_names, kink_warning, note_no_upstream, read_array, read_upstream, require

@dataclass(frozen=True)
class ActProblem:
    x: np.ndarray
    kind: str
    slope: float
    names: Naming
    source: Problem


def read(problem: Problem) -> ActProblem:
    require(problem, "x")
    require(problem, "kind", what="one of " + ", ".join(ACTIVATION_KINDS))
    options = problem.options(SPEC)
    return ActProblem(read_array(problem, "x"), options["kind"], options["slope"],
                      check_names(problem, SPEC.names), problem)


def solve(p: ActProblem, max_elements: int) -> Result:
    y = activation_forward(p.kind, p.x, p.slope)
    result = Result("act", {"kind": p.kind, "slope": p.slope if p.kind == "leaky_relu" else None},
                    conventions=[Rule(RuleId.ACTIVATION, {"kind": p.kind, "slope": p.slope})], naming=p.names)
    result.inputs["x"] = p.x
    result.forward["y"] = y
    dy = read_upstream(p.source, y.shape)
    if dy is not None:
        result.inputs["dy"] = dy
        result.backward["dx"] = activation_backward(p.kind, dy, p.x, y, p.slope)
    else:
        note_no_upstream(result, "the gradients (dx)")
    result.warnings += kink_warning(p.kind, p.x, "")
    return result
