"""Explainers of act, softmax (with cross-entropy) and the MSE loss: one step per entry.

  act      y_i = f(x_i);   dL/dx_i = dL/dy_i · f'(x_i)    (f' at a kink: PyTorch's choice, flagged)
  softmax  e_k = exp(z_k), S = Σ_k e_k, p_k = e_k · S⁻¹, L = −c·Σ_k t_k·ln p_k,
           dL/dp_k = −c·t_k·p_k⁻¹, and dL/dz_j twice: Σ_i dL/dp_i·∂p_i/∂z_j (the Jacobian,
           ∂p_i/∂z_j = p_i(δ_ij − p_j)) and c·(p_j − t_j); c = 1, or 1/N for the mean
  mse      r_i = y_i − t_i;  L = c·Σ r_i²;  dL/dy_i = 2c·r_i  (c = ½, 1 or 1/n)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from cnncalc.core.activations import KINKED, LEAKY_SLOPE, activation_backward
from cnncalc.explain.linear import Section
from cnncalc.explain.steps import Factor, Step, Target, Term


def _value(array, index, symbolic):
    return None if symbolic or array is None else float(np.asarray(array)[index])


def _entries(array) -> list:
    return list(np.ndindex(*np.shape(array)))


def _section(indices: list, build) -> Section:
    return Section(len(indices), lambda: (build(i) for i in indices))


class ActExplainer:
    def __init__(self, result, symbolic: bool):
        self.result, self.symbolic = result, symbolic
        slope = result.parameters.get("slope")  # None but for leaky_relu (0 is a slope, not "absent")
        self.kind, self.slope = result.parameters["kind"], LEAKY_SLOPE if slope is None else slope
        x = result.tensor("x")
        self.local = activation_backward(self.kind, np.ones_like(x), x, result.tensor("y"), self.slope)

    def forward(self, index) -> Step:
        r, s = self.result, self.symbolic
        factor = Factor("x", index, _value(r.tensor("y"), index, s), function=self.kind)
        return Step("sum", Target("y", index), (Term((factor,)),), _value(r.tensor("y"), index, s))

    def backward(self, index) -> Step:
        r, s = self.result, self.symbolic
        local = Factor("x", index, _value(self.local, index, s), function=self.kind + "'")
        kink = self.kind in KINKED and not s and float(r.tensor("x")[index]) == 0
        return Step("chain", Target("dx", index), (Term((Factor("dy", index, _value(r.tensor("dy"), index, s)),
                                                         local)),),
                    _value(r.tensor("dx"), index, s), "backward", detail={"kink": True} if kink else {})

    def sections(self) -> list[Section]:
        indices = _entries(self.result.tensor("x"))
        backward = [_section(indices, self.backward)] if "dx" in self.result.backward else []
        return [_section(indices, self.forward)] + backward

    def entry_shapes(self) -> dict:
        return {name: np.shape(self.result.tensor(name)) for name in ("y", "dx") if name in self.result.tensor_names}

    def entry(self, name: str, index) -> list[Step]:
        return [self.forward(index) if name == "y" else self.backward(index)]


class SoftmaxExplainer:
    def __init__(self, result, symbolic: bool):
        self.r, self.symbolic = result, symbolic
        self.z = np.asarray(result.tensor("z"), dtype=np.float64)
        self.rows = self.z.reshape(-1, self.z.shape[-1]).shape[0]
        mean = result.parameters.get("reduction") == "mean"
        self.c = Fraction(1, self.rows) if mean else Fraction(1)

    def _v(self, name, index):
        return _value(self.r.tensor(name), index, self.symbolic) if name in self.r.tensor_names else None

    def _row(self, index):
        return index[:-1]

    def exp(self, index) -> Step:
        value = None if self.symbolic else float(np.exp(self.z[index]))
        return Step("sum", Target("exp(z)", index), (Term((Factor("z", index, value, "exp"),)),), value)

    def total(self, row) -> Step:
        cells = [row + (k,) for k in range(self.z.shape[-1])]
        values = [None if self.symbolic else float(np.exp(self.z[i])) for i in cells]
        terms = tuple(Term((Factor("exp(z)", i, v),)) for i, v in zip(cells, values))
        return Step("sum", Target("Σexp(z)", row), terms, None if self.symbolic else float(sum(values)))

    def probability(self, index) -> Step:
        e = None if self.symbolic else float(np.exp(self.z[index]))
        s = None if self.symbolic else float(np.exp(self.z[self._row(index)]).sum())
        term = Term((Factor("exp(z)", index, e), Factor("Σexp(z)", self._row(index), s, power=-1)))
        return Step("sum", Target("p", index), (term,), self._v("p", index))

    def loss(self) -> Step:
        terms = []
        for index in _entries(self.z):
            t = self._v("t", index)
            if self.symbolic or t != 0:
                p = self._v("p", index)
                ln_p = None if p is None else float(np.log(p))
                terms.append(Term((Factor("t", index, t), Factor("p", index, ln_p, "ln")), -self.c))
        return Step("sum", Target("L", ()), tuple(terms), self._v("L", ()))

    def dp(self, index) -> Step:
        term = Term((Factor("t", index, self._v("t", index)), Factor("p", index, self._v("p", index), power=-1)),
                    -self.c)
        return Step("chain", Target("dp", index), (term,), self._v("dp", index), "backward")

    def dz_jacobian(self, index) -> Step:
        row, j = self._row(index), index[-1]
        terms = []
        for i in range(self.z.shape[-1]):
            p_i, p_j = self._v("p", row + (i,)), self._v("p", index)
            local = None if p_i is None else p_i * ((i == j) - p_j)
            terms.append(Term((Factor("dp", row + (i,), self._v("dp", row + (i,))),
                               Factor("∂p/∂z", row + (i, j), local))))
        return Step("chain", Target("dz", index), tuple(terms), self._v("dz", index), "backward",
                    detail={"route": "jacobian"})

    def dz_shortcut(self, index) -> Step:
        terms = (Term((Factor("p", index, self._v("p", index)),), self.c),
                 Term((Factor("t", index, self._v("t", index)),), -self.c))
        return Step("chain", Target("dz", index), terms, self._v("dz", index), "backward",
                    detail={"route": "p − t"})

    def _dz_routes(self) -> int:
        """Both routes to dz, or the p − t shortcut alone where dL/dp is infinite (p underflowed)."""
        dp = self.r.backward.get("dp")
        return 2 if self.symbolic or dp is None or np.isfinite(dp).all() else 1

    def _dz_both(self, index):
        return ([self.dz_jacobian(index)] if self._dz_routes() == 2 else []) + [self.dz_shortcut(index)]

    def sections(self) -> list[Section]:
        indices, rows = _entries(self.z), sorted({index[:-1] for index in _entries(self.z)})
        sections = [_section(rows, self.total), _section(indices, self.probability)]
        sections = sections if self.symbolic else [_section(indices, self.exp)] + sections
        if "L" not in self.r.forward and not (self.symbolic and "t" in self.r.inputs):
            return sections
        return sections + [Section(1, lambda: iter([self.loss()])), _section(indices, self.dp),
                           Section(self._dz_routes() * len(indices),
                                   lambda: (s for i in indices for s in self._dz_both(i)))]

    def entry_shapes(self) -> dict:
        return {name: np.shape(self.r.tensor(name)) for name in ("p", "L", "dp", "dz") if name in self.r.tensor_names}

    def entry(self, name: str, index) -> list[Step]:
        build = {"p": lambda: [self.exp(index), self.total(self._row(index)), self.probability(index)],
                 "L": lambda: [self.loss()], "dp": lambda: [self.dp(index)], "dz": lambda: self._dz_both(index)}
        return build.get(name, lambda: [])()


class MseExplainer:
    SCALE = {"half_sum": Fraction(1, 2), "sum": Fraction(1), "mean": None}

    def __init__(self, result, symbolic: bool):
        self.r, self.symbolic = result, symbolic
        self.y = np.asarray(result.tensor("y"))
        scale = self.SCALE[result.parameters["reduction"]]
        self.c = scale if scale is not None else Fraction(1, max(self.y.size, 1))

    def _v(self, name, index):
        return _value(self.r.tensor(name), index, self.symbolic)

    def residual(self, index) -> Step:
        y, t = self._v("y", index), self._v("t", index)
        terms = (Term((Factor("y", index, y),)), Term((Factor("t", index, t),), Fraction(-1)))
        return Step("sum", Target("y − t", index), terms, None if y is None else y - t)

    def loss(self) -> Step:
        terms = []
        for index in _entries(self.y):
            y = self._v("y", index)
            terms.append(Term((Factor("y − t", index, None if y is None else y - self._v("t", index), power=2),),
                              self.c))
        return Step("sum", Target("L", ()), tuple(terms), self._v("L", ()))

    def gradient(self, index) -> Step:
        y = self._v("y", index)
        term = Term((Factor("y − t", index, None if y is None else y - self._v("t", index)),), 2 * self.c)
        return Step("chain", Target("dy", index), (term,), self._v("dy", index), "backward")

    def sections(self) -> list[Section]:
        indices = _entries(self.y)
        return [_section(indices, self.residual), Section(1, lambda: iter([self.loss()])),
                _section(indices, self.gradient)]

    def entry_shapes(self) -> dict:
        return {name: np.shape(self.r.tensor(name)) for name in ("L", "dy") if name in self.r.tensor_names}

    def entry(self, name: str, index) -> list[Step]:
        return [self.loss()] if name == "L" else [self.residual(index), self.gradient(index)]
