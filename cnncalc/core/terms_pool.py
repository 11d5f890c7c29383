"""Per-entry term maps of pooling, as cnncalc.core.pool computes it (PyTorch's rules).

Shapes: x (N, C, H, W), y and dy (N, C, Ho, Wo); window (i, j) reads the cells geometry's
window_cells lists (padded cells never enter a sum or receive gradient).

  avg   y[n,c,i,j]  = Σ_{real cells (r,q) of window (i,j)} x[n,c,r,q] / divisor[i,j]
        dx[n,c,r,q] = Σ_{windows (i,j) covering (r,q)} dy[n,c,i,j] / divisor[i,j]
        divisor: the window clipped to the padded input (count_include_pad) or to the input
  max   y[n,c,i,j]  = x at the window's first maximum (row-major window order)
        dx[n,c,r,q] = Σ over windows routing to (r,q) of dy[n,c,i,j] / share divisor:
          first  the first maximum gets dy                      (PyTorch)
          split  each of the m tied maxima gets dy / m
          all    each tied maximum gets dy
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry, window_cells, windows_covering
from cnncalc.core.pool import avgpool_divisor
from cnncalc.core.terms import EntryLookup, Terms, checked_entry, index_rows
from cnncalc.vocabulary import POOL_TIES


def _pool_shapes(x_shape, geom: WindowGeometry) -> dict[str, tuple[int, ...]]:
    return {"y": tuple(x_shape[:2]) + tuple(geom.out_hw), "dx": tuple(x_shape)}


@dataclass(frozen=True)
class AvgPoolTermMap(EntryLookup):
    """The term map of avg_pool2d: x (N, C, H, W) → y (N, C, Ho, Wo); no dilation."""

    x_shape: tuple[int, int, int, int]
    geom: WindowGeometry
    count_include_pad: bool = True

    def __post_init__(self):
        object.__setattr__(self, "x_shape", tuple(int(v) for v in self.x_shape))
        if tuple(self.geom.dilation) != (1, 1) or tuple(self.geom.in_hw) != self.x_shape[2:]:
            raise ValueError(f"x {self.x_shape} and the geometry ({self.geom.in_hw} input, "
                             f"dilation {self.geom.dilation}) do not fit an average pool")

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of y and dx."""
        return _pool_shapes(self.x_shape, self.geom)

    def divisor(self, i, j):
        """What window (i, j)'s sum is divided by (int, or an int array for arrays i, j)."""
        return avgpool_divisor(self.geom, self.count_include_pad)[i, j]

    def y(self, n: int, c: int, i: int, j: int) -> Terms:
        """y[n,c,i,j] = Σ x[xi] / divisor: the window's real cells, row-major. indices = (xi (k, 4),)."""
        n, c, i, j = checked_entry("y", (n, c, i, j), self.shapes()["y"])
        cells = window_cells(self.geom, i, j)
        rc = cells.cells[cells.inside]
        xi = index_rows(n, c, rc[:, 0], rc[:, 1])
        return Terms("y", (n, c, i, j), ("x",), (xi,), divisor=np.full(len(xi), int(self.divisor(i, j))))

    def dx(self, n: int, c: int, r: int, q: int) -> Terms:
        """dx[n,c,r,q] = Σ dy[yi] / divisor[yi] over the windows covering (r, q), row-major.
        indices = (yi (k, 4),), divisor (k,)."""
        n, c, r, q = checked_entry("dx", (n, c, r, q), self.x_shape)
        windows = windows_covering(self.geom, r, q).windows
        yi = index_rows(n, c, windows[:, 0], windows[:, 1])
        divisor = np.asarray(self.divisor(windows[:, 0], windows[:, 1]), dtype=np.intp)
        return Terms("dx", (n, c, r, q), ("dy",), (yi,), divisor=divisor)


@dataclass(frozen=True, eq=False)
class MaxWindow:
    """One max-pool window y[entry], entry = (n, c, i, j).

    cells    (k, 4) int   its real input cells (n, c, r, q), row-major window order
    offsets  (k, 2) int   the kernel offset (a, e) of each
    values   (k,) float   x at those cells
    maximum  float        y[entry]: the largest value (−∞ for a window wholly in padding)
    tied     (k,) bool    the cells equal to the maximum
    argmax   (n, c, r, q) the first tied maximum, as maxpool2d_forward reports it (a window
             with no tied cell reports its first cell, which may lie in the padding)
    """

    entry: tuple[int, int, int, int]
    cells: np.ndarray
    offsets: np.ndarray
    values: np.ndarray
    maximum: float
    tied: np.ndarray
    argmax: tuple[int, int, int, int]


