"""A slow, obviously-correct conv2d: one Python loop per index, nothing clever.

Test oracle only. Shapes as in cnncalc.core.conv: x (N, C, H, W),
w (O, C/groups, kH, kW), b (O,) or None; padding is explicit ((top, bottom), (left, right)).
"""

import numpy as np


def _pad(x, padding):
    (top, bottom), (left, right) = padding
    n, c, h, w = x.shape
    out = np.zeros((n, c, top + h + bottom, left + w + right))
    for ni in range(n):
        for ci in range(c):
            for i in range(h):
                for j in range(w):
                    out[ni, ci, top + i, left + j] = x[ni, ci, i, j]
    return out


def _kernel_cell(w, o, c, a, e, mode):
    """The weight that meets offset (a, e): rotated 180 degrees in convolution mode."""
    kh, kw = w.shape[2:]
    if mode == "convolution":
        return w[o, c, kh - 1 - a, kw - 1 - e], (kh - 1 - a, kw - 1 - e)
    return w[o, c, a, e], (a, e)


def _terms(x_shape, w_shape, stride, padding, dilation, groups):
    """Every (n, o, i, j, channel, c, a, e, padded_row, padded_col) that enters the sum."""
    n, o_count, ho, wo = out_shape(x_shape, w_shape, stride, padding, dilation)
    _, cg, kh, kw = w_shape
    per_group = o_count // groups
    for ni in range(n):
        for o in range(o_count):
            g = o // per_group
            for i in range(ho):
                for j in range(wo):
                    for c in range(cg):
                        for a in range(kh):
                            for e in range(kw):
                                yield (ni, o, i, j, g * cg + c, c, a, e,
                                       i * stride[0] + a * dilation[0], j * stride[1] + e * dilation[1])


def out_shape(x_shape, w_shape, stride, padding, dilation):
    """(N, O, Ho, Wo): one output per window start that leaves the kernel inside the padded input."""
    n, _, h, wd = x_shape
    o, _, kh, kw = w_shape
    (top, bottom), (left, right) = padding
    ho = (h + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    return n, o, ho, wo


def conv2d(x, w, b, stride, padding, dilation, groups, mode):
    """y[n,o,i,j] = b[o] + sum over c, a, e of x_pad[n, g*C/G + c, i*s + a*d, j*s + e*d] * w'[o,c,a,e]."""
    xp = _pad(x, padding)
    y = np.zeros(out_shape(x.shape, w.shape, stride, padding, dilation))
    for ni, o, i, j, ch, c, a, e, r, q in _terms(x.shape, w.shape, stride, padding, dilation, groups):
        y[ni, o, i, j] += xp[ni, ch, r, q] * _kernel_cell(w, o, c, a, e, mode)[0]
    if b is not None:
        for ni, o, i, j in np.ndindex(y.shape):
            y[ni, o, i, j] += b[o]
    return y


def conv2d_grads(dy, x, w, b, stride, padding, dilation, groups, mode):
    """dx, dw, db (None without bias) of L = sum(y * dy), by the same loops read backwards."""
    xp = _pad(x, padding)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for ni, o, i, j, ch, c, a, e, r, q in _terms(x.shape, w.shape, stride, padding, dilation, groups):
        weight, (wa, we) = _kernel_cell(w, o, c, a, e, mode)
        dxp[ni, ch, r, q] += dy[ni, o, i, j] * weight
        dw[o, c, wa, we] += dy[ni, o, i, j] * xp[ni, ch, r, q]
    (top, _), (left, _) = padding
    h, wd = x.shape[2:]
    dx = dxp[:, :, top:top + h, left:left + wd]
    db = None
    if b is not None:
        db = np.zeros_like(b)
        for ni, o, i, j in np.ndindex(dy.shape):
            db[o] += dy[ni, o, i, j]
    return dx, dw, db
