"""Exact values of the tensors a problem was given: Fractions from what the user wrote.

A float array handed to the solvers may have kept its literals (inputs.kept), or may be a
reshape or broadcast of one that did; the raw value from the file or the command line is
then read again for its texts. Whatever is found must give back the very floats the
solver used, or it is not taken. Integral floats (random integers, one-hot targets) are
exact as they are.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from cnncalc.inputs.kept import rational, text_of


def object_array(values, shape: tuple) -> np.ndarray:
    """An object array of `shape` holding `values` (flat, C order)."""
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array.reshape(shape)


def _written(array: np.ndarray, raw) -> np.ndarray | None:
    """The exact values the user wrote for `array` (its own literals, else those of `raw`)."""
    from cnncalc.inputs.tensors import literals_of, read_tensor

    literals = literals_of(array)
    if literals is None and raw is not None:
        try:
            literals = literals_of(read_tensor(raw, "value", max(array.size, 1)))
        except Exception:  # the solver already accepted the value; a second reading only looks for texts
            literals = None
    if literals is None:
        return None
    exact = literals.exact()
    if exact.size == array.size:
        return exact.reshape(array.shape)
    if exact.size == 1:
        return object_array([exact.flat[0]] * array.size, array.shape)
    return None


def _agrees(exact: np.ndarray, array: np.ndarray) -> bool:
    return all(e is not None and float(e) == a for e, a in zip(exact.flat, array.flat))


def exact_tensor(array, raw=None) -> np.ndarray | None:
    """Fractions for every entry of the float array `array`, or None where one has no exact value.

    `raw` is the value as the user gave it (file or option), read again when `array` kept no texts.
    """
    array = np.asarray(array, dtype=np.float64)
    written = _written(array, raw)
    if written is not None and _agrees(written, array):
        return written
    if np.isfinite(array).all() and (array == np.round(array)).all():
        return object_array([Fraction(int(v)) for v in array.flat], array.shape)
    return None


def exact_number(value: float, raw=None) -> Fraction | None:
    """A scalar option (leaky_relu's slope) as a Fraction: its written text, else its shortest decimal."""
    written = rational(text_of(raw)) if raw is not None else None
    if written is not None and float(written) == value:
        return written
    exact = Fraction(repr(float(value))) if np.isfinite(value) else None
    return exact if exact is not None and float(exact) == value else None


def as_strings(exact: np.ndarray):
    """Nested lists of '198/5' strings (None where an entry has no exact value), for JSON and YAML."""
    texts = object_array([None if v is None else str(v) for v in exact.flat], exact.shape)
    return texts.tolist() if texts.ndim else texts.item()
