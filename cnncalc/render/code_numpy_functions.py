"""The functions a `--show-code numpy` program defines: each layer's forward and backward as plain
loops over output positions, written for a student to read. A program includes only those it uses."""

from __future__ import annotations

SHOW = '''def show(name, array):
    print(name, "=", np.asarray(array, dtype=float).tolist())
'''

OUTPUT_SIZE = '''def output_size(n, k, stride, dilation, pad_low, pad_high, ceil_mode=False):
    """How many windows fit along one axis: floor((n + pads − d·(k − 1) − 1) / s) + 1.
    In ceil mode the division rounds up, and (as in PyTorch) a last window that would
    start inside the high-side padding is dropped."""
    span = n + pad_low + pad_high - dilation * (k - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    size = -(-span // stride) + 1
    if (size - 1) * stride >= n + pad_low:
        size -= 1
    return size
'''

WINDOW = '''def window(i, j, kernel, stride, dilation):
    """The rows and columns of the padded input that window (i, j) reads: i·s + a·d, a < k."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
    cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
    return rows, cols
'''

CONV2D = '''def conv2d(x, w, b, stride, padding, dilation, groups):
    """Cross-correlation (what PyTorch's conv2d computes): x (N, C, H, W), w (O, C/groups, kH, kW),
    b (O,) or None, padding ((top, bottom), (left, right)) -> y (N, O, Ho, Wo) with
    y[n, o, i, j] = b[o] + Σ_{c, a, e} w[o, c, a, e] · x_pad[n, first(o) + c, i·s + a·d, j·s + e·d],
    first(o) being the first input channel of filter o's group."""
    (top, bottom), (left, right) = padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))  # zeros around each map
    filters, per_group, kh, kw = w.shape
    out_h = output_size(x.shape[2], kh, stride[0], dilation[0], top, bottom)
    out_w = output_size(x.shape[3], kw, stride[1], dilation[1], left, right)
    y = np.zeros((x.shape[0], filters, out_h, out_w))
    for o in range(filters):
        first = (o // (filters // groups)) * per_group  # filter o sees only its group's channels
        channels = slice(first, first + per_group)
        for i in range(out_h):
            for j in range(out_w):
                rows, cols = window(i, j, (kh, kw), stride, dilation)
                y[:, o, i, j] = np.sum(x_pad[:, channels, rows, cols] * w[o], axis=(1, 2, 3))
                if b is not None:
                    y[:, o, i, j] += b[o]
    return y
'''

CONV2D_BACKWARD = '''def conv2d_backward(dy, x, w, stride, padding, dilation, groups):
    """dx (N, C, H, W), dw (O, C/groups, kH, kW) and db (O,) from dy (N, O, Ho, Wo): each product
    w[o, c, a, e] · x_pad[...] of y[n, o, i, j] passes dy[n, o, i, j] to both of its factors."""
    (top, bottom), (left, right) = padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    dx_pad, dw = np.zeros_like(x_pad), np.zeros_like(w)
    db = dy.sum(axis=(0, 2, 3))  # b[o] is added to every output of filter o
    filters, per_group, kh, kw = w.shape
    for o in range(filters):
        first = (o // (filters // groups)) * per_group
        channels = slice(first, first + per_group)
        for i in range(dy.shape[2]):
            for j in range(dy.shape[3]):
                rows, cols = window(i, j, (kh, kw), stride, dilation)
                upstream = dy[:, o, i, j].reshape(-1, 1, 1, 1)  # one per sample
                dw[o] += np.sum(upstream * x_pad[:, channels, rows, cols], axis=0)
                dx_pad[:, channels, rows, cols] += upstream * w[o]
    height, width = x.shape[2:]
    dx = dx_pad[:, :, top:top + height, left:left + width]  # the padding's share is dropped
    return dx, dw, db
'''

POOL_WINDOWS = '''def pool_windows(in_hw, kernel, stride, padding, dilation, ceil_mode):
    """(Ho, Wo) and every window as (i, j, cells, covered): the input cells (row, col) it reads,
    row-major, padding left out; covered: how many of its cells lie in the padded input
    (in ceil mode a last window may hang past it)."""
    (height, width), (kh, kw), (sh, sw), (dh, dw) = in_hw, kernel, stride, dilation
    (top, bottom), (left, right) = padding
    out_h = output_size(height, kh, sh, dh, top, bottom, ceil_mode)
    out_w = output_size(width, kw, sw, dw, left, right, ceil_mode)
    windows = []
    for i in range(out_h):
        for j in range(out_w):
            rows = [i * sh + a * dh - top for a in range(kh)]  # input rows; below 0 is top padding
            cols = [j * sw + e * dw - left for e in range(kw)]
            cells = [(r, c) for r in rows for c in cols if 0 <= r < height and 0 <= c < width]
            covered = (sum(-top <= r < height + bottom for r in rows)
                       * sum(-left <= c < width + right for c in cols))
            windows.append((i, j, cells, covered))
    return (out_h, out_w), windows
'''