@dataclass(frozen=True, eq=False)
class Routing:
    """Where dy[source] goes under a tie rule: dx[cells[k]] += dy[source] / divisor[k].

    source (n, c, i, j); cells (m, 4) int; divisor (m,) int (m for 'split', else 1).
    """

    source: tuple[int, int, int, int]
    ties: str
    cells: np.ndarray
    divisor: np.ndarray


@dataclass(frozen=True, eq=False)
class MaxPoolTermMap(EntryLookup):
    """The term map of max_pool2d on given inputs x (N, C, H, W): which cell each window picks
    and, under a tie rule, where its gradient goes. Needs the values, unlike the linear maps."""

    x: np.ndarray
    geom: WindowGeometry

    def __post_init__(self):
        if self.x.ndim != 4 or tuple(self.geom.in_hw) != self.x.shape[2:]:
            raise ValueError(f"x of shape {self.x.shape} does not fit the geometry's input {self.geom.in_hw}")

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of y and dx."""
        return _pool_shapes(self.x.shape, self.geom)

    def window(self, n: int, c: int, i: int, j: int) -> MaxWindow:
        """Window (i, j) of channel (n, c): its real cells, values, maximum, ties and argmax."""
        entry = checked_entry("y", (n, c, i, j), self.shapes()["y"])
        found = window_cells(self.geom, entry[2], entry[3])
        rc, offsets = found.cells[found.inside], found.offsets[found.inside]
        values = np.asarray(self.x[entry[0], entry[1], rc[:, 0], rc[:, 1]], dtype=np.float64)
        maximum = values.max() if len(values) else -np.inf
        tied = values == maximum
        first = rc[np.argmax(tied)] if tied.any() else found.cells[0]
        return MaxWindow(entry, index_rows(entry[0], entry[1], rc[:, 0], rc[:, 1]), offsets, values,
                         float(maximum), tied, (entry[0], entry[1], int(first[0]), int(first[1])))

    def y(self, n: int, c: int, i: int, j: int) -> Terms:
        """y[n,c,i,j] = x[argmax]: one term (none for a window with no tied real cell, whose y
        is −∞ or NaN). indices = (xi (1, 4),)."""
        window = self.window(n, c, i, j)
        xi = window.cells[window.tied][:1]
        return Terms("y", window.entry, ("x",), (xi,))

    def route(self, n: int, c: int, i: int, j: int, ties: str = "first") -> Routing:
        """Where dy[n,c,i,j] goes under `ties` ('first', 'split' or 'all')."""
        if ties not in POOL_TIES:
            raise ValueError(f"ties must be one of {POOL_TIES}, not {ties!r}")
        window = self.window(n, c, i, j)
        cells = window.cells[window.tied]
        if ties == "first":
            cells = cells[:1]
        share = len(cells) if ties == "split" else 1
        return Routing(window.entry, ties, cells, np.full(len(cells), share, dtype=np.intp))

    def dx(self, n: int, c: int, r: int, q: int, ties: str = "first") -> Terms:
        """dx[n,c,r,q] = Σ dy[yi] / divisor over the covering windows that route to (r, q),
        row-major (overlapping windows add up). indices = (yi (k, 4),), divisor (k,)."""
        n, c, r, q = checked_entry("dx", (n, c, r, q), self.x.shape)
        sources, divisors = [], []
        for i, j in windows_covering(self.geom, r, q).windows:
            routing = self.route(n, c, i, j, ties)
            hit = (routing.cells[:, 2] == r) & (routing.cells[:, 3] == q)
            if hit.any():
                sources.append(routing.source)
                divisors.append(int(routing.divisor[hit][0]))
        yi = np.array(sources, dtype=np.intp).reshape(-1, 4)
        return Terms("dx", (n, c, r, q), ("dy",), (yi,), divisor=np.array(divisors, dtype=np.intp))
