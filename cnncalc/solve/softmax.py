"""`cnncalc softmax`: p from logits z; with a target, cross-entropy L, dL/dp and dL/dz."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.conventions import Rule, RuleId
from cnncalc.core.softmax import (cross_entropy, softmax, softmax_backward,
                                  softmax_jacobian, target_distribution)
from cnncalc.errors import CnnError
from cnncalc.layers.softmax import SPEC
from cnncalc.inputs.problem import Problem
from cnncalc.naming import Naming
from cnncalc.result import Result
from cnncalc.solve.common import check_names, read_array, require, shape_text



@dataclass(frozen=True)
class SoftmaxProblem:
    z: np.ndarray
    target: np.ndarray | None
    reduction: str
    jacobian: bool
    names: Naming


def read(problem: Problem) -> SoftmaxProblem:
    require(problem, "z")
    z = read_array(problem, "z")
    if z.ndim not in (1, 2):
        hint = "a shape alone is written with its rows, e.g. 1x3 for 3 logits" if z.ndim == 0 else ""
        raise problem.locate(CnnError("z", "logits as a vector (K,) or a batch (N, K)", shape_text(z.shape),
                                      hint=hint))
    target = read_array(problem, "target", z.shape)
    options = problem.options(SPEC)
    return SoftmaxProblem(z, target, options["reduction"], options["jacobian"], check_names(problem, SPEC.names))


def solve(p: SoftmaxProblem, max_elements: int) -> Result:
    z2 = p.z.reshape(-1, p.z.shape[-1])
    result = Result("softmax", {"reduction": p.reduction if p.target is not None else None,
                                "classes": z2.shape[1], "batch": z2.shape[0]},
                    conventions=[Rule(RuleId.SOFTMAX)],
                    naming=p.names)
    result.inputs["z"] = p.z
    p2 = softmax(z2)
    result.forward["p"] = p2.reshape(p.z.shape)
    if p.target is not None:
        _cross_entropy(p, z2, result)
    if p.jacobian:
        _jacobian(p, p2, result)
    return result


def _cross_entropy(p: SoftmaxProblem, z2: np.ndarray, result: Result) -> None:
    t = target_distribution(p.target, z2.shape)
    ce = cross_entropy(z2, t, p.reduction)
    result.conventions += [Rule(RuleId.CROSS_ENTROPY, {"reduction": p.reduction, "rows": z2.shape[0]}),
                           Rule(RuleId.CE_GRADIENTS, {"reduction": p.reduction})]
    result.inputs["t"] = t.reshape(p.z.shape)
    result.forward["L"] = np.array(ce.loss)
    result.backward["dp"] = ce.dp.reshape(p.z.shape)
    result.backward["dz"] = ce.dz.reshape(p.z.shape)


def _jacobian(p: SoftmaxProblem, p2: np.ndarray, result: Result) -> None:
    jac = softmax_jacobian(p2)
    result.conventions.append(Rule(RuleId.JACOBIAN))
    result.extras["jacobian"] = jac[0] if p.z.ndim == 1 else jac
    if "dp" not in result.backward:
        return
    dp2 = result.backward["dp"].reshape(p2.shape)
    if np.isfinite(dp2).all():
        result.extras["dp·jacobian"] = softmax_backward(dp2, p2).reshape(p.z.shape)
        result.notes.append("dL/dp · Jacobian (Details) equals dL/dz: the chain rule through softmax")
    else:
        result.notes.append("dL/dp is infinite where p underflowed to 0 under t > 0, so dL/dp · Jacobian is not "
                            "formed; dL/dz = p − t is computed directly")