MAX_POOL2D = '''def max_pool2d(x, kernel, stride, padding, dilation, ceil_mode):
    """y (N, C, Ho, Wo): the max of each window. Padding counts as −∞, so only the window's
    input cells matter (a window wholly in padding gives −∞)."""
    out_hw, windows = pool_windows(x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    y = np.full(x.shape[:2] + out_hw, -np.inf)
    for i, j, cells, covered in windows:
        for r, c in cells:
            y[:, :, i, j] = np.maximum(y[:, :, i, j], x[:, :, r, c])
    return y
'''

MAX_POOL2D_BACKWARD = '''def max_pool2d_backward(dy, x, y, kernel, stride, padding, dilation, ceil_mode, ties):
    """dx (N, C, H, W): each window's dy goes to its maximum; windows that overlap add up.
    ties 'first': all of dy to the first maximum in row-major order (PyTorch's rule);
    'split': dy / m to each of the m tied maxima; 'all': all of dy to each tied maximum."""
    dx = np.zeros_like(x)
    out_hw, windows = pool_windows(x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    for i, j, cells, covered in windows:
        for n in range(x.shape[0]):
            for ch in range(x.shape[1]):
                tied = [(r, c) for r, c in cells if x[n, ch, r, c] == y[n, ch, i, j]]
                if not tied:
                    continue  # a window wholly in padding passes nothing back
                if ties == "first":
                    tied = tied[:1]
                share = dy[n, ch, i, j] / len(tied) if ties == "split" else dy[n, ch, i, j]
                for r, c in tied:
                    dx[n, ch, r, c] += share
    return dx
'''

AVG_POOL2D = '''def avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad):
    """y (N, C, Ho, Wo): each window's sum (padding adds 0) over its divisor: the cells it covers
    in the padded input (count_include_pad) or its input cells only."""
    out_hw, windows = pool_windows(x.shape[2:], kernel, stride, padding, (1, 1), ceil_mode)
    y = np.zeros(x.shape[:2] + out_hw)
    for i, j, cells, covered in windows:
        divisor = covered if count_include_pad else len(cells)
        for r, c in cells:
            y[:, :, i, j] += x[:, :, r, c]
        y[:, :, i, j] /= divisor
    return y
'''

AVG_POOL2D_BACKWARD = '''def avg_pool2d_backward(dy, x, kernel, stride, padding, ceil_mode, count_include_pad):
    """dx (N, C, H, W): every input cell of window (i, j) gets dy[i, j] / its divisor; overlaps add up."""
    dx = np.zeros_like(x)
    out_hw, windows = pool_windows(x.shape[2:], kernel, stride, padding, (1, 1), ceil_mode)
    for i, j, cells, covered in windows:
        divisor = covered if count_include_pad else len(cells)
        for r, c in cells:
            dx[:, :, r, c] += dy[:, :, i, j] / divisor
    return dx
'''

SOFTMAX = '''def softmax(z):
    """p (N, K) from logits z (N, K), row by row: e^(z − max) / Σ e^(z − max).
    Subtracting the row's max changes nothing but keeps e^z from overflowing."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
'''

LOG_SOFTMAX = '''def log_softmax(z):
    """ln p (N, K) = z − max − ln Σ e^(z − max): finite even where p rounds to 0."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
'''

# Each function, in the order a program defines them, with the functions it calls.
FUNCTIONS = {
    "output_size": (OUTPUT_SIZE, ()),
    "window": (WINDOW, ()),
    "pool_windows": (POOL_WINDOWS, ("output_size",)),
    "conv2d": (CONV2D, ("output_size", "window")),
    "conv2d_backward": (CONV2D_BACKWARD, ("window",)),
    "max_pool2d": (MAX_POOL2D, ("pool_windows",)),
    "max_pool2d_backward": (MAX_POOL2D_BACKWARD, ("pool_windows",)),
    "avg_pool2d": (AVG_POOL2D, ("pool_windows",)),
    "avg_pool2d_backward": (AVG_POOL2D_BACKWARD, ("pool_windows",)),
    "softmax": (SOFTMAX, ()),
    "log_softmax": (LOG_SOFTMAX, ()),
}


def definitions(used: set[str]) -> str:
    """The source of the functions in `used` and of those they call, in FUNCTIONS' order, then show()."""
    needed = set()

    def need(name: str) -> None:
        if name not in needed:
            needed.add(name)
            for callee in FUNCTIONS[name][1]:
                need(callee)

    for name in used:
        need(name)
    return "\n\n".join([source for name, (source, _) in FUNCTIONS.items() if name in needed] + [SHOW])
