"""Conv by windows gathered per image: one matrix product each way, the batch split over threads.

For a chunk of images (n of them), in NCHW order throughout:
  cols  (n, G, C/G·kH·kW, Ho·Wo)  every window of the padded input, copied from a strided
                                  view (no index arrays)
  y     (n, G, O/G, Ho·Wo)        = w (G, O/G, C/G·kH·kW) @ cols, written into y's own memory
  dw    Σ_n dy (n, G, O/G, Ho·Wo) @ colsᵀ
  dcols = wᵀ @ dy, then added back onto dx one kernel offset at a time (col2im), each
          offset clipped to the real input cells so dx needs no padded copy.
Chunks are sized to keep the scratch near `CHUNK_ENTRIES` and spread over threads
(see parallel.py): each thread writes only its own images of y and dx.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnncalc.core.geometry import WindowGeometry, offset_spans
from cnncalc.core.parallel import batch_chunks, run_chunks, thread_count

CHUNK_ENTRIES = 1 << 18  # scratch entries per chunk: 2 MB of float64, near a core's cache


def _window_view(xp: np.ndarray, geom: WindowGeometry, groups: int) -> np.ndarray:
    """The padded (n, C, R, Q) block seen as (n, G, C/G, kH, kW, Ho, Wo) windows (a view)."""
    n, c = xp.shape[:2]
    sn, sc, sr, sq = xp.strides
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    shape = (n, groups, c // groups) + tuple(geom.kernel_hw) + tuple(geom.out_hw)
    return as_strided(xp, shape, (sn, sc * (c // groups), sc, sr * dh, sq * dw, sr * sh, sq * sw),
                      writeable=False)


def _columns(x: np.ndarray, geom: WindowGeometry, groups: int) -> np.ndarray:
    """cols (n, G, C/G·kH·kW, Ho·Wo) of images x (n, C, H, W), contiguous."""
    view = _window_view(geom.pad(x), geom, groups)
    cols = np.empty(view.shape)
    np.copyto(cols, view)
    n = x.shape[0]
    return cols.reshape(n, groups, -1, geom.out_hw[0] * geom.out_hw[1])


def _col2im(dcols: np.ndarray, dx: np.ndarray, geom: WindowGeometry) -> None:
    """dx (n, C, H, W) += every window's gradient dcols (n, C, kH, kW, Ho, Wo), offset by offset."""
    for a, e, windows, cells in offset_spans(geom):
        dx[(..., *cells)] += dcols[(slice(None), slice(None), a, e, *windows)]


def _plan(x: np.ndarray, geom: WindowGeometry, per_image: int) -> list[tuple[int, int]]:
    return batch_chunks(x.shape[0], per_image, thread_count(), CHUNK_ENTRIES)


def forward_windows(x: np.ndarray, wg: np.ndarray, b: np.ndarray | None, geom: WindowGeometry,
                    groups: int) -> np.ndarray:
    """y (N, O, Ho, Wo) from x (N, C, H, W) and the oriented kernel wg (G, O/G, C/G·kH·kW)."""
    n, (ho, wo) = x.shape[0], geom.out_hw
    o = wg.shape[0] * wg.shape[1]
    y = np.empty((n, o, ho, wo))
    yg = y.reshape(n, groups, o // groups, ho * wo)

    def work(lo: int, hi: int) -> None:
        np.matmul(wg, _columns(x[lo:hi], geom, groups), out=yg[lo:hi])
        if b is not None:
            y[lo:hi] += b.reshape(o, 1, 1)

    run_chunks(work, _plan(x, geom, wg.shape[2] * groups * ho * wo), thread_count())
    return y


def backward_windows(dy: np.ndarray, x: np.ndarray, wg: np.ndarray, geom: WindowGeometry, groups: int):
    """(dx (N, C, H, W), dwg (G, O/G, C/G·kH·kW)) from dy (N, O, Ho, Wo); see the module formulas."""
    n, c = x.shape[:2]
    (ho, wo), (kh, kw) = geom.out_hw, geom.kernel_hw
    dyg = np.ascontiguousarray(dy).reshape(n, groups, -1, ho * wo)
    wt = np.ascontiguousarray(wg.transpose(0, 2, 1))
    dx = np.zeros(x.shape)

    def work(lo: int, hi: int) -> np.ndarray:
        cols = _columns(x[lo:hi], geom, groups)
        dw_part = np.matmul(dyg[lo:hi], cols.transpose(0, 1, 3, 2)).sum(axis=0)
        # cols is spent: its memory takes dcols. One filter per group (depthwise): a
        # product with inner dimension 1 is a broadcast multiply, several times cheaper.
        product = np.multiply if wt.shape[2] == 1 else np.matmul
        dcols = product(wt, dyg[lo:hi], out=cols)
        _col2im(dcols.reshape(hi - lo, c, kh, kw, ho, wo), dx[lo:hi], geom)
        return dw_part

    parts = run_chunks(work, _plan(x, geom, wg.shape[2] * groups * ho * wo), thread_count())
    return dx, functools.reduce(np.add, parts)
