"""The usual mistakes of the dense layers and losses (fc, act, softmax, loss), each the core
computation under another convention: w in the other layout, another slope at ReLU's kink,
the other reduction, log base 10, softmax's Jacobian cut to its diagonal, dy transposed."""

from __future__ import annotations

import numpy as np

from cnncalc.check.diagnosis_rules import Candidate, shown, square_transposed
from cnncalc.core.activations import activation_backward, on_kink
from cnncalc.core.fc import fc_backward, fc_forward
from cnncalc.core.loss import mse
from cnncalc.core.softmax import cross_entropy, softmax_jacobian
from cnncalc.result import Result
from cnncalc.vocabulary import FC_LAYOUTS, MSE_REDUCTIONS


def _shaped(result: Result, name: str, compute) -> callable:
    """compute() reshaped to the user's shape of tensor `name`."""
    return lambda: np.asarray(compute(), dtype=np.float64).reshape(result.tensor(name).shape)


# --- fc -----------------------------------------------------------------------------------------

def fc_rules(result: Result, name: str, given: np.ndarray) -> list:
    """fc: y, dx, dw with w read in the other layout (only a square w can be read both ways)."""
    params, w = result.parameters, result.inputs["w"]
    if name not in ("y", "dx", "dw") or w.ndim != 2 or w.shape[0] != w.shape[1]:
        return []
    if name != "y" and "dy" not in result.inputs:
        return []
    layout = params["weight_layout"]
    other = next(v for v in FC_LAYOUTS if v != layout)
    x2 = result.inputs["x"].reshape(params["batch"], params["in"])
    b = result.inputs.get("b")

    def compute():
        if name == "y":
            return fc_forward(x2, w, b, other)
        grads = fc_backward(result.inputs["dy"].reshape(params["batch"], params["out"]), x2, w, other, b is not None)
        return grads.dx if name == "dx" else grads.dw
    wn, = shown(result, "w")
    rows = {"out-in": "one row per output", "in-out": "one row per input"}
    return [Candidate("weight_layout", f"with {wn} read in the other layout ({other}, {rows[other]})",
                      f"this problem's {wn} is laid out {layout}, {rows[layout]}", _shaped(result, name, compute))]


# --- act ----------------------------------------------------------------------------------------

KINK_SLOPES = {"relu": ((1.0, "relu_slope_one_at_zero", "1"), (0.5, "relu_slope_half_at_zero", "½")),
               "leaky_relu": ((1.0, "relu_slope_one_at_zero", "1"),)}


def act_rules(result: Result, name: str, given: np.ndarray) -> list:
    """act dx: another slope at ReLU's kink (x exactly 0); dy read transposed."""
    if name != "dx" or "dy" not in result.inputs:
        return []
    kind, slope = result.parameters["kind"], result.parameters["slope"]
    slope = 0.0 if slope is None else slope  # relu has none
    x, y, dy = result.inputs["x"], result.forward["y"], result.inputs["dy"]
    found = []
    kink = on_kink(kind, x)
    if kink.any():
        used = "the slope a" if kind == "leaky_relu" else "0"
        why = f"cnncalc, like PyTorch, takes {used} there (the derivative does not exist at 0, so it is a convention)"
        right_slope = slope if kind == "leaky_relu" else 0.0
        for taken, rule, word in KINK_SLOPES.get(kind, ()):
            found.append(Candidate(rule, f"with the slope at exactly 0 taken as {word}", why,
                                   _kinked(kind, dy, x, y, slope, taken - right_slope, kink)))
    flipped = square_transposed(dy)
    if flipped is not None:
        shown_dy, = shown(result, "dy")
        found.append(Candidate("dy_transposed", f"with {shown_dy} read transposed",
                               f"{shown_dy}[i,j] belongs to x[i,j]",
                               lambda: activation_backward(kind, flipped, x, y, slope)))
    return found


def _kinked(kind, dy, x, y, slope, extra: float, kink):
    """The core's dx, with `extra` more slope on the entries at the kink."""
    return lambda: activation_backward(kind, dy, x, y, slope) + np.where(kink, dy * extra, 0.0)


# --- softmax with cross-entropy -------------------------------------------------------------------

