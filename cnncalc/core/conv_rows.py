"""Conv at stride 1 by whole padded rows: every window read and written as one long run.

At stride 1, kernel offset (a, e) of output (i, j) reads flat position (i + a·d_h)·Q + j + e·d_w
of a padded (R, Q) plane, so if the output is taken at every padded column (rows of Q, the
last Q − Wo of each discarded), offset (a, e) reads one contiguous run of Ho·Q entries from
shift a·d_h·Q + e·d_w. For a chunk of images:
  cols  (n, G, C/G·kH·kW, Ho·Q)  copied in runs of Ho·Q (the windows method's runs are Wo long)
  y     = w @ cols, its first Wo columns of every row kept
  dy    widened to (n, O, Ho, Q) with zeros, so the extra columns add nothing back
  dw    Σ_n dy @ colsᵀ,   dcols = wᵀ @ dy,  added back one offset at a time, each a single run
The plane carries d_w·(kW − 1) spare zeros at its end for the last row's extra columns.

With one filter per group (depthwise), dx is itself a stride-1 correlation: dy framed by
d·(k − 1) − padding zeros on each side, with the kernel turned 180° and its inputs and
outputs swapped, so it runs as this module's own forward (one copy and one product in
place of kH·kW multiply-adds over the whole batch: 0.37 ms against 0.70 ms, N8 C16 32²).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cnncalc.core.geometry import WindowGeometry
from cnncalc.core.parallel import batch_chunks, run_chunks, thread_count

# Scratch entries per chunk: 4x conv_windows' own. Rows serve mostly one-filter-per-group
# convs, whose per-image work is small, so smaller chunks pay more in per-chunk calls than they
# win in cache (depthwise N8 C16 32², 2 threads: 1.57 ms at 1 << 18, 1.05 ms at 1 << 20).
CHUNK_ENTRIES = 1 << 20


def _layout(geom: WindowGeometry):
    """(R, Q, plane length with the spare tail, Ho·Q, shifts per offset in row-major order)."""
    (rows, cols), kw, dw = geom.read_extent_hw(), geom.kernel_hw[1], geom.dilation[1]
    return rows, cols, rows * cols + dw * (kw - 1), geom.out_hw[0] * cols, geom.cell_shifts()


def _planes(x: np.ndarray, geom: WindowGeometry) -> np.ndarray:
    """x (n, C, H, W) zero-padded into flat planes (n, C, R·Q + tail)."""
    rows, cols, length, _, _ = _layout(geom)
    (top, _), (left, _) = geom.padding
    planes = np.zeros(x.shape[:2] + (length,))
    grid = planes[..., :rows * cols].reshape(x.shape[:2] + (rows, cols))
    grid[..., top:top + x.shape[2], left:left + x.shape[3]] = x
    return planes


def _columns(planes: np.ndarray, geom: WindowGeometry, groups: int) -> np.ndarray:
    """cols (n, G, C/G·kH·kW, Ho·Q): offset (a, e) of every window, one run per plane."""
    n, c, _ = planes.shape
    _, cols_q, _, span, _ = _layout(geom)
    (kh, kw), (dh, dw) = geom.kernel_hw, geom.dilation
    sn, sc, se = planes.strides
    view = as_strided(planes, (n, groups, c // groups, kh, kw, span),
                      (sn, sc * (c // groups), sc, dh * cols_q * se, dw * se, se), writeable=False)
    cols = np.empty(view.shape)
    np.copyto(cols, view)
    return cols.reshape(n, groups, -1, span)


def forward_rows(x: np.ndarray, wg: np.ndarray, b: np.ndarray | None, geom: WindowGeometry,
                 groups: int) -> np.ndarray:
    """y (N, O, Ho, Wo) from x (N, C, H, W) and the oriented kernel wg (G, O/G, C/G·kH·kW); stride 1."""
    n, (ho, wo) = x.shape[0], geom.out_hw
    o, cols_q = wg.shape[0] * wg.shape[1], _layout(geom)[1]
    y = np.empty((n, o, ho, wo))

    def work(lo: int, hi: int) -> None:
        wide = np.matmul(wg, _columns(_planes(x[lo:hi], geom), geom, groups))
        y[lo:hi] = wide.reshape(hi - lo, o, ho, cols_q)[..., :wo]
        if b is not None:
            y[lo:hi] += b.reshape(o, 1, 1)

    threads = thread_count()
    run_chunks(work, batch_chunks(n, wg.shape[2] * groups * ho * cols_q, threads, CHUNK_ENTRIES), threads)
    return y


def backward_rows(dy: np.ndarray, x: np.ndarray, wg: np.ndarray, geom: WindowGeometry, groups: int):
    """(dx (N, C, H, W), dwg (G, O/G, C/G·kH·kW)) from dy (N, O, Ho, Wo); stride 1."""
    n, c = x.shape[:2]
    rows, cols_q, length, span, shifts = _layout(geom)
    (top, _), (left, _) = geom.padding
    one_filter = wg.shape[1] == 1
    dx = _input_gradient_one_filter(dy, wg, geom, groups) if one_filter else np.empty(x.shape)
    wt = None if one_filter else np.ascontiguousarray(wg.transpose(0, 2, 1))

    def work(lo: int, hi: int) -> np.ndarray:
        wide = np.zeros((hi - lo, dy.shape[1], geom.out_hw[0], cols_q))
        wide[..., :geom.out_hw[1]] = dy[lo:hi]
        wide = wide.reshape(hi - lo, groups, -1, span)
        cols = _columns(_planes(x[lo:hi], geom), geom, groups)
        dw_part = np.matmul(wide, cols.transpose(0, 1, 3, 2)).sum(axis=0)
        if one_filter:
            return dw_part
        dcols = np.matmul(wt, wide, out=cols).reshape(hi - lo, c, len(shifts), span)
        dplanes = np.zeros((hi - lo, c, length))
        for k, shift in enumerate(shifts):
            dplanes[..., shift:shift + span] += dcols[:, :, k]
        grid = dplanes[..., :rows * cols_q].reshape(hi - lo, c, rows, cols_q)
        dx[lo:hi] = grid[..., top:top + x.shape[2], left:left + x.shape[3]]
        return dw_part

    threads = thread_count()
    chunks = batch_chunks(n, wg.shape[2] * groups * span, threads, CHUNK_ENTRIES)
    return dx, functools.reduce(np.add, run_chunks(work, chunks, threads))


def _input_gradient_one_filter(dy: np.ndarray, wg: np.ndarray, geom: WindowGeometry, groups: int) -> np.ndarray:
    """dx (N, C, H, W) for one filter per group, as the forward of dy (see the module doc).
    Padding beyond d·(k − 1) on a side means dy's outer rows or columns read only padding:
    they are cut off instead of framed."""
    frame, cut = [], []
    for (low, high), k, d in zip(geom.padding, geom.kernel_hw, geom.dilation):
        reach = d * (k - 1)
        frame.append((max(reach - low, 0), max(reach - high, 0)))
        cut.append((max(low - reach, 0), max(high - reach, 0)))
    (cut_top, cut_bottom), (cut_left, cut_right) = cut
    inner = dy[..., cut_top:dy.shape[2] - cut_bottom, cut_left:dy.shape[3] - cut_right]
    turned = WindowGeometry(inner.shape[2:], geom.kernel_hw, (1, 1), geom.dilation, tuple(frame))
    g, _, entries = wg.shape
    (kh, kw), per_group = geom.kernel_hw, entries // (geom.kernel_hw[0] * geom.kernel_hw[1])
    flipped = wg.reshape(g, 1, per_group, kh, kw)[..., ::-1, ::-1].transpose(0, 2, 1, 3, 4)
    return forward_rows(inner, np.ascontiguousarray(flipped).reshape(g, per_group, kh * kw), None, turned, groups)
