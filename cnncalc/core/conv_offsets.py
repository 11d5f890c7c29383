"""Conv one kernel offset at a time: memory stays near the size of x.

For each kernel cell (a, e), a matrix product over channels, batched over groups:
  y[g]        += w[g, :, :, a, e] @ x_pad[g, :, rows(a), cols(e)]      (G, O/G, N·Ho·Wo)
  dw[g,...,a,e] = dy[g] @ x_pad[g, :, rows(a), cols(e)]ᵀ
  dx_pad[g, :, rows(a), cols(e)] += w[g, :, :, a, e]ᵀ @ dy[g]
No matrix kH·kW times larger than x is ever formed.
"""

from __future__ import annotations

import numpy as np

from cnncalc.core.geometry import WindowGeometry


def _grouped_padded(x: np.ndarray, geom: WindowGeometry, groups: int) -> np.ndarray:
    """x zero-padded and laid out (G, C/G, N, Hp, Wp), contiguous."""
    n, c, h, w = x.shape
    return geom.pad(x.reshape(n, groups, c // groups, h, w).transpose(1, 2, 0, 3, 4))


def _columns(xg: np.ndarray, rows: slice, cols: slice) -> np.ndarray:
    """The padded inputs one kernel cell multiplies, as (G, C/G, N·Ho·Wo)."""
    g, cg = xg.shape[:2]
    return xg[..., rows, cols].reshape(g, cg, -1)


def forward_offsets(x: np.ndarray, wk: np.ndarray, b: np.ndarray | None, geom: WindowGeometry,
                    groups: int) -> np.ndarray:
    """y (N, O, Ho, Wo) from x (N, C, H, W) and the oriented kernel wk (O, C/G, kH, kW)."""
    n = x.shape[0]
    o, cg, kh, kw = wk.shape
    ho, wo = geom.out_hw
    xg = _grouped_padded(x, geom, groups)
    wg = wk.reshape(groups, o // groups, cg, kh, kw)
    y = np.zeros((groups, o // groups, n * ho * wo))
    for k, (rows, cols) in enumerate(geom.offsets()):
        y += np.matmul(wg[..., k // kw, k % kw], _columns(xg, rows, cols))
    y = y.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    if b is not None:
        y = y + b.reshape(1, o, 1, 1)
    return np.ascontiguousarray(y)


def backward_offsets(dy: np.ndarray, x: np.ndarray, wk: np.ndarray, geom: WindowGeometry, groups: int):
    """(dx (N, C, H, W), dwk (O, C/G, kH, kW)) from dy (N, O, Ho, Wo), wk the oriented kernel."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = wk.shape
    xg = _grouped_padded(x, geom, groups)
    wg = wk.reshape(groups, o // groups, cg, kh, kw)
    dyg = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(groups, o // groups, -1)
    dxg = np.zeros_like(xg)
    dwg = np.empty_like(wg)
    out_shape = (groups, cg, n) + geom.out_hw
    for k, (rows, cols) in enumerate(geom.offsets()):
        a, e = divmod(k, kw)
        dwg[..., a, e] = np.matmul(dyg, _columns(xg, rows, cols).transpose(0, 2, 1))
        dxg[..., rows, cols] += np.matmul(wg[..., a, e].transpose(0, 2, 1), dyg).reshape(out_shape)
    dx = geom.unpad(dxg).transpose(2, 0, 1, 3, 4).reshape(n, c, h, wd)
    return dx, dwg.reshape(o, cg, kh, kw)
