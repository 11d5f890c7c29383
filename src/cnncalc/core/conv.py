"""2-D convolution layer, forward and backward, NCHW as in PyTorch.

Shapes: x (N, C, H, W), w (O, C/groups, kH, kW), b (O,) or None, y (N, O, Ho, Wo).

  correlation:  y[n,o,i,j] = b[o] + Σ_{c,a,e} x_pad[n, g·C/G + c, i·s + a·d, j·s + e·d] · w[o,c,a,e]
  convolution:  the same with w rotated 180° (w[o, c, kH−1−a, kW−1−e]).

The sum is taken one kernel offset (a, e) at a time: each offset is one matrix
product over channels, batched over groups, so memory stays near the size of x
(no im2col matrix kH·kW times larger) and the work is done by BLAS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry

MODES = ("correlation", "convolution")


@dataclass(frozen=True)
class ConvGradients:
    dx: np.ndarray
    dw: np.ndarray
    db: np.ndarray | None


def _oriented(w: np.ndarray, mode: str) -> np.ndarray:
    """The kernel as it slides: rotated 180° in convolution mode."""
    return w[..., ::-1, ::-1] if mode == "convolution" else w


def _grouped_padded(x: np.ndarray, geom: WindowGeometry, groups: int) -> np.ndarray:
    """x zero-padded and laid out (G, C/G, N, Hp, Wp), contiguous."""
    n, c, _, _ = x.shape
    (top, bottom), (left, right) = geom.padding
    rows, cols = geom.read_extent_hw()
    padded = np.zeros((groups, c // groups, n, rows, cols), dtype=np.float64)
    h, w = x.shape[2:]
    grouped = x.reshape(n, groups, c // groups, h, w).transpose(1, 2, 0, 3, 4)
    padded[..., top:top + h, left:left + w] = grouped
    return padded


def _offset_slices(geom: WindowGeometry, a: int, e: int) -> tuple[slice, slice]:
    """Rows and columns of the padded input that kernel cell (a, e) meets."""
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    ho, wo = geom.out_hw
    return (slice(a * dh, a * dh + sh * (ho - 1) + 1, sh),
            slice(e * dw, e * dw + sw * (wo - 1) + 1, sw))


def _columns(xg: np.ndarray, geom: WindowGeometry, a: int, e: int) -> np.ndarray:
    """The inputs kernel cell (a, e) multiplies, as (G, C/G, N·Ho·Wo)."""
    rows, cols = _offset_slices(geom, a, e)
    g, cg = xg.shape[:2]
    return xg[..., rows, cols].reshape(g, cg, -1)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                   geom: WindowGeometry, groups: int = 1, mode: str = "correlation") -> np.ndarray:
    """y (N, O, Ho, Wo) from x (N, C, H, W), w (O, C/groups, kH, kW), b (O,) or None."""
    n = x.shape[0]
    o, cg, kh, kw = w.shape
    ho, wo = geom.out_hw
    xg = _grouped_padded(x, geom, groups)
    wg = _oriented(w, mode).reshape(groups, o // groups, cg, kh, kw)
    y = np.zeros((groups, o // groups, n * ho * wo))
    for a in range(kh):
        for e in range(kw):
            y += np.matmul(wg[..., a, e], _columns(xg, geom, a, e))
    y = y.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    if b is not None:
        y = y + b.reshape(1, o, 1, 1)
    return np.ascontiguousarray(y)


def conv2d_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray, geom: WindowGeometry,
                    groups: int = 1, mode: str = "correlation", has_bias: bool = True) -> ConvGradients:
    """dx (N, C, H, W), dw (O, C/groups, kH, kW), db (O,) from dy (N, O, Ho, Wo).

      dw[o,c,a,e] = Σ_{n,i,j} dy[n,o,i,j] · x_pad[n, c, i·s + a·d, j·s + e·d]
      dx_pad[n,c,i·s + a·d, j·s + e·d] += Σ_o dy[n,o,i,j] · w[o,c,a,e]
      db[o] = Σ_{n,i,j} dy[n,o,i,j]
    (w rotated 180° in convolution mode, and dw rotated back.)
    """
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xg = _grouped_padded(x, geom, groups)
    wg = _oriented(w, mode).reshape(groups, o // groups, cg, kh, kw)
    dyg = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(groups, o // groups, -1)
    dxg = np.zeros_like(xg)
    dwg = np.empty_like(wg)
    out_shape = (groups, cg, n) + geom.out_hw
    for a in range(kh):
        for e in range(kw):
            rows, cols = _offset_slices(geom, a, e)
            dwg[..., a, e] = np.matmul(dyg, _columns(xg, geom, a, e).transpose(0, 2, 1))
            dxg[..., rows, cols] += np.matmul(wg[..., a, e].transpose(0, 2, 1), dyg).reshape(out_shape)
    (top, _), (left, _) = geom.padding
    dx = dxg[..., top:top + h, left:left + wd].transpose(2, 0, 1, 3, 4).reshape(n, c, h, wd)
    dw = _oriented(dwg.reshape(o, cg, kh, kw), mode)
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    return ConvGradients(np.ascontiguousarray(dx), np.ascontiguousarray(dw), db)
