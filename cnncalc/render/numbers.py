"""How a number is written in tables: short, exact where it can be, never '-0'; rounding
residue (cnncalc.core.residue) as ≈0."""

from __future__ import annotations

import numpy as np

from cnncalc.core.residue import entry_scales, is_residue


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


def format_tensor(array, precision: int = 4, magnitudes=None) -> np.ndarray:
    """Every entry of `array` written by format_number against the tensor's own scale, or where
    `magnitudes` (the Σ|terms| each entry was summed from, same shape) is larger, against that.

    Returns an object array of strings with the same shape as `array`.
    """
    array = np.asarray(array, dtype=np.float64)
    scales = entry_scales(array, magnitudes)
    flat = [format_number(v, precision, s) for v, s in zip(array.ravel().tolist(), scales.ravel().tolist())]
    return np.array(flat, dtype=object).reshape(array.shape)
