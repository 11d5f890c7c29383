"""2-D max and average pooling, forward and backward, NCHW as in PyTorch.

Shapes: x (N, C, H, W), y (N, C, Ho, Wo); the window of output (i, j) reads the
padded rows i·s + a·d and columns j·s + e·d, a < kH, e < kW (see geometry).

  max:  y[n,c,i,j] = max over the window, padding counting as −∞
  avg:  y[n,c,i,j] = Σ window / divisor[i,j]   (padding counts as 0)

Windows are handled one kernel offset at a time, as in conv.py: each offset is a
strided view of the padded input, so there is no Python loop over windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry, as_pair, window_geometry
from cnncalc.errors import CnnError, did_you_mean

KINDS = ("max", "avg")
TIES = ("first", "split", "all")
TIE_RULES = {
    "first": "the first maximum in row-major window order gets dy (PyTorch)",
    "split": "dy is shared equally among the tied maxima of the window",
    "all": "every tied maximum of the window gets the full dy",
}


@dataclass(frozen=True)
class MaxPoolResult:
    y: np.ndarray       # (N, C, Ho, Wo)
    argmax: np.ndarray  # (N, C, Ho, Wo, 2) int: (row, col) of the chosen max in the unpadded input


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
    if kind not in KINDS:
        raise CnnError("kind", "one of " + ", ".join(KINDS), repr(kind), did_you_mean(kind, KINDS))
    for axis, (k, pads) in enumerate(zip(geom.kernel_hw, geom.padding)):
        if 2 * max(pads) > k:
            raise CnnError("padding", f"at most half the kernel size ({k // 2}) on axis {axis}",
                           str(max(pads)), hint="PyTorch's pooling limit")
    if kind == "avg" and geom.dilation != (1, 1):
        raise CnnError("dilation", "1 (average pooling has no dilation)", str(list(geom.dilation)))
    geom.check_fits("kernel_size")


def _padded(x: np.ndarray, geom: WindowGeometry, fill) -> np.ndarray:
    """x (..., H, W) placed in a (..., rows, cols) block of `fill` large enough for every window."""
    (top, _), (left, _) = geom.padding
    h, w = x.shape[-2:]
    out = np.full(x.shape[:-2] + geom.read_extent_hw(), fill, dtype=x.dtype)
    out[..., top:top + h, left:left + w] = x
    return out


def _offsets(geom: WindowGeometry) -> list[tuple[slice, slice]]:
    """For each kernel cell (a, e), row-major, the padded rows and columns it meets."""
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    ho, wo = geom.out_hw
    kh, kw = geom.kernel_hw
    return [(slice(a * dh, a * dh + sh * (ho - 1) + 1, sh), slice(e * dw, e * dw + sw * (wo - 1) + 1, sw))
            for a in range(kh) for e in range(kw)]


def _windows(xp: np.ndarray, geom: WindowGeometry) -> np.ndarray:
    """Every window of the padded xp (..., rows, cols) as (..., Ho, Wo, kH·kW), row-major."""
    return np.stack([xp[..., rows, cols] for rows, cols in _offsets(geom)], axis=-1)


def _scatter(parts: np.ndarray, geom: WindowGeometry) -> np.ndarray:
    """Add parts (N, C, Ho, Wo, kH·kW) back onto the input cells they came from: dx (N, C, H, W).

    Within one offset no two windows meet the same cell, so `+=` on the strided view is exact.
    """
    n, c = parts.shape[:2]
    dxp = np.zeros((n, c) + geom.read_extent_hw())
    for k, (rows, cols) in enumerate(_offsets(geom)):
        dxp[..., rows, cols] += parts[..., k]
    (top, _), (left, _) = geom.padding
    h, w = geom.in_hw
    return dxp[..., top:top + h, left:left + w]


def _max_windows(x: np.ndarray, geom: WindowGeometry):
    """y (N, C, Ho, Wo), the tied-maximum mask (N, C, Ho, Wo, kH·kW) and the first maximum's position k."""
    win = _windows(_padded(np.asarray(x, dtype=np.float64), geom, -np.inf), geom)
    real = _windows(_padded(np.ones(geom.in_hw, dtype=bool), geom, False), geom)
    y = win.max(axis=-1)
    # Padding never wins a tie: a window of real −∞ picks its first real cell, as PyTorch does.
    hits = (win == y[..., None]) & real
    return y, hits, np.argmax(hits, axis=-1)


