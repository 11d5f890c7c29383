"""Slow, obviously-correct references for pool, fc, softmax and cross-entropy.

Test oracles only: one Python loop per index, PyTorch's rules written out as its
C++ kernels state them. Pools take symmetric padding (p_rows, p_cols) as PyTorch does.
"""

import math

import numpy as np


def pool_out_len(n, k, s, p, d, ceil_mode):
    """PyTorch's pooling_output_shape, spelled out."""
    top = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = math.floor(top / s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _window_cells(i, j, kernel, stride, padding, dilation):
    """Input (row, col) of every cell of window (i, j), row-major, padding included."""
    for a in range(kernel[0]):
        for e in range(kernel[1]):
            yield (i * stride[0] + a * dilation[0] - padding[0], j * stride[1] + e * dilation[1] - padding[1])


def max_pool(x, kernel, stride, padding, dilation, ceil_mode):
    """y, argmax (N, C, Ho, Wo, 2) and the tied maxima of each window (a list per window).

    As PyTorch's loop: start from -inf at the first real cell, move on a strictly
    greater value. A window with no real cell gives -inf and its first (padded) cell.
    """
    n, c, h, w = x.shape
    ho, wo = (pool_out_len(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode),
              pool_out_len(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode))
    y = np.zeros((n, c, ho, wo))
    argmax = np.zeros((n, c, ho, wo, 2), dtype=int)
    tied = {}
    for ni in range(n):
        for ci in range(c):
            for i in range(ho):
                for j in range(wo):
                    cells = list(_window_cells(i, j, kernel, stride, padding, dilation))
                    real = [(r, q) for r, q in cells if 0 <= r < h and 0 <= q < w]
                    best, where = -math.inf, (real or cells)[0]
                    for r, q in real:
                        if x[ni, ci, r, q] > best:
                            best, where = x[ni, ci, r, q], (r, q)
                    y[ni, ci, i, j] = best
                    argmax[ni, ci, i, j] = where
                    tied[ni, ci, i, j] = [(r, q) for r, q in real if x[ni, ci, r, q] == best]
    return y, argmax, tied


def max_pool_backward(dy, x, kernel, stride, padding, dilation, ceil_mode, ties):
    """dx: each window's dy to its argmax (first), shared among (split) or copied to (all) its tied maxima."""
    _, argmax, tied = max_pool(x, kernel, stride, padding, dilation, ceil_mode)
    dx = np.zeros(x.shape)
    for (ni, ci, i, j), cells in tied.items():
        if not cells:
            continue
        if ties == "first":
            cells = [tuple(argmax[ni, ci, i, j])]
        share = dy[ni, ci, i, j] / len(cells) if ties == "split" else dy[ni, ci, i, j]
        for r, q in cells:
            dx[ni, ci, r, q] += share
    return dx


def _avg_window(i, j, shape, kernel, stride, padding, count_include_pad):
    """PyTorch's avg_pool2d: the real cells of window (i, j) and its divisor."""
    h, w = shape
    hstart, wstart = i * stride[0] - padding[0], j * stride[1] - padding[1]
    hend, wend = min(hstart + kernel[0], h + padding[0]), min(wstart + kernel[1], w + padding[1])
    pool_size = (hend - hstart) * (wend - wstart)
    hstart, wstart, hend, wend = max(hstart, 0), max(wstart, 0), min(hend, h), min(wend, w)
    cells = [(r, q) for r in range(hstart, hend) for q in range(wstart, wend)]
    return cells, (pool_size if count_include_pad else len(cells))


def avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad):
    n, c, h, w = x.shape
    ho = pool_out_len(h, kernel[0], stride[0], padding[0], 1, ceil_mode)
    wo = pool_out_len(w, kernel[1], stride[1], padding[1], 1, ceil_mode)
    y = np.zeros((n, c, ho, wo))
    for ni in range(n):
        for ci in range(c):
            for i in range(ho):
                for j in range(wo):
                    cells, divisor = _avg_window(i, j, (h, w), kernel, stride, padding, count_include_pad)
                    y[ni, ci, i, j] = sum(x[ni, ci, r, q] for r, q in cells) / divisor
    return y


def avg_pool_backward(dy, x_shape, kernel, stride, padding, ceil_mode, count_include_pad):
    dx = np.zeros(x_shape)
    n, c, ho, wo = dy.shape
    for ni in range(n):
        for ci in range(c):
            for i in range(ho):
                for j in range(wo):
                    cells, divisor = _avg_window(i, j, x_shape[2:], kernel, stride, padding, count_include_pad)
                    for r, q in cells:
                        dx[ni, ci, r, q] += dy[ni, ci, i, j] / divisor
    return dx


def fc(x, w_out_in, b):
    """y[n,o] = b[o] + sum_i w[o,i] x[n,i]."""
    n, m = x.shape[0], w_out_in.shape[0]
    y = np.zeros((n, m))
    for ni in range(n):
        for o in range(m):
            y[ni, o] = (0.0 if b is None else b[o]) + sum(w_out_in[o, i] * x[ni, i] for i in range(x.shape[1]))
    return y


def fc_backward(dy, x, w_out_in):
    """dx[n,i] = sum_o dy[n,o] w[o,i]; dw[o,i] = sum_n dy[n,o] x[n,i]; db[o] = sum_n dy[n,o]."""
    n, m, k = x.shape[0], w_out_in.shape[0], x.shape[1]
    dx = np.array([[sum(dy[ni, o] * w_out_in[o, i] for o in range(m)) for i in range(k)] for ni in range(n)])
    dw = np.array([[sum(dy[ni, o] * x[ni, i] for ni in range(n)) for i in range(k)] for o in range(m)])
    db = np.array([sum(dy[ni, o] for ni in range(n)) for o in range(m)])
    return dx, dw, db


def softmax_row(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]


def cross_entropy(z, t, reduction):
    """L, dL/dp, dL/dz by the textbook formulas, one row at a time."""
    n, k = z.shape
    scale = 1.0 / n if reduction == "mean" else 1.0
    loss, dp, dz = 0.0, np.zeros((n, k)), np.zeros((n, k))
    for ni in range(n):
        p = softmax_row(list(z[ni]))
        lse = max(z[ni]) + math.log(sum(math.exp(v - max(z[ni])) for v in z[ni]))
        for c in range(k):
            if t[ni, c] != 0:
                loss -= t[ni, c] * (z[ni, c] - lse) * scale
                dp[ni, c] = -float(t[ni, c]) / p[c] * scale if p[c] > 0 else -math.inf
            dz[ni, c] = (p[c] * sum(t[ni]) - t[ni, c]) * scale
    return loss, dp, dz


def softmax_jacobian(p):
    k = len(p)
    return np.array([[p[i] * ((1.0 if i == j else 0.0) - p[j]) for j in range(k)] for i in range(k)])
