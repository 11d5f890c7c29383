"""Conv by one index gather: every window of the batch in one fancy index, for small problems.

The window index of a padded (C/G, R, Q) block is built once per geometry and kept, with
the flat positions dx's scatter needs; a call is then a handful of NumPy calls:
  windows (N, G, C/G·kH·kW, Ho·Wo) = x_pad[..., index]
  y       = w (G, O/G, C/G·kH·kW) @ windows                   (already NCHW)
  dw      = Σ_n dy @ windowsᵀ,   dwindows = wᵀ @ dy
  dx      = one bincount of dwindows at the gathered positions
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from cnncalc.core.geometry import WindowGeometry


@dataclass(frozen=True, eq=False)
class GatherPlan:
    index: np.ndarray    # (C/G·kH·kW, Ho·Wo) flat positions in one padded (C/G, R, Q) block
    scatter: np.ndarray  # (N·G·C/G·kH·kW·Ho·Wo,) flat positions in the whole padded batch
    padded: bool         # False: the windows read x itself (no padding, nothing past it)
    extent: tuple        # (N, C, R, Q): the padded batch


def _window_index(geom: WindowGeometry, channels: int) -> np.ndarray:
    rows, cols = geom.read_extent_hw()
    (ho, wo), (kh, kw) = geom.out_hw, geom.kernel_hw
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    r = (np.arange(kh) * dh)[:, None] + (np.arange(ho) * sh)[None, :]  # (kH, Ho)
    q = (np.arange(kw) * dw)[:, None] + (np.arange(wo) * sw)[None, :]  # (kW, Wo)
    index = (np.arange(channels)[:, None, None, None, None] * rows * cols
             + r[None, :, None, :, None] * cols + q[None, None, :, None, :])  # (C, kH, kW, Ho, Wo)
    return index.reshape(channels * kh * kw, ho * wo)


@functools.lru_cache(maxsize=64)
def gather_plan(geom: WindowGeometry, n: int, c: int, groups: int) -> GatherPlan:
    """The gather and scatter positions of a batch (N, C, H, W) under `geom` (kept, read-only)."""
    index = _window_index(geom, c // groups)
    rows, cols = geom.read_extent_hw()
    block = (c // groups) * rows * cols
    scatter = (np.arange(n * groups).reshape(n, groups, 1, 1) * block + index).ravel()
    for array in (index, scatter):
        array.flags.writeable = False
    return GatherPlan(index, scatter, not geom.padding_free, (n, c) + geom.read_extent_hw())


def _flat(x: np.ndarray, plan: GatherPlan, geom: WindowGeometry, groups: int) -> np.ndarray:
    return (geom.pad(x) if plan.padded else x).reshape(x.shape[0], groups, -1)


def forward_gather(x: np.ndarray, wg: np.ndarray, b: np.ndarray | None, geom: WindowGeometry,
                   groups: int) -> np.ndarray:
    """y (N, O, Ho, Wo) from x (N, C, H, W) and the oriented kernel wg (G, O/G, C/G·kH·kW)."""
    n, c = x.shape[:2]
    plan = gather_plan(geom, n, c, groups)
    y = np.matmul(wg, _flat(x, plan, geom, groups)[:, :, plan.index])
    y = y.reshape((n, wg.shape[0] * wg.shape[1]) + geom.out_hw)
    if b is not None:
        y += b.reshape(-1, 1, 1)
    return y


def backward_gather(dy: np.ndarray, x: np.ndarray, wg: np.ndarray, geom: WindowGeometry, groups: int):
    """(dx (N, C, H, W), dwg (G, O/G, C/G·kH·kW)) from dy (N, O, Ho, Wo)."""
    n, c = x.shape[:2]
    plan = gather_plan(geom, n, c, groups)
    windows = _flat(x, plan, geom, groups)[:, :, plan.index]
    dyg = dy.reshape(n, groups, wg.shape[1], -1)
    dwg = np.matmul(dyg, windows.transpose(0, 1, 3, 2))
    dwg = dwg[0] if n == 1 else dwg.sum(axis=0)
    dwindows = np.matmul(wg.transpose(0, 2, 1), dyg)
    size = n * c * plan.extent[2] * plan.extent[3]
    dx = np.bincount(plan.scatter, weights=dwindows.ravel(), minlength=size).reshape(plan.extent)
    return (geom.unpad(dx) if plan.padded else dx), dwg
