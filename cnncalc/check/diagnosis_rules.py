"""What the diagnosis rule modules share: a candidate mistake, computed only when asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Candidate:
    """A usual mistake for one tensor: its id, the mistake in words, why it is one, and the
    tensor it gives (in the user's shape), computed by the core only when compute() is called."""

    rule: str
    what: str  # 'with the kernel not rotated 180°' (follows "Your dx matches the answer")
    why: str   # 'convolution mode rotates W 180° before it slides'
    compute: Callable[[], np.ndarray | None]


def square_transposed(dy: np.ndarray | None) -> np.ndarray | None:
    """dy with its last two axes swapped, or None when they differ in length (a transposed
    reading would not fit) or transposing changes nothing."""
    if dy is None or dy.ndim < 2 or dy.shape[-1] != dy.shape[-2]:
        return None
    flipped = np.swapaxes(dy, -1, -2)
    return None if np.array_equal(flipped, dy) else np.ascontiguousarray(flipped)


def grown_to(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """`array` placed at the start of a block of zeros of `shape` (each axis at least as long)."""
    out = np.zeros(shape)
    out[tuple(slice(0, n) for n in array.shape)] = array
    return out


def shown(result, *names: str) -> list[str]:
    """The user's names of canonical `names`, for a diagnosis sentence."""
    return [result.naming.shown(name) for name in names]
