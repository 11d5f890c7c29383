"""Write the golden files in tests/goldens/ from PyTorch, in float64.

Run it with an environment that has torch (torch is never a dependency of cnncalc
or of its tests; the tests only read the JSON written here):

    python tools/make_goldens.py              # every registered layer
    python tools/make_goldens.py --only conv  # one layer

Each layer registers a generator with @layer("name"); it returns a list of cases,
written to tests/goldens/<name>.json. Every case draws its numbers from a random
generator seeded by its own id, so adding or removing a case leaves the others
unchanged. Padding is resolved here from the documented rules, independently of
cnncalc.core.geometry, so the goldens check that module too.
"""

from __future__ import annotations

import argparse
import itertools
import json
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "tests" / "goldens"
LAYERS = {}


def layer(name: str):
    """Register a case generator for golden file `name`.json."""
    def register(fn):
        LAYERS[name] = fn
        return fn
    return register


def case_rng(case_id: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(case_id.encode()))


def values(rng: np.random.Generator, shape, integer: bool = False) -> np.ndarray:
    """Uniform in [-2, 2], or integers in [-3, 3] for the hand-checkable cases."""
    if integer:
        return rng.integers(-3, 4, size=shape).astype(np.float64)
    return rng.uniform(-2.0, 2.0, size=shape)


def pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


# ---------------------------------------------------------------------------
# conv


