"""2-D max and average pooling, forward and backward, NCHW as in PyTorch.

Shapes: x (N, C, H, W), y (N, C, Ho, Wo); the window of output (i, j) reads the
padded rows i·s + a·d and columns j·s + e·d, a < kH, e < kW (see geometry).

  max:  y[n,c,i,j] = max over the window, padding counting as −∞
  avg:  y[n,c,i,j] = Σ window / divisor[i,j]   (padding counts as 0)

Windows are handled one kernel offset at a time (no Python loop over windows): the max
and the average's sums and spread go through pool_planes.py (contiguous planes,
separable sums); ties other than "first", and inputs with NaN or −∞ windows, take the
careful path here (each offset a strided view of the padded input, real cells first).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry, as_pair, window_geometry
from cnncalc.core.pool_planes import max_and_first, separable_spread, separable_sum
from cnncalc.errors import CnnError, did_you_mean
from cnncalc.vocabulary import AXIS_WORDS, POOL_KINDS, POOL_TIES


@dataclass(frozen=True)
class MaxPoolResult:
    y: np.ndarray      # (N, C, Ho, Wo)
    index: np.ndarray  # (N, C, Ho, Wo) int: each chosen max as a flat index into its padded (Hp, Wp) block
    geom: WindowGeometry

    @functools.cached_property
    def argmax(self) -> np.ndarray:
        """(N, C, Ho, Wo, 2) int: (row, col) of each window's chosen max in the unpadded input."""
        cols = self.geom.read_extent_hw()[1]
        (top, _), (left, _) = self.geom.padding
        return np.stack([self.index // cols - top, self.index % cols - left], axis=-1)


@dataclass(frozen=True)
class AvgPoolResult:
    y: np.ndarray        # (N, C, Ho, Wo)
    divisor: np.ndarray  # (Ho, Wo) int: what each window's sum was divided by


@dataclass(frozen=True)
class PoolGradients:
    dx: np.ndarray  # (N, C, H, W)


def pool_geometry(in_hw, kernel, stride=None, padding=0, dilation=1,
                  ceil_mode: bool = False, kind: str = "max") -> WindowGeometry:
    """The window geometry of a pool; `stride` defaults to the kernel size, as in PyTorch."""
    kernel_hw = as_pair(kernel, "kernel_size", 1)
    geom = window_geometry(in_hw, kernel_hw, kernel_hw if stride is None else stride,
                           padding, dilation, ceil_mode=ceil_mode)
    check_pool_geometry(geom, kind)
    return geom


def check_pool_geometry(geom: WindowGeometry, kind: str) -> None:
    """PyTorch's limits: padding at most half the kernel; no dilation for avg."""
    if kind not in POOL_KINDS:
        raise CnnError("kind", "one of " + ", ".join(POOL_KINDS), repr(kind), did_you_mean(kind, POOL_KINDS))
    for axis, (k, pads) in enumerate(zip(geom.kernel_hw, geom.padding)):
        if 2 * max(pads) > k:
            raise CnnError("padding", f"at most half the kernel size ({k // 2}) in the {AXIS_WORDS[axis]}",
                           str(max(pads)), hint="PyTorch's pooling limit")
    if kind == "avg" and geom.dilation != (1, 1):
        raise CnnError("dilation", "1 (average pooling has no dilation)", str(list(geom.dilation)))
    geom.check_fits("kernel_size")


def _scatter(parts, geom: WindowGeometry, shape: tuple) -> np.ndarray:
    """dx (N, C, H, W): part k (N, C, Ho, Wo) of `parts` added onto the cells kernel offset k met.

    Within one offset no two windows meet the same cell, so `+=` on the strided view is exact.
    """
    dxp = np.zeros(tuple(shape[:2]) + geom.read_extent_hw())
    for part, (rows, cols) in zip(parts, geom.offsets()):
        dxp[..., rows, cols] += part
    return geom.unpad(dxp)


def _real_cells(geom: WindowGeometry) -> list[np.ndarray | None]:
    """Per kernel offset, which windows meet a real input cell there (Ho, Wo); None if all do."""
    if geom.padding_free:
        return [None] * (geom.kernel_hw[0] * geom.kernel_hw[1])
    real = geom.pad(np.ones(geom.in_hw, dtype=bool), False)
    return [real[rows, cols] for rows, cols in geom.offsets()]


def _window_starts(geom: WindowGeometry) -> np.ndarray:
    """(Ho, Wo): the flat index of each window's first cell in a padded (Hp, Wp) block."""
    cols = geom.read_extent_hw()[1]
    (sh, sw), (ho, wo) = geom.stride, geom.out_hw
    return (np.arange(ho) * sh * cols)[:, None] + (np.arange(wo) * sw)[None, :]


def _max_windows(x: np.ndarray, geom: WindowGeometry):
    """y (N, C, Ho, Wo); where each window's first maximum sits, as a flat distance from the
    window's first cell; the padded x; and the real-cell masks.

    The first maximum in row-major window order is PyTorch's choice; a padding cell is never
    chosen while a real cell ties with it (a window of real −∞ picks its first real cell).
    """
    x = np.asarray(x, dtype=np.float64)
    xp = x if geom.padding_free else geom.pad(x, -np.inf)
    offsets, real, deltas = geom.offsets(), _real_cells(geom), geom.cell_shifts()
    y = xp[(..., *offsets[0])].copy()
    for rows, cols in offsets[1:]:
        np.maximum(y, xp[..., rows, cols], out=y)
    chosen = np.full(y.shape, deltas[0], dtype=np.intp)
    for hit, delta in reversed(list(zip(_tied_maxima(y, xp, geom, real), deltas))):
        chosen[hit] = delta  # the earliest tied maximum is written last
    return y, chosen, xp, real


def _tied_maxima(y: np.ndarray, xp: np.ndarray, geom: WindowGeometry, real) -> list[np.ndarray]:
    """Per kernel offset, the windows whose cell there is a maximum (N, C, Ho, Wo) bool."""
    hits = []
    for (rows, cols), is_real in zip(geom.offsets(), real):
        hit = xp[..., rows, cols] == y
        hits.append(hit if is_real is None else hit & is_real)
    return hits


def maxpool2d_forward(x: np.ndarray, geom: WindowGeometry) -> MaxPoolResult:
    """y (N, C, Ho, Wo) = the max of each window (padding is −∞), and where it sits.

    argmax is PyTorch's choice: the first maximum in row-major window order.
    A window lying wholly in padding (possible only with dilation) gives −∞, and its
    argmax is its first cell, outside the input; it passes no gradient back.
    """
    x = np.asarray(x, dtype=np.float64)
    y, first = max_and_first(x if geom.padding_free else geom.pad(x, -np.inf), geom)
    if not np.isfinite(y).all():  # NaN, or windows of −∞: the careful way (real cells first)
        y, chosen, _, _ = _max_windows(x, geom)
        return MaxPoolResult(y, _window_starts(geom) + chosen, geom)
    return MaxPoolResult(y, np.array(geom.cell_shifts(), dtype=np.intp)[first] + _window_starts(geom), geom)


def maxpool2d_backward(dy: np.ndarray, x: np.ndarray, geom: WindowGeometry, ties: str = "first",
                       forward: MaxPoolResult | None = None) -> PoolGradients:
    """dx (N, C, H, W) from dy (N, C, Ho, Wo); windows that overlap add up.

      first:  dx[argmax of window] += dy            (PyTorch)
      split:  dx[each of m tied maxima] += dy / m
      all:    dx[each tied maximum] += dy
    `forward`, the result of maxpool2d_forward on the same x, saves finding the maxima again.
    """
    if ties not in POOL_TIES:
        raise CnnError("ties", "one of " + ", ".join(POOL_TIES), repr(ties), did_you_mean(ties, POOL_TIES))
    if ties == "first":
        return PoolGradients(_to_argmax(dy, forward or maxpool2d_forward(x, geom), geom))
    y, _, xp, real = _max_windows(x, geom)
    hits = _tied_maxima(y, xp, geom, real)
    if ties == "split":
        dy = dy / np.maximum(sum(hit.astype(np.intp) for hit in hits), 1)
    return PoolGradients(_scatter((np.where(hit, dy, 0.0) for hit in hits), geom, dy.shape))


def _to_argmax(dy: np.ndarray, forward: MaxPoolResult, geom: WindowGeometry) -> np.ndarray:
    """dx: each window's dy added at its chosen maximum (one bincount over the padded blocks)."""
    n, c = dy.shape[:2]
    extent = geom.read_extent_hw()
    block = extent[0] * extent[1]
    flat = forward.index + (np.arange(n * c) * block).reshape(n, c, 1, 1)
    # A window lying wholly in padding (y = −∞) passes nothing back.
    weights = dy if geom.padding_free else np.where(np.isfinite(forward.y), dy, 0.0)
    dxp = np.bincount(flat.ravel(), weights=weights.ravel(), minlength=n * c * block)
    return geom.unpad(dxp.reshape((n, c) + extent))


def cells_counted(start, n: int, k: int, pad_hi: int, count_include_pad: bool):
    """Cells a window starting at input position `start` (< 0 in the padding) counts along one axis:
    clipped to the padded input (count_include_pad) or to the input itself."""
    end = np.minimum(start + k, n + pad_hi)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def avgpool_divisor(geom: WindowGeometry, count_include_pad: bool = True) -> np.ndarray:
    """divisor (Ho, Wo): kH·kW for every window wholly inside the padded input; ceil-mode
    windows hanging past it count only the part inside (or only real cells without padding)."""
    rows, cols = (cells_counted(np.arange(o) * s - p[0], n, k, p[1], count_include_pad)
                  for n, k, s, p, o in zip(geom.in_hw, geom.kernel_hw, geom.stride, geom.padding, geom.out_hw))
    return np.outer(rows, cols)


def avgpool2d_forward(x: np.ndarray, geom: WindowGeometry, count_include_pad: bool = True) -> AvgPoolResult:
    """y[n,c,i,j] = Σ_{a,e} x_pad[n, c, i·s + a, j·s + e] / divisor[i,j], padding as 0."""
    check_pool_geometry(geom, "avg")
    x = np.asarray(x, dtype=np.float64)
    total = separable_sum(x if geom.padding_free else geom.pad(x), geom)
    divisor = avgpool_divisor(geom, count_include_pad)
    total /= divisor
    return AvgPoolResult(total, divisor)


def _tiles(geom: WindowGeometry) -> bool:
    """The windows tile the input exactly: each cell in one window, no padding, none left over."""
    return (geom.padding_free and geom.dilation == (1, 1) and geom.stride == tuple(geom.kernel_hw)
            and all(o * k == n for o, k, n in zip(geom.out_hw, geom.kernel_hw, geom.in_hw)))


def avgpool2d_backward(dy: np.ndarray, geom: WindowGeometry, count_include_pad: bool = True) -> PoolGradients:
    """dx (N, C, H, W): every cell of window (i, j) gets dy[n,c,i,j] / divisor[i,j]; overlaps add up."""
    check_pool_geometry(geom, "avg")
    share = dy / avgpool_divisor(geom, count_include_pad)
    if _tiles(geom):  # one copy of each share per cell; + 0.0 as the sum from 0 would (−0 becomes +0)
        share += 0.0
        (kh, kw), (ho, wo) = geom.kernel_hw, geom.out_hw
        spread = np.broadcast_to(share[:, :, :, None, :, None], share.shape[:2] + (ho, kh, wo, kw))
        return PoolGradients(spread.reshape(share.shape[:2] + tuple(geom.in_hw)))
    return PoolGradients(geom.unpad(separable_spread(share, geom)))
