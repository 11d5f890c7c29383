"""Element-wise activations, forward and backward; any shape, y and dx shaped like x.

  relu        y = max(x, 0)              dx = dy · [x > 0]          (0 at x = 0, PyTorch)
  leaky_relu  y = x if x > 0 else a·x    dx = dy · (1 if x > 0 else a)  (a at x = 0, PyTorch)
  sigmoid     y = 1 / (1 + e^−x)         dx = dy · (1 − y) · y
  tanh        y = tanh x                 dx = dy · (1 − y²)

Backward takes y as well as x because PyTorch computes sigmoid's and tanh's
gradients from the output; doing the same keeps the last digits equal.
"""

from __future__ import annotations

import numpy as np

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.vocabulary import ACTIVATION_KINDS, LEAKY_SLOPE

KINKED = ("relu", "leaky_relu")
# Below this e^−x overflows; there σ(x) = e^x to double precision.
_SIGMOID_TAIL = -700.0


def _check_name(name: str) -> None:
    if name not in ACTIVATION_KINDS:
        raise CnnError("activation", "one of " + ", ".join(ACTIVATION_KINDS), repr(name),
                       did_you_mean(name, ACTIVATION_KINDS))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^−x), PyTorch's formula, without overflow at x = −1000."""
    tail = x < _SIGMOID_TAIL
    body = 1.0 / (1.0 + np.exp(-np.where(tail, 0.0, x)))
    return np.where(tail, np.exp(np.minimum(x, _SIGMOID_TAIL)), body)


def activation_forward(name: str, x: np.ndarray, slope: float = LEAKY_SLOPE) -> np.ndarray:
    """y = f(x) element-wise; `slope` is leaky_relu's negative slope."""
    _check_name(name)
    x = np.asarray(x, dtype=np.float64)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, x * slope)
    if name == "sigmoid":
        return sigmoid(x)
    return np.tanh(x)


def activation_backward(name: str, dy: np.ndarray, x: np.ndarray, y: np.ndarray,
                        slope: float = LEAKY_SLOPE) -> np.ndarray:
    """dx = dy · f'(x), written the way PyTorch evaluates it (see the module docstring)."""
    _check_name(name)
    if name == "relu":
        return _relu_backward(dy, x)
    if name == "leaky_relu":
        return np.where(x > 0, dy, dy * slope)
    if name == "sigmoid":
        return dy * (1.0 - y) * y
    return dy * (1.0 - y * y)


def _relu_backward(dy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dy where x > 0, else +0: np.where's (and PyTorch's) result bit for bit, −0, inf and
    NaN included, by masking dy's bits (all ones where x > 0, zero elsewhere), several
    times faster than np.where."""
    dy = np.asarray(dy, dtype=np.float64)
    if dy.shape != np.shape(x):
        return np.where(x > 0, dy, 0.0)
    keep = (np.asarray(x) > 0).astype(np.int64)
    np.negative(keep, out=keep)  # 1 → −1: every bit set
    return np.bitwise_and(dy.view(np.int64), keep, out=keep).view(np.float64)


def on_kink(name: str, x: np.ndarray) -> np.ndarray:
    """Boolean mask, shaped like x, of entries at exactly x = 0 where f is not differentiable.

    Only relu and leaky_relu have a kink; there the gradient is a convention
    (PyTorch's: 0 for relu, the slope for leaky_relu), worth a warning.
    """
    _check_name(name)
    x = np.asarray(x)
    return x == 0 if name in KINKED else np.zeros(x.shape, dtype=bool)
