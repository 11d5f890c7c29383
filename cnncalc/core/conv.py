"""2-D convolution layer, forward and backward, NCHW as in PyTorch.

Shapes: x (N, C, H, W), w (O, C/groups, kH, kW), b (O,) or None, y (N, O, Ho, Wo).

  correlation:  y[n,o,i,j] = b[o] + Σ_{c,a,e} x_pad[n, g·C/G + c, i·s + a·d, j·s + e·d] · w[o,c,a,e]
  convolution:  the same with w rotated 180° (w[o, c, kH−1−a, kW−1−e]).

Two ways to the same sums, chosen by size (`method="auto"`):
  im2col   every window gathered by one index array, one matrix product each way and
           one bincount to scatter dx: few NumPy calls, for the small problems of homework.
  offsets  one kernel offset (a, e) at a time, a matrix product over channels batched
           over groups: memory stays near the size of x (no matrix kH·kW times larger).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry

MODES = ("correlation", "convolution")
METHODS = ("auto", "im2col", "offsets")
IM2COL_MAX_ENTRIES = 12_000  # gathered window entries; the two methods cross near here on 2 cores


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
    n, c, h, w = x.shape
    return geom.pad(x.reshape(n, groups, c // groups, h, w).transpose(1, 2, 0, 3, 4))


def _columns(xg: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """The padded inputs one kernel cell multiplies, as (G, C/G, N·Ho·Wo)."""
    g, cg = xg.shape[:2]
    return xg[..., rows, cols].reshape(g, cg, -1)


def _forward_offsets(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                     geom: WindowGeometry, groups: int, mode: str) -> np.ndarray:
    n = x.shape[0]
    o, cg, kh, kw = w.shape
    ho, wo = geom.out_hw
    xg = _grouped_padded(x, geom, groups)
    wg = _oriented(w, mode).reshape(groups, o // groups, cg, kh, kw)
    y = np.zeros((groups, o // groups, n * ho * wo))
    for k, (rows, cols) in enumerate(geom.offsets()):
        y += np.matmul(wg[..., k // kw, k % kw], _columns(xg, rows, cols))
    y = y.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    if b is not None:
        y = y + b.reshape(1, o, 1, 1)
    return np.ascontiguousarray(y)


def _backward_offsets(dy: np.ndarray, x: np.ndarray, w: np.ndarray, geom: WindowGeometry,
                      groups: int, mode: str, has_bias: bool) -> ConvGradients:
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xg = _grouped_padded(x, geom, groups)
    wg = _oriented(w, mode).reshape(groups, o // groups, cg, kh, kw)
    dyg = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(groups, o // groups, -1)
    dxg = np.zeros_like(xg)
    dwg = np.empty_like(wg)
    out_shape = (groups, cg, n) + geom.out_hw
    for k, (rows, cols) in enumerate(geom.offsets()):
        a, e = divmod(k, kw)
        dwg[..., a, e] = np.matmul(dyg, _columns(xg, rows, cols).transpose(0, 2, 1))
        dxg[..., rows, cols] += np.matmul(wg[..., a, e].transpose(0, 2, 1), dyg).reshape(out_shape)
    dx = geom.unpad(dxg).transpose(2, 0, 1, 3, 4).reshape(n, c, h, wd)
    dw = _oriented(dwg.reshape(o, cg, kh, kw), mode)
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    return ConvGradients(np.ascontiguousarray(dx), np.ascontiguousarray(dw), db)


@functools.lru_cache(maxsize=64)
def _window_index(geom: WindowGeometry, channels: int) -> np.ndarray:
    """(C·kH·kW, Ho·Wo) flat indices of every window cell in one padded (C, Hp, Wp) block."""
    rows, cols = geom.read_extent_hw()
    (ho, wo), (kh, kw) = geom.out_hw, geom.kernel_hw
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    r = (np.arange(kh) * dh)[:, None] + (np.arange(ho) * sh)[None, :]  # (kH, Ho)
    q = (np.arange(kw) * dw)[:, None] + (np.arange(wo) * sw)[None, :]  # (kW, Wo)
    index = (np.arange(channels)[:, None, None, None, None] * rows * cols
             + r[None, :, None, :, None] * cols + q[None, None, :, None, :])  # (C, kH, kW, Ho, Wo)
    index = index.reshape(channels * kh * kw, ho * wo)
    index.flags.writeable = False
    return index


def _gathered(x: np.ndarray, geom: WindowGeometry, groups: int):
    """Padded x as (N, G, C/G·Hp·Wp), the window index, and the windows (N, G, C/G·kH·kW, Ho·Wo)."""
    n, c = x.shape[:2]
    flat = geom.pad(x).reshape(n, groups, -1)
    index = _window_index(geom, c // groups)
    return flat, index, flat[:, :, index]


def _forward_im2col(x, w, b, geom: WindowGeometry, groups: int, mode: str) -> np.ndarray:
    n, o = x.shape[0], w.shape[0]
    _, _, windows = _gathered(x, geom, groups)
    wg = _oriented(w, mode).reshape(groups, o // groups, -1)
    y = np.matmul(wg, windows).reshape((n, o) + geom.out_hw)  # (N, G, O/G, Ho·Wo) as NCHW
    if b is not None:
        y += b.reshape(1, o, 1, 1)
    return y


def _backward_im2col(dy, x, w, geom: WindowGeometry, groups: int, mode: str, has_bias: bool) -> ConvGradients:
    n, c = x.shape[:2]
    o = w.shape[0]
    flat, index, windows = _gathered(x, geom, groups)
    wg = _oriented(w, mode).reshape(groups, o // groups, -1)
    dyg = dy.reshape(n, groups, o // groups, -1)  # (N, G, O/G, Ho·Wo)
    dw = np.matmul(dyg, windows.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
    dwindows = np.matmul(wg.transpose(0, 2, 1), dyg)  # (N, G, C/G·kH·kW, Ho·Wo)
    blocks = np.arange(n * groups).reshape(n, groups, 1, 1) * flat.shape[2]
    dflat = np.bincount((blocks + index).ravel(), weights=dwindows.ravel(), minlength=flat.size)
    dx = geom.unpad(dflat.reshape((n, c) + geom.read_extent_hw()))
    db = dy.sum(axis=(0, 2, 3)) if has_bias else None
    return ConvGradients(np.ascontiguousarray(dx), np.ascontiguousarray(_oriented(dw, mode)), db)


def _use_im2col(x: np.ndarray, w: np.ndarray, geom: WindowGeometry, method: str) -> bool:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if method != "auto":
        return method == "im2col"
    entries = x.shape[0] * geom.out_hw[0] * geom.out_hw[1] * w.shape[1] * w.shape[2] * w.shape[3] * (
        x.shape[1] // w.shape[1])
    return entries <= IM2COL_MAX_ENTRIES


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, geom: WindowGeometry,
                   groups: int = 1, mode: str = "correlation", method: str = "auto") -> np.ndarray:
    """y (N, O, Ho, Wo) from x (N, C, H, W), w (O, C/groups, kH, kW), b (O,) or None."""
    run = _forward_im2col if _use_im2col(x, w, geom, method) else _forward_offsets
    return np.ascontiguousarray(run(x, w, b, geom, groups, mode))


def conv2d_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray, geom: WindowGeometry, groups: int = 1,
                    mode: str = "correlation", has_bias: bool = True, method: str = "auto") -> ConvGradients:
    """dx (N, C, H, W), dw (O, C/groups, kH, kW), db (O,) from dy (N, O, Ho, Wo).

      dw[o,c,a,e] = Σ_{n,i,j} dy[n,o,i,j] · x_pad[n, c, i·s + a·d, j·s + e·d]
      dx_pad[n,c,i·s + a·d, j·s + e·d] += Σ_o dy[n,o,i,j] · w[o,c,a,e]
      db[o] = Σ_{n,i,j} dy[n,o,i,j]
    (w rotated 180° in convolution mode, and dw rotated back.)
    """
    run = _backward_im2col if _use_im2col(x, w, geom, method) else _backward_offsets
    return run(dy, x, w, geom, groups, mode, has_bias)
