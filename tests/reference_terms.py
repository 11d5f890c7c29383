"""Loop oracles for the term maps: every entry's factor pairs, found by walking every window
and kernel cell with plain loops (reference_conv._terms for conv). Test oracles only, plus
the strategy of window geometries the tests draw from.

Each oracle returns {target: {entry index: [pair, ...]}} in the order the loops meet the
pairs, so both the pair sets and their order can be compared.
"""

from collections import defaultdict

import numpy as np
from hypothesis import strategies as st

import reference_conv as ref
from cnncalc.core.geometry import explicit_padding, window_geometry


def conv_pairs(x_shape, w_shape, geom, groups, mode):
    """y: (x index, w index) pairs; dx: (dy index, w index); dw: (x index, dy index)."""
    h, wd = x_shape[2:]
    (top, _), (left, _) = geom.padding
    assert ref.out_shape(x_shape, w_shape, geom.stride, geom.padding, geom.dilation)[2:] == geom.out_hw
    zeros = np.zeros(w_shape)
    pairs = {name: defaultdict(list) for name in ("y", "dx", "dw")}
    for n, o, i, j, ch, c, a, e, pr, pc in ref._terms(x_shape, w_shape, geom.stride, geom.padding,
                                                      geom.dilation, groups):
        r, q = pr - top, pc - left
        if not (0 <= r < h and 0 <= q < wd):
            continue  # a padded cell holds 0: no term
        _, (wa, we) = ref._kernel_cell(zeros, o, c, a, e, mode)
        xi, wi, yi = (n, ch, r, q), (o, c, wa, we), (n, o, i, j)
        pairs["y"][yi].append((xi, wi))
        pairs["dx"][xi].append((yi, wi))
        pairs["dw"][wi].append((xi, yi))
    return pairs


def fc_pairs(x_shape, w_shape, layout):
    """y[n,o] = Σ_i x[n,i]·w[o,i] and its gradients, w indexed in its layout."""
    n_count, in_count = x_shape
    out_count = w_shape[0] if layout == "out-in" else w_shape[1]
    pairs = {name: defaultdict(list) for name in ("y", "dx", "dw")}
    for n in range(n_count):
        for o in range(out_count):
            for i in range(in_count):
                wi = (o, i) if layout == "out-in" else (i, o)
                pairs["y"][n, o].append(((n, i), wi))
                pairs["dx"][n, i].append(((n, o), wi))
                pairs["dw"][wi].append(((n, i), (n, o)))
    return pairs


def window_cells_loop(geom, i, j):
    """(cell (r, q), offset (a, e), inside) of every kernel offset of window (i, j), row-major."""
    (top, _), (left, _) = geom.padding
    h, w = geom.in_hw
    cells = []
    for a in range(geom.kernel_hw[0]):
        for e in range(geom.kernel_hw[1]):
            r = i * geom.stride[0] + a * geom.dilation[0] - top
            q = j * geom.stride[1] + e * geom.dilation[1] - left
            cells.append(((r, q), (a, e), 0 <= r < h and 0 <= q < w))
    return cells


SMALL = st.integers(0, 2)
PADDINGS = st.one_of(st.sampled_from(["valid", "same", "full"]), SMALL, st.lists(SMALL, min_size=2, max_size=2),
                     st.lists(st.lists(SMALL, min_size=2, max_size=2), min_size=2, max_size=2),
                     st.tuples(st.just("anchor"), st.tuples(st.integers(0, 2), st.integers(0, 2))))


@st.composite
def geometries(draw, ceil_mode=False):
    """A window geometry with any padding form (explicit, pair, asymmetric, same, full, anchor)."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(PADDINGS)
    anchor = None
    if isinstance(padding, tuple):
        anchor, padding = tuple(min(a, kk - 1) for a, kk in zip(padding[1], k)), None
    if anchor is not None or padding in ("same", "full"):
        fixed = ((9, 9), (9, 9))  # these always fit a window
    else:
        fixed = explicit_padding(0 if padding == "valid" else padding)
    hw = tuple(draw(st.integers(max(1, d * (kk - 1) + 1 - sum(p)), 6)) for kk, d, p in zip(k, dilation, fixed))
    return window_geometry(hw, k, stride, padding, dilation, anchor=anchor, ceil_mode=ceil_mode)
