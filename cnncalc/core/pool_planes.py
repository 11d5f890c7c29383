"""Fast window passes for pooling.

Max: the windows as contiguous planes, one strided copy per kernel offset, then every max
and comparison runs on contiguous memory (NumPy's vector loops; on strided views the same
operations measured 8–12× slower).
Average: a window of ones is separable, so sums and the gradient's spread go one axis at a
time: kH + kW passes instead of kH·kW.

For rows (n·c) of the padded input (N·C, R, Q), the planes are
  planes[k, m, i, j] = x_pad[m, i·s + a·d, j·s + e·d],   k = a·kW + e   (K = kH·kW, row-major)
built a chunk of rows at a time so the copy stays near PLANE_ENTRIES.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnncalc.core.geometry import WindowGeometry

PLANE_ENTRIES = 1 << 20  # per chunk: 8 MB of float64


def _row_chunks(rows: int, per_row: int):
    step = max(1, PLANE_ENTRIES // max(per_row, 1))
    return [(lo, min(lo + step, rows)) for lo in range(0, rows, step)]


def _planes(xp: np.ndarray, geom: WindowGeometry) -> np.ndarray:
    """(K, M, Ho, Wo) contiguous copy of the windows of padded rows xp (M, R, Q)."""
    sm, sr, sq = xp.strides
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    view = as_strided(xp, tuple(geom.kernel_hw) + (xp.shape[0],) + tuple(geom.out_hw),
                      (sr * dh, sq * dw, sm, sr * sh, sq * sw), writeable=False)
    planes = np.empty(view.shape)
    np.copyto(planes, view)
    return planes.reshape((-1, xp.shape[0]) + tuple(geom.out_hw))


def _rows(xp: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(xp).reshape((-1,) + xp.shape[-2:])


def max_and_first(xp: np.ndarray, geom: WindowGeometry):
    """y (N, C, Ho, Wo), the max of each window of the padded xp (N, C, R, Q), and the
    kernel offset k of its first maximum (same shape; uint8 when K < 256, else intp).
    Exact when y is finite (then some cell of every window equals y)."""
    rows = _rows(xp)
    count = geom.kernel_hw[0] * geom.kernel_hw[1]
    shape = (rows.shape[0],) + tuple(geom.out_hw)
    y, first = np.empty(shape), np.zeros(shape, dtype=np.uint8 if count < 256 else np.intp)
    for lo, hi in _row_chunks(rows.shape[0], count * shape[1] * shape[2]):
        planes = _planes(rows[lo:hi], geom)
        np.max(planes, axis=0, out=y[lo:hi])
        _first_hits(planes, y[lo:hi], first[lo:hi])
    return y.reshape(xp.shape[:2] + shape[1:]), first.reshape(xp.shape[:2] + shape[1:])


def _first_hits(planes: np.ndarray, y: np.ndarray, first: np.ndarray) -> None:
    """first = the smallest k with planes[k] == y, as arithmetic (masked writes cost 10× more):
    offsets go last to first, each setting first = k where it hits (first −= (first − k)·hit)."""
    step = np.empty_like(first)
    for k in reversed(range(planes.shape[0])):
        np.subtract(first, k, out=step)
        step *= (planes[k] == y).view(np.uint8)
        first -= step


# --- average pooling: a window of ones is separable, columns then rows ----------------------

def _axis_slices(geom: WindowGeometry, axis: int) -> list[slice]:
    """Per kernel offset along `axis`: the padded positions the windows meet there."""
    k, s, out = geom.kernel_hw[axis], geom.stride[axis], geom.out_hw[axis]
    return [slice(a, a + s * (out - 1) + 1, s) for a in range(k)]


def separable_sum(xp: np.ndarray, geom: WindowGeometry) -> np.ndarray:
    """(N, C, Ho, Wo): Σ over each (undilated) window of the padded xp, summed along the
    columns first (kW strided passes), then along rows (kH passes over whole rows)."""
    cols, rows = _axis_slices(geom, 1), _axis_slices(geom, 0)
    across = np.add(xp[..., cols[0]], 0.0)  # from 0: −0 becomes +0
    for part in cols[1:]:
        across += xp[..., part]
    total = across[..., rows[0], :].copy()
    for part in rows[1:]:
        total += across[..., part, :]
    return total


def separable_spread(share: np.ndarray, geom: WindowGeometry) -> np.ndarray:
    """dx_pad (N, C, R, Q): every cell of window (i, j) gets share[..., i, j], overlaps added,
    spread along rows first (kH passes), then along columns (kW strided passes)."""
    extent = geom.read_extent_hw()
    down = np.zeros(share.shape[:2] + (extent[0], share.shape[3]))
    for part in _axis_slices(geom, 0):
        down[..., part, :] += share
    spread = np.zeros(share.shape[:2] + extent)
    for part in _axis_slices(geom, 1):
        spread[..., part] += down
    return spread
