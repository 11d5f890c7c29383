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
# pipeline: whole networks as `cnncalc pipeline` problem files, every tensor from autograd


class DoesNotFit(Exception):
    """A drawn layer has no valid output for its input (the random cases draw again)."""


def shown(array: np.ndarray, input_kind: str) -> np.ndarray:
    """A batch-first tensor as cnncalc displays it: without N for an unbatched input, and for
    an H×W input also without the channel axis of a single-channel map."""
    if input_kind == "batched":
        return array
    array = array[0]
    if input_kind == "hw" and array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    return array


BATCH_FIRST = {"batched": lambda s: s, "chw": lambda s: (1,) + s, "hw": lambda s: (1, 1) + s,
               "vector": lambda s: (1,) + s}


class TorchPipeline:
    """A pipeline problem and its torch graph, built one layer at a time.

    Layers are named as cnncalc names them (<type>_<k> per type, max- and avg-pool both
    pool_k, the first softmax p); every output keeps its gradient, parameters are leaves
    in the shape written in the problem."""

    def __init__(self, rng, x: np.ndarray, input_kind: str):
        self.rng, self.kind, self.x = rng, input_kind, x
        self.leaf = torch.tensor(x, requires_grad=True)
        self.h = self.leaf.reshape(BATCH_FIRST[input_kind](x.shape))
        self.layers, self.outputs, self.params, self.counts = [], {}, {}, {}
        self.types, self.tied_windows = [], 0

    def _add(self, kind: str, entry, y, params=()):
        if y.numel() == 0:
            raise DoesNotFit(kind)
        counter = "pool" if kind in ("maxpool", "avgpool") else kind
        self.counts[counter] = self.counts.get(counter, 0) + 1
        name = "p" if kind == "softmax" and self.counts[counter] == 1 else f"{counter}_{self.counts[counter]}"
        y.retain_grad()
        self.layers.append(entry)
        self.types.append(kind)
        self.outputs[name] = y
        for key, leaf in params:
            self.params[f"{name}.{key}"] = leaf
        self.h = y
        return self

    def _leaf(self, array):
        return None if array is None else torch.tensor(array, requires_grad=True)

    def conv(self, out: int, kernel, bias: bool = True, weight_ndim: int = 4, **options):
        """options as written in the problem (stride, padding, dilation, groups, mode)."""
        c, hw, k = self.h.shape[1], tuple(self.h.shape[2:]), pair(kernel)
        groups = options.get("groups", 1)
        w = values(self.rng, (out, c // groups) + k) / np.sqrt(c // groups * k[0] * k[1])
        written = w.reshape(w.shape[4 - weight_ndim:])
        assert written.size == w.size, "only leading axes of size 1 may be left out"
        b = values(self.rng, (out,)) if bias else None
        entry = {"type": "conv", "weight": written.tolist()} | ({"bias": b.tolist()} if bias else {}) | options
        wt, bt = self._leaf(written), self._leaf(b)
        kernel4 = wt.reshape(w.shape)
        if options.get("mode") == "convolution":
            kernel4 = torch.flip(kernel4, (2, 3))
        s, d = pair(options.get("stride", 1)), pair(options.get("dilation", 1))
        (top, bottom), (left, right) = conv_padding(options.get("padding", 0), hw, k, s, d)
        if any(n + lo + hi < di * (ki - 1) + 1 for n, (lo, hi), ki, di in
               zip(hw, ((top, bottom), (left, right)), k, d)):
            raise DoesNotFit("conv")
        if top == bottom and left == right:
            y = F.conv2d(self.h, kernel4, bt, stride=s, padding=(top, left), dilation=d, groups=groups)
        else:
            y = F.conv2d(F.pad(self.h, (left, right, top, bottom)), kernel4, bt, stride=s, dilation=d,
                         groups=groups)
        return self._add("conv", entry, y, [("weight", wt)] + ([("bias", bt)] if bias else []))

    def pool(self, kind: str, kernel_size, **options):
        """kind maxpool or avgpool; options as written (stride, padding, dilation, ceil_mode,
        count_include_pad). Every window must hold a real cell, as in the pool goldens."""
        k, p = pair(kernel_size), pair(options.get("padding", 0))
        s, d = pair(options.get("stride") or kernel_size), pair(options.get("dilation", 1))
        ceil = options.get("ceil_mode", False)
        for n, ki, si, pi, di in zip(self.h.shape[2:], k, s, p, d):
            if 2 * pi > ki or not reads_input(n, ki, si, pi, di, pool_out_len(n, ki, si, pi, di, ceil)):
                raise DoesNotFit(kind)
        if kind == "maxpool":
            y = F.max_pool2d(self.h, k, s, p, d, ceil)  # ties: the first maximum, as cnncalc's default
            self.tied_windows += tied_windows(self.h.detach().numpy(), y.detach().numpy(), k, s, p, d)
        else:
            y = F.avg_pool2d(self.h, k, s, p, ceil, options.get("count_include_pad", True))
        return self._add(kind, {"type": kind, "kernel_size": kernel_size} | options, y)

    def act(self, kind: str, slope: float | None = None):
        """relu, sigmoid, tanh, or leaky_relu with its slope (cnncalc's default 0.01 when None)."""
        assert slope is None or kind == "leaky_relu"
        if kind == "leaky_relu":
            y = F.leaky_relu(self.h, 0.01 if slope is None else slope)
        else:
            y = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[kind](self.h)
        return self._add(kind, kind if slope is None else {"type": kind, "slope": slope}, y)

    def flatten(self):
        return self._add("flatten", "flatten", self.h.reshape(self.h.shape[0], -1))

    def fc(self, out: int, bias: bool = True, layout: str | None = None):
        """y = x·Wᵀ + b (out-in, the default) or x·W + b (in-out); a map is flattened first."""
        x2 = self.h.reshape(self.h.shape[0], -1)
        n_in = x2.shape[1]
        shape = (n_in, out) if layout == "in-out" else (out, n_in)
        w = values(self.rng, shape) / np.sqrt(n_in)
        b = values(self.rng, (out,)) if bias else None
        wt, bt = self._leaf(w), self._leaf(b)
        if layout == "in-out":
            y = x2 @ wt if bt is None else x2 @ wt + bt
        else:
            y = F.linear(x2, wt, bt)
        entry = {"type": "fc", "weight": w.tolist()} | ({"bias": b.tolist()} if bias else {}) | (
            {"weight_layout": layout} if layout else {})
        return self._add("fc", entry, y, [("weight", wt)] + ([("bias", bt)] if bias else []))

    def softmax(self):
        if self.h.ndim != 2:
            raise DoesNotFit("softmax")
        self.logits = self.h
        return self._add("softmax", "softmax", F.softmax(self.h, dim=1))

    def target(self, loss: str, target_kind: str | None):
        """(target as written, torch target for the loss, t as (N, K) rows or None)."""
        y = self.h
        if loss == "mse":
            t = values(self.rng, tuple(y.shape))
            return shown(t, self.kind).tolist(), torch.tensor(t), None
        n, k = y.shape
        index = self.rng.integers(0, k, size=n)
        rows = {"index": np.eye(k)[index], "onehot": np.eye(k)[index],
                "soft": self.rng.dirichlet(np.ones(k), size=n)}[target_kind]
        torch_t = torch.tensor(index) if target_kind == "index" else torch.tensor(rows)
        if target_kind == "index":
            written = index.tolist() if self.kind == "batched" else int(index[0])
        else:
            written = shown(rows, self.kind).tolist()
        return written, torch_t, torch.tensor(rows)

    def loss(self, kind: str, reduction: str | None = None, target: str | None = None) -> dict:
        """L on the last output, backward, and the case: the problem and every tensor."""
        written, t, rows = self.target(kind, target)
        r = reduction or ("half_sum" if kind == "mse" else "sum")  # cnncalc's defaults
        y, fused = self.h, kind == "cross_entropy" and self.types[-1] == "softmax"
        if kind == "mse":
            L = 0.5 * ((y - t) ** 2).sum() if r == "half_sum" else F.mse_loss(y, t, reduction=r)
        elif fused:  # through p, so that dL/dp exists
            L = -(rows * torch.log(y)).sum() / (y.shape[0] if r == "mean" else 1)
        else:  # the last output taken as logits, as F.cross_entropy does
            L = F.cross_entropy(y, t, reduction=r)
        L.backward()
        if fused:  # the same L and dL/dz as F.cross_entropy on the logits
            z = self.logits.detach().clone().requires_grad_(True)
            direct = F.cross_entropy(z, t, reduction=r)
            direct.backward()
            assert abs(direct.item() - L.item()) <= 1e-12 * max(1.0, abs(L.item()))
            np.testing.assert_allclose(self.logits.grad.numpy(), z.grad.numpy(), rtol=1e-12, atol=1e-14)
        loss = {"type": kind} | ({"reduction": reduction} if reduction else {})
        return self._case(written, loss if reduction else kind, L) | {"target_kind": target}

    def _case(self, written_target, loss_entry, L) -> dict:
        def out(t):
            array = t.detach().numpy()
            assert np.all(np.isfinite(array))
            return array

        forward = {name: shown(out(y), self.kind).tolist() for name, y in self.outputs.items()}
        forward["L"] = L.item()
        backward = {f"dL/d{name}": shown(out(y.grad), self.kind).tolist() for name, y in self.outputs.items()}
        backward["dL/dinput"] = out(self.leaf.grad).tolist()
        backward |= {f"dL/d{name}": out(leaf.grad).tolist() for name, leaf in self.params.items()}
        problem = {"command": "pipeline", "input": self.x.tolist(), "layers": self.layers, "loss": loss_entry,
                   "target": written_target}
        return {"input_kind": self.kind, "problem": problem, "types": self.types,
                "tied_windows": self.tied_windows, "forward": forward, "backward": backward}


def pipeline_case(case_id: str, input_kind: str, shape: tuple, build, integer: bool = False) -> dict:
    rng = case_rng(case_id)
    return {"id": case_id} | build(TorchPipeline(rng, values(rng, shape, integer), input_kind))


# id → (input kind, input shape, the layers and loss); values drawn from the id's generator
PIPELINES = {
    "hw-conv2d-relu-maxpool-fc-softmax-index-sum": ("hw", (6, 6), lambda n: n.conv(
        1, 3, weight_ndim=2, padding=1).act("relu").pool("maxpool", 2).flatten().fc(4).softmax().loss(
        "cross_entropy", "sum", "index")),
    "chw-same-s2-leaky-avgpool-nopad-fc-inout-softmax-onehot-mean": ("chw", (2, 7, 6), lambda n: n.conv(
        3, [4, 2], stride=2, padding="same").act("leaky_relu", 0.2).pool(
        "avgpool", 2, stride=1, padding=1, count_include_pad=False).flatten().fc(
        3, bias=False, layout="in-out").softmax().loss("cross_entropy", "mean", "onehot")),
    "n2-asym-convolution-tanh-maxpool-dil2-fc-softmax-soft-sum": ("batched", (2, 2, 6, 7), lambda n: n.conv(
        2, 3, bias=False, padding=[[0, 2], [1, 0]], mode="convolution").act("tanh").pool(
        "maxpool", 2, stride=1, dilation=2).flatten().fc(3).softmax().loss("cross_entropy", "sum", "soft")),
    "n3-groups2-sigmoid-avgpool-ceil-fc-inout-softmax-index-mean": ("batched", (3, 4, 5, 5), lambda n: n.conv(
        4, 3, padding=[1, 0], groups=2).act("sigmoid").pool("avgpool", 2, ceil_mode=True).fc(
        4, layout="in-out").softmax().loss("cross_entropy", "mean", "index")),
    "n2-depthwise-dil2-stride21-relu-fc-softmax-onehot-sum": ("batched", (2, 3, 7, 7), lambda n: n.conv(
        6, 3, stride=[2, 1], dilation=2, groups=3, padding=1).act("relu").flatten().fc(5).softmax().loss(
        "cross_entropy", "sum", "onehot")),
    "chw-full-convolution-w3d-sigmoid-maxpool-ceil-fc-nobias-softmax-soft-mean": ("chw", (2, 4, 4), lambda n: n.conv(
        1, [2, 3], weight_ndim=3, padding="full", mode="convolution").act("sigmoid").pool(
        "maxpool", 3, stride=2, padding=1, ceil_mode=True).flatten().fc(3, bias=False).softmax().loss(
        "cross_entropy", "mean", "soft")),
    "n2-logits-index-mean": ("batched", (2, 1, 5, 5), lambda n: n.conv(2, 2, stride=1).act("relu").pool(
        "maxpool", 2, stride=2, ceil_mode=True).flatten().fc(3).loss("cross_entropy", "mean", "index")),
    "chw-logits-soft-sum": ("chw", (3, 5, 4), lambda n: n.conv(
        2, [3, 2], padding="valid", bias=False).act("tanh").flatten().fc(4, layout="in-out").loss(
        "cross_entropy", "sum", "soft")),
    "hw-two-channels-logits-onehot-default-sum": ("hw", (5, 6), lambda n: n.conv(
        2, 2, padding=[[1, 0], [0, 1]]).act("leaky_relu").pool("avgpool", [2, 3], stride=[1, 2]).flatten().fc(
        3, bias=False).loss("cross_entropy", None, "onehot")),
    "chw-map-output-mse-half_sum": ("chw", (2, 5, 5), lambda n: n.conv(2, 3, padding="same").act("tanh").pool(
        "avgpool", 2, stride=1).loss("mse", "half_sum")),
    "n3-sigmoid-head-mse-sum": ("batched", (3, 2, 4, 4), lambda n: n.conv(3, 2, stride=2).act("relu").flatten().fc(
        2).act("sigmoid").loss("mse", "sum")),
    "hw-leaky-default-maxpool-flatten-mse-mean": ("hw", (7, 5), lambda n: n.conv(
        1, [3, 2], weight_ndim=2, dilation=[2, 1], mode="convolution").act("leaky_relu").pool(
        "maxpool", [2, 1], padding=[1, 0]).flatten().loss("mse", "mean")),
    "vector-fc-tanh-fc-inout-softmax-index-sum": ("vector", (5,), lambda n: n.fc(4).act("tanh").fc(
        3, layout="in-out").softmax().loss("cross_entropy", "sum", "index")),
    "n3-vectors-fc-relu-fc-softmax-soft-mean": ("batched", (3, 4), lambda n: n.fc(5, layout="in-out").act(
        "relu").fc(3, bias=False).softmax().loss("cross_entropy", "mean", "soft")),
    "n2-two-convs-two-pools-two-fc-softmax-onehot-mean": ("batched", (2, 2, 8, 8), lambda n: n.conv(
        3, 3, stride=2, padding="same").act("relu").conv(2, 2, dilation=2, padding=1, mode="convolution").act(
        "relu").pool("maxpool", 2, stride=1).pool("avgpool", 2, padding=1, count_include_pad=True).flatten().fc(
        4).act("sigmoid").fc(3).softmax().loss("cross_entropy", "mean", "onehot")),
    "n2-vectors-fc-softmax-mse-sum": ("batched", (2, 3), lambda n: n.fc(4).softmax().loss("mse", "sum")),
    "vector-softmax-inside-fc-softmax-softmax_2-onehot-sum": ("vector", (4,), lambda n: n.fc(3).softmax().fc(
        3, layout="in-out").softmax().loss("cross_entropy", "sum", "onehot")),
    "chw-sigmoid-first-conv-fc-mse-default-half_sum": ("chw", (2, 4, 4), lambda n: n.act("sigmoid").conv(
        2, 2, stride=[1, 2]).act("tanh").flatten().fc(3).loss("mse")),
}
# integer inputs: max-pool windows with tied maxima, resolved by the first maximum (PyTorch's rule)
INTEGER_PIPELINES = {
    "hw-integer-maxpool-first-ties-softmax-index-mean": ("hw", (6, 5), lambda n: n.pool(
        "maxpool", 2, stride=1, padding=1).conv(2, 3, stride=2).act("relu").fc(2).softmax().loss(
        "cross_entropy", "mean", "index")),
    "n2-integer-maxpool-ties-logits-soft-mean": ("batched", (2, 2, 5, 5), lambda n: n.pool(
        "maxpool", 3, stride=1).flatten().fc(3).loss("cross_entropy", "mean", "soft")),
}


def pick(rng, choices):
    return choices[int(rng.integers(len(choices)))]


def random_layers(rng, net: TorchPipeline) -> dict:
    """conv → activation (once or twice) → maybe a pool → maybe flatten → fc (→ act → fc) → a loss."""
    for _ in range(int(rng.integers(1, 3))):
        channels = net.h.shape[1]
        groups = pick(rng, [g for g in (1, 2, 3) if channels % g == 0])
        out = groups * int(rng.integers(1, 3))
        options = {key: value for key, value in (
            ("stride", pick(rng, [None, 1, 2, [2, 1]])),
            ("padding", pick(rng, [None, 0, 1, [0, 1], "same", "valid", "full", [[0, 1], [1, 0]], [[2, 0], [0, 1]]])),
            ("dilation", pick(rng, [None, 1, 2, [1, 2]])), ("groups", groups if groups > 1 else None),
            ("mode", pick(rng, [None, "correlation", "convolution"]))) if value is not None}
        ndim = 4 if out > 1 or groups > 1 else pick(rng, [2, 3, 4] if channels == 1 else [3, 4])
        net.conv(out, pick(rng, [1, 2, 3, [2, 3], [3, 1]]), bias=bool(rng.integers(2)), weight_ndim=ndim, **options)
        act = pick(rng, ["relu", "leaky_relu", "sigmoid", "tanh"])
        net.act(act, pick(rng, [None, 0.1, 0.3]) if act == "leaky_relu" else None)
    if rng.integers(2):
        kind, kernel = pick(rng, ["maxpool", "avgpool"]), pick(rng, [2, 3, [2, 1]])
        options = {key: value for key, value in (
            ("stride", pick(rng, [None, 1, 2])), ("padding", pick(rng, [None, 1, [1, 0]])),
            ("ceil_mode", pick(rng, [None, True])),
            ("dilation", pick(rng, [None, 2]) if kind == "maxpool" else None),
            ("count_include_pad", pick(rng, [None, False]) if kind == "avgpool" else None)) if value is not None}
        net.pool(kind, kernel, **options)
    if rng.integers(2):
        net.flatten()
    net.fc(int(rng.integers(2, 5)), bool(rng.integers(2)), pick(rng, [None, "out-in", "in-out"]))
    if rng.integers(2):
        net.act(pick(rng, ["relu", "leaky_relu", "sigmoid", "tanh"])).fc(int(rng.integers(2, 5)))
    loss = pick(rng, ["softmax", "logits", "mse"])
    if loss == "softmax":
        net.softmax()
    if loss == "mse":
        return net.loss("mse", pick(rng, [None, "half_sum", "sum", "mean"]))
    return net.loss("cross_entropy", pick(rng, [None, "sum", "mean"]), pick(rng, ["index", "onehot", "soft"]))


def random_pipeline(case_id: str) -> dict:
    """A random network on a random input (H×W, C×H×W or N×C×H×W), drawn again until it fits."""
    rng = case_rng(case_id)
    while True:
        kind = pick(rng, ["hw", "chw", "batched"])
        hw = tuple(int(v) for v in rng.integers(4, 9, size=2))
        channels = 1 if kind == "hw" else int(rng.integers(1, 4))
        shape = {"hw": hw, "chw": (channels,) + hw, "batched": (int(rng.integers(2, 4)), channels) + hw}[kind]
        try:
            return {"id": case_id} | random_layers(rng, TorchPipeline(rng, values(rng, shape), kind))
        except DoesNotFit:
            continue


@layer("pipeline")
def pipeline_goldens():
    cases = [pipeline_case(case_id, *spec) for case_id, spec in PIPELINES.items()]
    cases += [pipeline_case(case_id, *spec, integer=True) for case_id, spec in INTEGER_PIPELINES.items()]
    return cases + [random_pipeline(f"random-{i}") for i in range(10)]


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
