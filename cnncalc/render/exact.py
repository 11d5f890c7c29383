"""Exact fractions beside the decimals (--exact), for every text renderer and for JSON."""

from __future__ import annotations

import numpy as np


def exact_text(value, decimal: str) -> str:
    """'198/5 (39.6)' for a fraction; an integer alone ('3', even where the decimal read ≈0)."""
    if value is None:
        return decimal
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value} ({decimal})"


def beside(texts: np.ndarray, exact) -> np.ndarray:
    """Cell texts (object array) with each entry's exact value put in front of its decimal."""
    exact = np.asarray(exact, dtype=object).reshape(texts.shape)
    out = np.empty(texts.shape, dtype=object)
    for index in np.ndindex(texts.shape):
        out[index] = exact_text(exact[index], texts[index])
    return out


def exact_json(result) -> dict:
    """{"inputs"|"forward"|"backward": {name: {"shape", "data": nested "198/5" strings}}}: the JSON
    field "exact", parallel to the float tensors; entries with no exact value are null."""
    from cnncalc.exact.values import as_strings

    exact = result.exact or {}
    sections = {"inputs": result.inputs, "forward": result.forward, "backward": result.backward}
    return {title: {name: {"shape": list(np.shape(tensors[name])), "data": as_strings(exact[name])}
                    for name in tensors if name in exact} for title, tensors in sections.items()}
