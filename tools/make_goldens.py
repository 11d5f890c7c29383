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