def conv_padding(spec, in_hw, kernel_hw, stride, dilation):
    """((top, bottom), (left, right)) for a padding spec as the user writes it."""
    s, d = pair(stride), pair(dilation)
    if spec == "valid":
        return (0, 0), (0, 0)
    if spec == "full":
        return tuple((di * (k - 1),) * 2 for k, di in zip(kernel_hw, d))
    if spec == "same":  # TensorFlow: output ceil(n/s), the odd pixel at the high end
        out = []
        for n, k, si, di in zip(in_hw, kernel_hw, s, d):
            total = max((-(-n // si) - 1) * si + di * (k - 1) + 1 - n, 0)
            out.append((total // 2, total - total // 2))
        return tuple(out)
    if isinstance(spec, int):
        return (spec, spec), (spec, spec)
    if isinstance(spec[0], int):
        return (spec[0], spec[0]), (spec[1], spec[1])
    return tuple(map(tuple, spec))


def unread(n: int, k: int, s: int, d: int, pad: tuple[int, int], out: int) -> list[int]:
    """Input indices along one axis that no window touches (their dx must be 0)."""
    seen = {i * s + a * d - pad[0] for i in range(out) for a in range(k)}
    return [r for r in range(n) if r not in seen]


def torch_conv(x, w, b, stride, pad, dilation, groups, mode, dy_fn):
    """y, dx, dw, db from torch; dy = dy_fn(y.shape). Convolution flips w inside the graph."""
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = None if b is None else torch.tensor(b, requires_grad=True)
    kernel = torch.flip(wt, (2, 3)) if mode == "convolution" else wt
    (top, bottom), (left, right) = pad
    if top == bottom and left == right:
        y = F.conv2d(xt, kernel, bt, stride=stride, padding=(top, left), dilation=dilation, groups=groups)
    else:
        y = F.conv2d(F.pad(xt, (left, right, top, bottom)), kernel, bt,
                     stride=stride, dilation=dilation, groups=groups)
    dy = dy_fn(tuple(y.shape))
    y.backward(torch.tensor(dy))
    db = None if bt is None else bt.grad.numpy()
    return dy, y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), db


def conv_case(case_id, *, n, c, o, hw, k, stride, padding, dilation, groups, mode, bias,
              integer=False):
    rng = case_rng(case_id)
    x = values(rng, (n, c) + tuple(hw), integer)
    w = values(rng, (o, c // groups) + tuple(k), integer)
    b = values(rng, (o,), integer) if bias else None
    pad = conv_padding(padding, hw, k, stride, dilation)
    dy, y, dx, dw, db = torch_conv(x, w, b, pair(stride), pad, pair(dilation), groups, mode,
                                   lambda shape: values(rng, shape, integer))
    skipped = [unread(hw[i], k[i], pair(stride)[i], pair(dilation)[i], pad[i], y.shape[2 + i])
               for i in (0, 1)]
    assert not dx[:, :, skipped[0], :].any() and not dx[:, :, :, skipped[1]].any(), case_id
    return {
        "id": case_id,
        "options": {"stride": stride, "padding": padding, "dilation": dilation,
                    "groups": groups, "mode": mode},
        "padding_resolved": [list(p) for p in pad],
        "x": x.tolist(), "w": w.tolist(), "b": None if b is None else b.tolist(), "dy": dy.tolist(),
        "y": y.tolist(), "dx": dx.tolist(), "dw": dw.tolist(),
        "db": None if db is None else db.tolist(),
        "unread": {"rows": skipped[0], "cols": skipped[1]},
    }


CONV_STRIDES = {"s1": 1, "s2": 2, "s21": [2, 1]}
CONV_PADDINGS = ("int", "pair", "asym", "valid", "same", "full")
CONV_DILATIONS = {"d1": 1, "d2": 2}
CONV_GROUPS = ("g1", "g2", "dw")
CONV_MODES = {"corr": "correlation", "conv": "convolution"}


def random_padding(rng, kind):
    if kind == "int":
        return int(rng.integers(1, 3))
    if kind == "pair":
        return [int(v) for v in rng.permutation(3)[:2]]
    if kind == "asym":
        t, b, l, r = (int(v) for v in rng.integers(0, 4, size=4))
        return [[t, t + 1 + b], [l + 1 + r, l]]  # uneven on both axes
    return kind


def random_channels(rng, grouping):
    """(C, O, groups) for plain, two-group and depthwise convolution."""
    if grouping == "g1":
        return int(rng.integers(1, 4)), int(rng.integers(1, 4)), 1
    if grouping == "g2":
        return 2 * int(rng.integers(1, 3)), 2 * int(rng.integers(1, 3)), 2
    c = int(rng.integers(2, 4))
    return c, c * int(rng.integers(1, 3)), c


def random_size(rng, k, d, pad_total):
    """An input length whose padded size fits the dilated kernel (at least one window)."""
    low = max(1, d * (k - 1) + 1 - pad_total)
    return int(rng.integers(low, low + 4))


def conv_grid_case(s_name, pad_kind, d_name, grouping, m_name, bias):
    case_id = f"{s_name}-{pad_kind}-{d_name}-{grouping}-{m_name}-{'bias' if bias else 'nobias'}"
    rng = case_rng(case_id + "/shape")
    d = CONV_DILATIONS[d_name]
    k = tuple(int(v) for v in rng.integers(1, 5 if d == 1 else 4, size=2))  # even kernels included
    c, o, groups = random_channels(rng, grouping)
    padding = random_padding(rng, pad_kind)
    if pad_kind in ("same", "full"):
        totals = (10**6, 10**6)  # any size fits
    else:
        totals = [sum(p) for p in conv_padding(padding, (1, 1), k, 1, d)]
    hw = tuple(random_size(rng, ki, d, t) for ki, t in zip(k, totals))
    return conv_case(case_id, n=int(rng.integers(1, 3)), c=c, o=o, hw=hw, k=k,
                     stride=CONV_STRIDES[s_name], padding=padding, dilation=d, groups=groups,
                     mode=CONV_MODES[m_name], bias=bias)


def conv_special_cases():
    """Named situations that must be present whatever the grid draws."""
    common = dict(n=1, groups=1, mode="correlation", bias=True)
    cases = [
        # stride 2: the last row/col (kernel 2) or every odd one (kernel 1, dilation 2) is never read
        conv_case("unread-s2-k2-last-row", c=2, o=2, hw=(5, 7), k=(2, 2), stride=2, padding=0,
                  dilation=1, **common),
        conv_case("unread-s2-k1-odd-rows", c=1, o=2, hw=(6, 5), k=(1, 1), stride=2, padding="valid",
                  dilation=1, **common),
        conv_case("unread-s2-d2-k2-conv", c=2, o=1, hw=(7, 6), k=(2, 2), stride=2, padding="valid",
                  dilation=2, n=2, groups=1, mode="convolution", bias=False),
        conv_case("unread-s3-k2-pad1", c=1, o=1, hw=(8, 8), k=(2, 2), stride=3, padding=1,
                  dilation=1, **common),
        # 'same' with even kernels at stride 2: odd padding pixel at bottom/right, or none at all
        conv_case("same-s2-k4-h7", c=2, o=3, hw=(7, 6), k=(4, 2), stride=2, padding="same",
                  dilation=1, **common),
        conv_case("same-s2-k2-h4-nopad", c=1, o=2, hw=(4, 4), k=(2, 2), stride=2, padding="same",
                  dilation=1, **common),
        conv_case("same-s2-k4-d2-conv", c=2, o=2, hw=(8, 9), k=(4, 2), stride=2, padding="same",
                  dilation=2, n=1, groups=1, mode="convolution", bias=True),
        conv_case("same-s1-k2-even", c=1, o=1, hw=(5, 6), k=(2, 4), stride=1, padding="same",
                  dilation=1, **common),
        # TensorFlow's documented example: n=13, k=6, s=5 pads 1 before and 2 after
        conv_case("same-tf-doc-13-6-5", c=1, o=1, hw=(13, 13), k=(6, 6), stride=5, padding="same",
                  dilation=1, **common),
        # asymmetric padding, strongly uneven, with stride
        conv_case("asym-s2-0-3-2-0", c=2, o=2, hw=(5, 6), k=(3, 2), stride=2,
                  padding=[[0, 3], [2, 0]], dilation=1, **common),
        conv_case("asym-conv-1-0-0-2", c=1, o=2, hw=(4, 4), k=(3, 3), stride=1,
                  padding=[[1, 0], [0, 2]], dilation=1, n=1, groups=1, mode="convolution", bias=False),
        # depthwise with stride 2 (and a channel multiplier)
        conv_case("depthwise-s2", c=3, o=3, hw=(7, 8), k=(3, 3), stride=2, padding=1,
                  dilation=1, n=2, groups=3, mode="correlation", bias=True),
        conv_case("depthwise-s2-mult2-same-conv", c=3, o=6, hw=(6, 7), k=(4, 3), stride=2,
                  padding="same", dilation=1, n=1, groups=3, mode="convolution", bias=True),
        # per-axis stride and dilation
        conv_case("stride-1-2-dil-2-1", c=2, o=2, hw=(7, 7), k=(2, 3), stride=[1, 2], padding=[1, 0],
                  dilation=[2, 1], **common),
        conv_case("full-dil-1-2-conv", c=1, o=1, hw=(3, 4), k=(2, 3), stride=1, padding="full",
                  dilation=[1, 2], n=1, groups=1, mode="convolution", bias=False),
        # kernel as large as the padded input: a single output
        conv_case("single-output", c=2, o=1, hw=(3, 4), k=(3, 4), stride=2, padding="valid",
                  dilation=1, **common),
    ]
    # small integer-valued cases, easy to check by hand
    integer_options = [(1, 0, "correlation"), (1, "full", "convolution"), (2, "same", "correlation"),
                       ([2, 1], [[0, 1], [1, 0]], "convolution"), (1, [1, 0], "correlation"),
                       (2, 1, "convolution")]
    for i, (stride, padding, mode) in enumerate(integer_options):
        cases.append(conv_case(f"integer-{i}", n=1, c=2, o=2, hw=(4, 5), k=(2, 3), stride=stride,
                               padding=padding, dilation=1, groups=1 + i % 2, mode=mode,
                               bias=bool(i % 2), integer=True))
    return cases


@layer("conv")
def conv_goldens():
    grid = itertools.product(CONV_STRIDES, CONV_PADDINGS, CONV_DILATIONS, CONV_GROUPS,
                             CONV_MODES, (False, True))
    return [conv_grid_case(*combo) for combo in grid] + conv_special_cases()


# ---------------------------------------------------------------------------
# pool


def pool_out_len(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape for one axis, written out here independently."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1  # floor division, as div_rtn
    if ceil_mode and (out - 1) * s >= n + p:  # the last window may not start in the padding
        out -= 1
    return out


def reads_input(n: int, k: int, s: int, p: int, d: int, out: int) -> bool:
    """Every window along the axis has a real cell (torch gives −∞ or crashes otherwise)."""
    return out >= 1 and all(any(0 <= i * s + a * d - p < n for a in range(k)) for i in range(out))


def torch_pool(kind, x, dy_fn, kernel, stride, padding, dilation, ceil_mode, count_include_pad):
    """y, dx, dy and (max only) argmax as (row, col) of the unpadded input."""
    xt = torch.tensor(x, requires_grad=True)
    if kind == "max":
        y, flat = F.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
        width = x.shape[3]
        argmax = torch.stack([flat // width, flat % width], dim=-1).numpy()
    else:
        y = F.avg_pool2d(xt, kernel, stride, padding, ceil_mode, count_include_pad)
        argmax = None
    dy = dy_fn(tuple(y.shape))
    y.backward(torch.tensor(dy))
    return dy, y.detach().numpy(), xt.grad.numpy(), argmax


def pool_case(case_id, kind, *, x=None, n=1, c=1, hw=None, kernel, stride=None, padding=0,
              dilation=1, ceil_mode=False, count_include_pad=True, integer=False, dy=None):
    """One pool case; x and dy drawn from the case's generator unless given."""
    rng = case_rng(case_id)
    x = values(rng, (n, c) + tuple(hw), integer) if x is None else np.array(x, dtype=np.float64)
    k, s, p, d = pair(kernel), pair(kernel if stride is None else stride), pair(padding), pair(dilation)
    out = tuple(pool_out_len(x.shape[2 + i], k[i], s[i], p[i], d[i], ceil_mode) for i in (0, 1))
    assert all(reads_input(x.shape[2 + i], k[i], s[i], p[i], d[i], out[i]) for i in (0, 1)), case_id
    dy_fn = (lambda shape: values(rng, shape, integer)) if dy is None else (lambda _: np.array(dy, float))
    dy, y, dx, argmax = torch_pool(kind, x, dy_fn, k, s, p, d, ceil_mode, count_include_pad)
    assert y.shape[2:] == out, (case_id, y.shape, out)
    options = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": ceil_mode}
    if kind == "max":
        options["dilation"] = dilation
    else:
        options["count_include_pad"] = count_include_pad
    case = {"id": case_id, "kind": kind, "options": options,
            "x": x.tolist(), "dy": dy.tolist(), "y": y.tolist(), "dx": dx.tolist()}
    if argmax is not None:
        case["argmax"] = argmax.tolist()
        case["tied_windows"] = tied_windows(x, y, k, s, p, d)
    return case


def tied_windows(x, y, k, s, p, d) -> int:
    """How many windows hold their maximum more than once (the tie rule decides their dx)."""
    count = 0
    for i, j in itertools.product(range(y.shape[2]), range(y.shape[3])):
        rows = [r for r in range(i * s[0] - p[0], i * s[0] - p[0] + k[0] * d[0], d[0]) if 0 <= r < x.shape[2]]
        cols = [q for q in range(j * s[1] - p[1], j * s[1] - p[1] + k[1] * d[1], d[1]) if 0 <= q < x.shape[3]]
        window = x[:, :, rows][:, :, :, cols]
        count += int(((window == y[:, :, i:i + 1, j:j + 1]).sum(axis=(2, 3)) > 1).sum())
    return count


POOL_KERNELS = ("square", "rect")
POOL_STRIDES = {"sdef": None, "s1": 1, "s2": 2, "s21": [2, 1]}
POOL_PADDINGS = ("p0", "p1", "pair")
POOL_DILATIONS = {"d1": 1, "d2": 2}


def random_pool_kernel(rng, shape, pad_kind):
    """(kH, kW) in 1..3, square or not; p1 needs 2+ on both axes, pair on at least one."""
    low = 2 if pad_kind == "p1" else 1
    while True:
        k = [int(v) for v in rng.integers(low, 4, size=2)]
        if shape == "square":
            k[1] = k[0]
        if (k[0] == k[1]) == (shape == "square") and (pad_kind != "pair" or max(k) >= 2):
            return tuple(k)


def random_pool_padding(rng, kind, k):
    if kind == "p0":
        return 0
    if kind == "p1":
        return 1
    while True:  # unequal rows and columns, each at most half the kernel
        p = [int(rng.integers(0, ki // 2 + 1)) for ki in k]
        if p[0] != p[1]:
            return p


def random_pool_size(rng, k, s, p, d, ceil_mode):
    """An input length with at least one window, none wholly in padding; in ceil mode
    (stride > 1) preferably one where ceil and floor differ."""
    low = max(1, d * (k - 1) + 1 - 2 * p)
    sizes = [n for n in range(low, low + 5)
             if reads_input(n, k, s, p, d, pool_out_len(n, k, s, p, d, ceil_mode))]
    if ceil_mode and s > 1:
        uneven = [n for n in sizes if pool_out_len(n, k, s, p, d, True) != pool_out_len(n, k, s, p, d, False)]
        sizes = uneven or sizes
    return int(rng.choice(sizes))


def pool_grid_case(kind, k_shape, s_name, pad_kind, d_name, ceil_mode, count_include_pad):
    parts = [kind, k_shape, s_name, pad_kind, d_name, "ceil" if ceil_mode else "floor"]
    if kind == "avg":
        parts.append("incpad" if count_include_pad else "nopad")
    case_id = "-".join(p for p in parts if p)
    rng = case_rng(case_id + "/shape")
    k = random_pool_kernel(rng, k_shape, pad_kind)
    padding = random_pool_padding(rng, pad_kind, k)
    stride, d = POOL_STRIDES[s_name], POOL_DILATIONS.get(d_name, 1)
    s, p = pair(k if stride is None else stride), pair(padding)
    hw = tuple(random_pool_size(rng, k[i], s[i], p[i], d, ceil_mode) for i in (0, 1))
    return pool_case(case_id, kind, n=int(rng.integers(1, 3)), c=int(rng.integers(1, 3)), hw=hw,
                     kernel=list(k) if k[0] != k[1] else k[0], stride=stride, padding=padding,
                     dilation=d, ceil_mode=ceil_mode, count_include_pad=count_include_pad)


def pool_special_cases():
    seed_3x3 = [[[[1, 2, 3], [4, 9, 5], [6, 7, 8]]]]
    seed_4x4 = [[[[1, 0, 2, 3], [4, 6, 6, 8], [3, 1, 1, 0], [1, 2, 2, 4]]]]
    cases = []
    for kind in ("max", "avg"):
        cases += [
            # seed cases: overlapping 2x2 windows at stride 1; the classic 2x2 stride-2 pool
            pool_case(f"{kind}-seed-3x3-k2-s1", kind, x=seed_3x3, kernel=2, stride=1, dy=[[[[1, 2], [3, 4]]]]),
            pool_case(f"{kind}-seed-4x4-k2-s2", kind, x=seed_4x4, kernel=2, stride=2, dy=[[[[1, 2], [3, 4]]]]),
            # ceil mode: a 4-window overshoots a 3-input by 1 < stride 2, so PyTorch gives 1 output
            pool_case(f"{kind}-ceil-overshoot-n3-k4-s2", kind, hw=(3, 3), kernel=4, stride=2, ceil_mode=True),
            pool_case(f"{kind}-ceil-overshoot-n3-k43-s2", kind, n=2, c=2, hw=(3, 5), kernel=[4, 3],
                      stride=2, ceil_mode=True),
            # ceil mode: the window that would start in the bottom padding is dropped
            pool_case(f"{kind}-ceil-drop-padded-start", kind, hw=(5, 5), kernel=2, stride=2, padding=1,
                      ceil_mode=True),
            pool_case(f"{kind}-ceil-drop-s3-pair", kind, c=2, hw=(7, 5), kernel=[3, 2], stride=3,
                      padding=[1, 1], ceil_mode=True),
            # heavily overlapping windows with padding
            pool_case(f"{kind}-overlap-k3-s1-p1", kind, n=2, c=1, hw=(4, 5), kernel=3, stride=1, padding=1),
        ]
    cases.append(pool_case("avg-ceil-overshoot-nopad-count", "avg", c=2, hw=(5, 4), kernel=[3, 2],
                           stride=[2, 3], padding=[1, 1], ceil_mode=True, count_include_pad=False))
    # ties: integers in -3..3 (or all equal); the first maximum in row-major window order wins
    tie_options = [dict(kernel=2, stride=1), dict(kernel=3, stride=1, padding=1),
                   dict(kernel=[2, 3], stride=[1, 2], ceil_mode=True), dict(kernel=2, stride=1, dilation=2),
                   dict(kernel=3, stride=2, padding=1, ceil_mode=True), dict(kernel=[3, 1], stride=1, padding=[1, 0])]
    for i, opts in enumerate(tie_options):
        cases.append(pool_case(f"max-ties-{i}", "max", n=1, c=2, hw=(5, 5), integer=True, **opts))
    cases.append(pool_case("max-ties-all-equal", "max", x=np.full((1, 1, 4, 4), 2.0), kernel=3, stride=1,
                           padding=1, dy=np.arange(16.0).reshape(1, 1, 4, 4)))
    cases.append(pool_case("max-ties-negative-with-padding", "max", x=-np.ones((1, 1, 3, 3)), kernel=2,
                           stride=2, padding=1, dy=[[[[1, 2], [3, 4]]]]))
    return cases


@layer("pool")
def pool_goldens():
    grid = [("max", ks, s, p, d, ceil, True) for ks, s, p, d, ceil in
            itertools.product(POOL_KERNELS, POOL_STRIDES, POOL_PADDINGS, POOL_DILATIONS, (False, True))]
    grid += [("avg", ks, s, p, "", ceil, cip) for ks, s, p, ceil, cip in
             itertools.product(POOL_KERNELS, POOL_STRIDES, POOL_PADDINGS, (False, True), (True, False))]
    return [pool_grid_case(*combo) for combo in grid] + pool_special_cases()


# ---------------------------------------------------------------------------
# fc


def fc_case(case_id, *, n, n_in, n_out, bias, layout, integer=False):
    """F.linear on w (out, in); for layout in-out the user's matrix is wᵀ, and so is dw."""
    rng = case_rng(case_id)
    x, w = values(rng, (n, n_in), integer), values(rng, (n_out, n_in), integer)
    b = values(rng, (n_out,), integer) if bias else None
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = None if b is None else torch.tensor(b, requires_grad=True)
    y = F.linear(xt, wt, bt)
    dy = values(rng, tuple(y.shape), integer)
    y.backward(torch.tensor(dy))
    dw = wt.grad.numpy()
    if layout == "in-out":
        w, dw = w.T, dw.T
    return {"id": case_id, "layout": layout, "x": x.tolist(), "w": w.tolist(),
            "b": None if b is None else b.tolist(), "dy": dy.tolist(), "y": y.detach().numpy().tolist(),
            "dx": xt.grad.numpy().tolist(), "dw": dw.tolist(),
            "db": None if bt is None else bt.grad.numpy().tolist()}


@layer("fc")
def fc_goldens():
    cases = []
    for layout, bias, n in itertools.product(("out-in", "in-out"), (True, False), (1, 4)):
        case_id = f"{layout}-{'bias' if bias else 'nobias'}-n{n}"
        rng = case_rng(case_id + "/shape")
        cases.append(fc_case(case_id, n=n, n_in=int(rng.integers(1, 7)), n_out=int(rng.integers(1, 6)),
                             bias=bias, layout=layout))
    cases += [fc_case("square-in-out", n=3, n_in=4, n_out=4, bias=True, layout="in-out"),
              fc_case("integer-out-in", n=2, n_in=3, n_out=2, bias=True, layout="out-in", integer=True),
              fc_case("integer-in-out", n=2, n_in=3, n_out=2, bias=False, layout="in-out", integer=True),
              fc_case("single-in-single-out", n=3, n_in=1, n_out=1, bias=True, layout="out-in")]
    return cases


# ---------------------------------------------------------------------------
# activation

ACTIVATIONS = {"relu": (F.relu, None), "leaky_relu-0.01": (F.leaky_relu, 0.01),
               "leaky_relu-0.2": (F.leaky_relu, 0.2), "sigmoid": (torch.sigmoid, None),
               "tanh": (torch.tanh, None)}


def activation_inputs(rng, name, kind):
    """x for one case: random with exact zeros, the kink alone, or large magnitudes."""
    if kind == "random":
        x = values(rng, (2, 3, 3, 4))
        x.flat[rng.choice(x.size, size=6, replace=False)] = 0.0
        return x
    if kind == "kink":
        return np.array([0.0, -0.0, 1e-300, -1e-300, 5e-324, -5e-324, 0.0, 1.0])
    big = [50.0, -50.0, 20.0, -20.0, 37.5, -37.5, 0.0]
    if name in ("sigmoid", "tanh"):
        big += [800.0, -800.0, 710.0, -710.0, 720.0, -720.0, 745.0, -745.0, 700.0, -700.0, 1e300, -1e300]
    return np.array(big).reshape(1, -1)


def activation_case(name, kind):
    case_id = f"{name}-{kind}"
    rng = case_rng(case_id)
    fn, slope = ACTIVATIONS[name]
    x = activation_inputs(rng, name.split("-")[0], kind)
    xt = torch.tensor(x, requires_grad=True)
    y = fn(xt) if slope is None else fn(xt, slope)
    dy = values(rng, x.shape)
    y.backward(torch.tensor(dy))
    return {"id": case_id, "activation": name.split("-")[0], "slope": slope,
            "x": x.tolist(), "dy": dy.tolist(), "y": y.detach().numpy().tolist(), "dx": xt.grad.numpy().tolist()}


@layer("activation")
def activation_goldens():
    return [activation_case(name, kind) for name in ACTIVATIONS for kind in ("random", "kink", "large")]


# ---------------------------------------------------------------------------
# softmax and cross-entropy


def softmax_target(rng, kind, n, k):
    """The target as torch takes it: class indices (N,), one-hot rows or soft probability rows."""
    index = rng.integers(0, k, size=n)
    if kind == "index":
        return index
    if kind == "onehot":
        return np.eye(k)[index]
    return rng.dirichlet(np.ones(k), size=n)


def cross_entropy_case(case_id, z, target, kind, reduction):
    zt = torch.tensor(z, requires_grad=True)
    tt = torch.tensor(target)
    loss = F.cross_entropy(zt, tt, reduction=reduction)
    loss.backward()
    p = F.softmax(torch.tensor(z), dim=1)
    t = F.one_hot(tt, z.shape[1]).double() if kind == "index" else tt
    pt = p.clone().requires_grad_(True)
    loss_p = -(t * torch.log(pt)).sum()
    if reduction == "mean":
        loss_p = loss_p / z.shape[0]
    loss_p.backward()
    return {"id": case_id, "type": "cross_entropy", "target_kind": kind, "reduction": reduction,
            "z": z.tolist(), "target": target.tolist(), "p": p.numpy().tolist(),
            "log_p": F.log_softmax(torch.tensor(z), dim=1).numpy().tolist(), "loss": loss.item(),
            "dz": zt.grad.numpy().tolist(), "dp": pt.grad.numpy().tolist()}


def jacobian_case(case_id, z):
    jac = torch.autograd.functional.jacobian(lambda v: F.softmax(v, dim=0), torch.tensor(z))
    return {"id": case_id, "type": "jacobian", "z": z.tolist(),
            "p": F.softmax(torch.tensor(z), dim=0).numpy().tolist(), "jacobian": jac.numpy().tolist()}


@layer("softmax")
def softmax_goldens():
    cases = []
    grid = itertools.product(("index", "onehot", "soft"), ("sum", "mean"), (1, 3))
    for i, (kind, reduction, n) in enumerate(grid):
        case_id = f"{kind}-{reduction}-n{n}"
        rng = case_rng(case_id)
        k = 2 + i % 5  # K = 2..6 across the grid
        z = values(rng, (n, k)) * (1.0 if i % 3 else 5.0)
        cases.append(cross_entropy_case(case_id, z, softmax_target(rng, kind, n, k), kind, reduction))
    big = np.array([[1000.0, 1001.0, 999.0]])
    for kind, reduction in itertools.product(("index", "onehot", "soft"), ("sum", "mean")):
        case_id = f"large-logits-{kind}-{reduction}"
        target = {"index": np.array([2]), "onehot": np.array([[0.0, 0.0, 1.0]]),
                  "soft": np.array([[0.25, 0.5, 0.25]])}[kind]
        cases.append(cross_entropy_case(case_id, big, target, kind, reduction))
    rng = case_rng("large-logits-batch")
    z = np.vstack([big, [[-3.0, 0.0, 3.0]], values(rng, (2, 3)) * 30.0])
    cases.append(cross_entropy_case("large-logits-batch-index-mean", z, np.array([1, 0, 2, 1]), "index", "mean"))
    cases.append(cross_entropy_case("k6-n5-soft-sum", values(case_rng("k6-n5"), (5, 6)),
                                    case_rng("k6-n5/t").dirichlet(np.ones(6), size=5), "soft", "sum"))
    for k in range(2, 7):
        cases.append(jacobian_case(f"jacobian-k{k}", values(case_rng(f"jacobian-k{k}"), (k,))))
    cases.append(jacobian_case("jacobian-1000-1001-999", big[0]))
    return cases


# ---------------------------------------------------------------------------
# mse


def mse_case(case_id, shape, reduction, integer=False):
    rng = case_rng(case_id)
    y, t = values(rng, shape, integer), values(rng, shape, integer)
    yt, tt = torch.tensor(y, requires_grad=True), torch.tensor(t)
    if reduction == "half_sum":
        loss = 0.5 * ((yt - tt) ** 2).sum()
    else:
        loss = F.mse_loss(yt, tt, reduction=reduction)
    loss.backward()
    return {"id": case_id, "reduction": reduction, "y": y.tolist(), "t": t.tolist(),
            "loss": loss.item(), "dy": yt.grad.numpy().tolist()}


MSE_SHAPES = {"1d": (5,), "2d": (3, 4), "3d": (2, 3, 2), "4d": (2, 2, 3, 3)}


@layer("mse")
def mse_goldens():
    cases = [mse_case(f"{r}-{dims}", shape, r)
             for r in ("half_sum", "sum", "mean") for dims, shape in MSE_SHAPES.items()]
    cases += [mse_case(f"{r}-integer-2d", (2, 3), r, integer=True) for r in ("half_sum", "sum", "mean")]
    cases += [mse_case(f"{r}-single", (1,), r) for r in ("half_sum", "sum", "mean")]
    return cases


# ---------------------------------------------------------------------------


def write(name: str, cases: list) -> Path:
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), f"duplicate case ids in {name}"
    doc = {"layer": name, "generator": "tools/make_goldens.py", "torch": torch.__version__,
           "dtype": "float64", "cases": cases}
    path = GOLDEN_DIR / f"{name}.json"
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(LAYERS), action="append",
                        help="generate only this layer (repeatable)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name in args.only or sorted(LAYERS):
        cases = LAYERS[name]()
        path = write(name, cases)
        print(f"{path.relative_to(GOLDEN_DIR.parent.parent)}: {len(cases)} cases, "
              f"{path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
