"""`cnncalc loss`: mean squared error, L and dL/dy, the ½ or the mean stated."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.conventions import Rule, RuleId
from cnncalc.core.loss import mse
from cnncalc.layers.loss import SPEC
from cnncalc.inputs.problem import Problem
from cnncalc.naming import Naming
from cnncalc.result import Result
from cnncalc.solve.common import check_names, read_array, require



@dataclass(frozen=True)
class LossProblem:
    y: np.ndarray
    target: np.ndarray
    reduction: str
    names: Naming


def read(problem: Problem) -> LossProblem:
    require(problem, "y", "target")
    options = problem.options(SPEC)
    y = read_array(problem, "y")
    return LossProblem(y, read_array(problem, "target", y.shape), options["reduction"],
                       check_names(problem, SPEC.names))


def solve(p: LossProblem, max_elements: int) -> Result:
    out = mse(p.y, p.target, p.reduction)
    result = Result("loss", {"kind": "mse", "reduction": p.reduction},
                    conventions=[Rule(RuleId.MSE, {"reduction": p.reduction, "n": int(p.y.size)})], naming=p.names)
    result.inputs.update({"y": p.y, "t": p.target})
    result.forward["L"] = np.array(out.loss)
    result.backward["dy"] = out.dy
    return result