def _coordinates(k: np.ndarray, geom: WindowGeometry) -> np.ndarray:
    """Window positions k (N, C, Ho, Wo) as (row, col) of the unpadded input, (N, C, Ho, Wo, 2)."""
    a, e = np.divmod(k, geom.kernel_hw[1])
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    (top, _), (left, _) = geom.padding
    ho, wo = geom.out_hw
    rows = np.arange(ho)[:, None] * sh + a * dh - top
    cols = np.arange(wo) * sw + e * dw - left
    return np.stack([rows, cols], axis=-1)


def maxpool2d_forward(x: np.ndarray, geom: WindowGeometry) -> MaxPoolResult:
    """y (N, C, Ho, Wo) = the max of each window (padding is −∞), and where it sits.

    argmax is PyTorch's choice: the first maximum in row-major window order.
    A window lying wholly in padding (possible only with dilation) gives −∞, and its
    argmax is its first cell, outside the input; it passes no gradient back.
    """
    y, _, first = _max_windows(x, geom)
    return MaxPoolResult(y, _coordinates(first, geom))


def maxpool2d_backward(dy: np.ndarray, x: np.ndarray, geom: WindowGeometry,
                       ties: str = "first") -> PoolGradients:
    """dx (N, C, H, W) from dy (N, C, Ho, Wo); windows that overlap add up.

      first:  dx[argmax of window] += dy            (PyTorch)
      split:  dx[each of m tied maxima] += dy / m
      all:    dx[each tied maximum] += dy
    """
    if ties not in TIES:
        raise CnnError("ties", "one of " + ", ".join(TIES), repr(ties), did_you_mean(ties, TIES))
    _, hits, first = _max_windows(x, geom)
    if ties == "first":
        share = hits & (np.arange(hits.shape[-1]) == first[..., None])
    elif ties == "split":
        share = hits / np.maximum(hits.sum(axis=-1, keepdims=True), 1)
    else:
        share = hits
    return PoolGradients(_scatter(share * dy[..., None], geom))


def _axis_divisor(n: int, k: int, s: int, pad, out: int, count_include_pad: bool) -> np.ndarray:
    """Per-window divisor along one axis, PyTorch's rule: the window clipped to the padded
    input (count_include_pad) or to the input itself."""
    start = np.arange(out) * s - pad[0]
    end = np.minimum(start + k, n + pad[1])
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def avgpool_divisor(geom: WindowGeometry, count_include_pad: bool = True) -> np.ndarray:
    """divisor (Ho, Wo): kH·kW for every window wholly inside the padded input; ceil-mode
    windows hanging past it count only the part inside (or only real cells without padding)."""
    rows, cols = (_axis_divisor(n, k, s, p, o, count_include_pad)
                  for n, k, s, p, o in zip(geom.in_hw, geom.kernel_hw, geom.stride, geom.padding, geom.out_hw))
    return np.outer(rows, cols)


def avgpool2d_forward(x: np.ndarray, geom: WindowGeometry, count_include_pad: bool = True) -> AvgPoolResult:
    """y[n,c,i,j] = Σ_{a,e} x_pad[n, c, i·s + a, j·s + e] / divisor[i,j], padding as 0."""
    check_pool_geometry(geom, "avg")
    xp = _padded(np.asarray(x, dtype=np.float64), geom, 0.0)
    total = np.zeros(xp.shape[:2] + geom.out_hw)
    for rows, cols in _offsets(geom):
        total += xp[..., rows, cols]
    divisor = avgpool_divisor(geom, count_include_pad)
    return AvgPoolResult(total / divisor, divisor)


def avgpool2d_backward(dy: np.ndarray, geom: WindowGeometry, count_include_pad: bool = True) -> PoolGradients:
    """dx (N, C, H, W): every cell of window (i, j) gets dy[n,c,i,j] / divisor[i,j]; overlaps add up."""
    check_pool_geometry(geom, "avg")
    share = dy / avgpool_divisor(geom, count_include_pad)
    count = geom.kernel_hw[0] * geom.kernel_hw[1]
    return PoolGradients(_scatter(np.broadcast_to(share[..., None], share.shape + (count,)), geom))
