"""Between the term maps' batch-first indices and the shapes the user sees.

A term map indexes x as (N, C, H, W), w as (O, C/G, kH, kW), fc's x as (N, in); the user
wrote x as (H, W), a 2×1 kernel, a vector. Every user tensor is a C-order reshape of the
map's (a bias written as one number stands for every filter), so an index moves between
the two through its flat position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.explain.steps import Factor, Index


@dataclass(frozen=True, eq=False)
class TensorRef:
    """One tensor as an explainer reads it: the user's shape, the map's shape, the values (None: symbolic)."""

    name: str
    user_shape: tuple[int, ...]
    map_shape: tuple[int, ...]
    values: np.ndarray | None = None   # in map_shape

    def user_index(self, index: Index) -> Index:
        """The user's 0-based index of map index `index`."""
        if int(np.prod(self.user_shape, dtype=np.int64)) == 1:
            return (0,) * len(self.user_shape)  # one number broadcast (a bias for every filter)
        flat = np.ravel_multi_index(tuple(int(i) for i in index), self.map_shape)
        return tuple(int(i) for i in np.unravel_index(flat, self.user_shape))

    def map_index(self, index: Index) -> Index:
        """The map's index of the user's 0-based index `index`."""
        flat = np.ravel_multi_index(tuple(int(i) for i in index), self.user_shape) if self.user_shape else 0
        return tuple(int(i) for i in np.unravel_index(flat, self.map_shape))

    def factors(self, indices: np.ndarray) -> list[Factor]:
        """Factor of every row of a (k, ndim) map-index array, converted all at once."""
        indices = np.asarray(indices).reshape(len(indices), len(self.map_shape))
        values = [None] * len(indices) if self.values is None else self.values[tuple(indices.T)].tolist()
        if int(np.prod(self.user_shape, dtype=np.int64)) == 1:
            users = [(0,) * len(self.user_shape)] * len(indices)
        else:
            flat = np.ravel_multi_index(tuple(indices.T), self.map_shape)
            users = list(zip(*(axis.tolist() for axis in np.unravel_index(flat, self.user_shape))))
        return [Factor(self.name, user, value) for user, value in zip(users, values)]

    def factor(self, index: Index, **extra) -> Factor:
        value = None if self.values is None else float(self.values[tuple(index)])
        return Factor(self.name, self.user_index(index), value, **extra)


def ref(name: str, array_or_shape, map_shape: tuple[int, ...], symbolic: bool) -> TensorRef:
    """A TensorRef of a user tensor (an array, or only its shape when there are no numbers)."""
    if isinstance(array_or_shape, tuple):
        return TensorRef(name, array_or_shape, tuple(map_shape))
    array = np.asarray(array_or_shape, dtype=np.float64)
    values = None if symbolic else np.broadcast_to(array.reshape(-1) if array.size == 1 else array,
                                                   (int(np.prod(map_shape)),) if array.size == 1 else array.shape)
    if values is not None:
        values = values.reshape(map_shape)
    return TensorRef(name, tuple(array.shape), tuple(map_shape), values)
