"""How a number is written in tables: short, exact where it can be, never '-0'.

Rounding residue is judged against the tensor the value belongs to, not against an
absolute threshold: float64 arithmetic on numbers of size M leaves errors of a few
ulps of M (eps·M, eps = 2.2e-16), so an entry far below that, in a tensor whose largest
entry is M, is residue of a cancelled sum; anything above it is a real value, however
small (softmax of [0, 30] is [9.4e-14, 1], and 9.4e-14 is real).
"""

from __future__ import annotations

import numpy as np

# An entry is residue when |v| < RESIDUE_ULPS · eps · scale: a sum of up to ~64 terms of the
# tensor's size, each rounded once, stays below it.
RESIDUE_ULPS = 64
EPS = float(np.finfo(np.float64).eps)


def tensor_scale(array) -> float:
    """The largest finite magnitude in `array` (any shape), 0 when there is none."""
    magnitudes = np.abs(np.asarray(array, dtype=np.float64))
    finite = magnitudes[np.isfinite(magnitudes)]
    return float(finite.max()) if finite.size else 0.0


def is_residue(value: float, scale: float) -> bool:
    """True when nonzero `value` is below RESIDUE_ULPS·eps·scale: rounding left-overs, not a value.

    A lone number (scale = its own magnitude) is never residue.
    """
    return value != 0 and abs(value) < RESIDUE_ULPS * EPS * scale


def format_number(value: float, precision: int = 4, scale: float | None = None) -> str:
    """Integers as integers; others rounded to `precision` decimals, trailing zeros dropped.

    `scale` is the largest magnitude of the tensor the value belongs to (tensor_scale);
    a value that is residue against it (is_residue), like 0.1 + 0.2 − 0.3 = 5.6e-17 beside
    entries near 1, prints as ≈0 (JSON keeps it exactly). Without a scale
    the value is judged alone and never prints as ≈0. Other small values, and huge ones,
    print in scientific notation.
    """
    value = float(value)
    if value == 0:
        return "0"
    if is_residue(value, abs(value) if scale is None else scale):
        return "≈0"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    if magnitude >= 1e12 or magnitude < 10 ** -precision:
        return f"{value:.{max(precision - 1, 1)}e}"
    text = f"{value:.{precision}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_tensor(array, precision: int = 4) -> np.ndarray:
    """Every entry of `array` written by format_number against the tensor's own scale.

    Returns an object array of strings with the same shape as `array`.
    """
    array = np.asarray(array, dtype=np.float64)
    scale = tensor_scale(array)
    flat = [format_number(v, precision, scale) for v in array.ravel().tolist()]
    return np.array(flat, dtype=object).reshape(array.shape)
