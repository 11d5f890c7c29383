"""Rounding residue: a value far below the numbers it was computed from is what rounding left of 0.

float64 arithmetic on numbers of size M leaves errors of a few ulps of M (eps·M, eps = 2.2e-16).
An entry below RESIDUE_ULPS·eps of its scale (the largest entry of its tensor, or the Σ|terms| it
was summed from: cnncalc.core.magnitudes) is residue of a cancelled sum, such as
0.1 + 0.2 − 0.3 = 5.6e-17; anything above is a real value, however small (softmax of [0, 30]
is [9.4e-14, 1], and 9.4e-14 is real). Tables print residue as ≈0; check judges it as 0.
"""

from __future__ import annotations

import numpy as np

RESIDUE_ULPS = 64  # a sum of up to ~64 terms of the scale, each rounded once, stays below it
EPS = float(np.finfo(np.float64).eps)


def tensor_scale(array) -> float:
    """The largest finite magnitude in `array` (any shape), 0 when there is none."""
    magnitudes = np.abs(np.asarray(array, dtype=np.float64))
    finite = magnitudes[np.isfinite(magnitudes)]
    return float(finite.max()) if finite.size else 0.0


def is_residue(value: float, scale: float) -> bool:
    """True when nonzero `value` is below RESIDUE_ULPS·eps·scale. A lone number (scale = its own
    magnitude) is never residue."""
    return value != 0 and abs(value) < RESIDUE_ULPS * EPS * scale


def entry_scales(array, magnitudes=None) -> np.ndarray:
    """Each entry's scale: its tensor's largest entry, or its Σ|terms| where that is larger."""
    array = np.asarray(array, dtype=np.float64)
    scales = np.full(array.shape, tensor_scale(array))
    if magnitudes is not None:
        scales = np.maximum(scales, np.nan_to_num(np.abs(np.asarray(magnitudes, dtype=np.float64)), posinf=0.0))
    return scales


def without_residue(array, magnitudes=None) -> np.ndarray:
    """`array` with its residue entries set to 0 (a scalar is judged alone: never residue)."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0 and magnitudes is None:
        return array
    residue = (array != 0) & (np.abs(array) < RESIDUE_ULPS * EPS * entry_scales(array, magnitudes))
    return np.where(residue, 0.0, array)
