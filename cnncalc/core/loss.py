"""Mean squared error between an output y and a target t of the same, any, shape.

  half_sum  L = ½·Σ(y − t)²         dL/dy = y − t              (the textbook form, seed 004)
  sum       L = Σ(y − t)²           dL/dy = 2·(y − t)
  mean      L = (1/n)·Σ(y − t)²     dL/dy = 2·(y − t)/n        (PyTorch's MSELoss; n = y.size)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.vocabulary import MSE_REDUCTIONS


@dataclass(frozen=True)
class MseResult:
    loss: float
    dy: np.ndarray  # dL/dy, shaped like y


def mse(y: np.ndarray, t: np.ndarray, reduction: str = "half_sum") -> MseResult:
    """L and dL/dy for y and t of equal shape; see the module formulas."""
    if reduction not in MSE_REDUCTIONS:
        raise CnnError("reduction", "one of " + ", ".join(MSE_REDUCTIONS), repr(reduction),
                       did_you_mean(reduction, MSE_REDUCTIONS))
    y, t = np.asarray(y, dtype=np.float64), np.asarray(t, dtype=np.float64)
    if y.shape != t.shape:
        raise CnnError("target", f"the shape of the output, {y.shape}", f"shape {t.shape}")
    diff = y - t
    with np.errstate(over="ignore"):  # a sum past the float range is inf, said as such
        squares = float((diff * diff).sum())
    if reduction == "half_sum":
        return MseResult(0.5 * squares, diff)
    if reduction == "sum":
        return MseResult(squares, 2.0 * diff)
    return MseResult(squares / diff.size, (2.0 / diff.size) * diff)