def softmax_rules(result: Result, name: str, given: np.ndarray) -> list:
    """softmax: L, dp, dz with the other reduction (a batch) or log10; dz with s(1 − s)."""
    if name not in ("L", "dp", "dz") or "t" not in result.inputs:
        return []
    z = result.inputs["z"].reshape(-1, result.parameters["classes"])
    t = result.inputs["t"].reshape(z.shape)
    reduction = result.parameters["reduction"]
    field = {"L": "loss", "dp": "dp", "dz": "dz"}[name]
    found = [Candidate("log10", "with log10 instead of ln", "cross-entropy uses the natural logarithm (log is ln "
                       "in the course texts)",
                       _shaped(result, name, lambda: getattr(cross_entropy(z, t, reduction), field) / np.log(10)))]
    if z.shape[0] > 1:
        found.append(_mean_candidate(result, name, reduction, z.shape[0], "rows",
                                     lambda other: getattr(cross_entropy(z, t, other), field)))
    if name == "dz":
        found += _sigmoid_like(result, z, t, reduction)
    return found


def _sigmoid_like(result: Result, z, t, reduction: str) -> list:
    """dz as if softmax acted entry by entry like a sigmoid: its Jacobian's diagonal p(1 − p)."""
    dz, p = shown(result, "dz", "p")
    why = f"each {p} depends on every logit, so with cross-entropy {dz} = {p} − t"

    def diagonal():
        ce = cross_entropy(z, t, reduction)
        return np.diagonal(softmax_jacobian(ce.p), axis1=-2, axis2=-1)

    def times_dp():
        return cross_entropy(z, t, reduction).dp * diagonal()

    def alone():
        return diagonal() / (z.shape[0] if reduction == "mean" else 1)
    return [Candidate("softmax_jacobian_diagonal", f"with dL/d{p} times {p}(1 − {p}), the Jacobian's diagonal only",
                      why, _shaped(result, "dz", times_dp)),
            Candidate("softmax_s_one_minus_s", f"with s(1 − s) = {p}(1 − {p}) in place of {p} − t", why,
                      _shaped(result, "dz", alone))]


# --- mean squared error ---------------------------------------------------------------------------

MSE_MISTAKES = {  # (right reduction, the one used) -> (rule, what)
    ("half_sum", "sum"): ("mse_half_dropped", "without the ½ of the textbook MSE"),
    ("sum", "half_sum"): ("mse_half_added", "with the textbook ½ (L = ½·Σ(y − t)²)"),
    ("half_sum", "mean"): ("mse_mean_for_half_sum", "with the mean (1/n)·Σ(y − t)² for ½·Σ(y − t)²"),
    ("mean", "half_sum"): ("mse_half_sum_for_mean", "with ½·Σ(y − t)² for the mean (1/n)·Σ(y − t)²"),
}
MSE_FORMS = {"half_sum": "L = ½·Σ(y − t)²", "sum": "L = Σ(y − t)²",
             "mean": "L = (1/n)·Σ(y − t)², n = {n}"}


def loss_rules(result: Result, name: str, given: np.ndarray) -> list:
    """loss (MSE): L and dy under each other reduction: the ½ dropped or added, 1/n missing or extra."""
    if name not in ("L", "dy"):
        return []
    y, t, reduction = result.inputs["y"], result.inputs["t"], result.parameters["reduction"]
    field = "loss" if name == "L" else "dy"
    value = lambda other: getattr(mse(y, t, other), field)  # noqa: E731
    found = []
    for other in MSE_REDUCTIONS:
        if other == reduction:
            continue
        if {other, reduction} == {"sum", "mean"}:
            found.append(_mean_candidate(result, name, reduction, y.size, "entries", value))
            continue
        rule, what = MSE_MISTAKES[(reduction, other)]
        why = "here " + MSE_FORMS[reduction].format(n=y.size)
        found.append(Candidate(rule, what, why, _shaped(result, name, lambda o=other: value(o))))
    return found


def _mean_candidate(result: Result, name: str, reduction: str, count: int, over: str, value) -> Candidate:
    """The 1/N of a mean missing (the reduction is a mean) or added (it is a sum)."""
    other = "sum" if reduction == "mean" else "mean"
    if reduction == "mean":
        rule, what = "mean_missing", f"without the 1/{count} of the mean"
        why = f"the loss is the mean over the {count} {over}, so every gradient carries the 1/{count} too"
    else:
        rule, what = "mean_extra", f"with a 1/{count} (a mean) that does not belong"
        why = f"the loss here is the sum over the {count} {over}, not their mean"
    return Candidate(rule, what, why, _shaped(result, name, lambda: value(other)))


DENSE_RULES = {"fc": fc_rules, "act": act_rules, "softmax": softmax_rules, "loss": loss_rules}
