"""The usual mistakes of sliding-window layers (conv, pool), each a mutated convention.

A problem is re-read from its Result into a setup (NCHW tensors, the window geometry, the
mode or tie rule); a mistake is the setup changed (the other mode, x rotated, stride 1,
the padding moved, another tie rule, count_include_pad flipped, dy transposed) and run
through the same core functions. Windows overwriting each other is read off the pool term
maps (the last window's term wins), on the answered entries only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from cnncalc.check.diagnosis_rules import Candidate, grown_to, shown, square_transposed
from cnncalc.core.conv import conv2d_backward, conv2d_forward
from cnncalc.core.geometry import WindowGeometry, recorded_geometry
from cnncalc.core.pool import (avgpool2d_backward, avgpool2d_forward, maxpool2d_backward,
                               maxpool2d_forward)
from cnncalc.core.terms_pool import AvgPoolTermMap, MaxPoolTermMap
from cnncalc.result import Result
from cnncalc.solve.layout import as_nchw
from cnncalc.vocabulary import POOL_TIES


@dataclass(frozen=True)
class Windowed:
    """A conv or pool problem as the core takes it. x (N, C, H, W); dy (N, O, Ho, Wo) or None;
    w (O, C/G, kH, kW) and b (O,) or None for conv; `convention` is conv's mode or pool's
    (kind, ties, count_include_pad)."""

    x: np.ndarray
    dy: np.ndarray | None
    geom: WindowGeometry
    w: np.ndarray | None = None
    b: np.ndarray | None = None
    groups: int = 1
    mode: str = "correlation"
    kind: str = "conv"
    ties: str = "first"
    count_include_pad: bool = True


def _geometry(params: dict, in_hw) -> WindowGeometry:
    return recorded_geometry(params, in_hw, params.get("kernel_size") or params["weight_oihw"][2:])


def conv_setup(result: Result) -> Windowed:
    params = result.parameters
    x = result.inputs["x"].reshape(params["input_nchw"])
    w = result.inputs["w"].reshape(params["weight_oihw"])
    b = result.inputs.get("b")
    if b is not None:
        b = np.broadcast_to(np.asarray(b, dtype=np.float64).reshape(-1), (w.shape[0],)).copy()
    dy = result.inputs.get("dy")
    if dy is not None:
        dy = dy.reshape((x.shape[0], w.shape[0]) + tuple(params["output_hw"]))
    return Windowed(x, dy, _geometry(params, x.shape[2:]), w, b, params["groups"], params["mode"])


def pool_setup(result: Result) -> Windowed:
    params = result.parameters
    x = as_nchw(result.inputs["x"])
    dy = result.inputs.get("dy")
    if dy is not None:
        dy = dy.reshape(x.shape[:2] + tuple(params["output_hw"]))
    return Windowed(x, dy, _geometry(params, x.shape[2:]), kind=params["kind"], ties=params["ties"] or "first",
                    count_include_pad=bool(params["count_include_pad"]))


def evaluate(setup: Windowed, name: str) -> np.ndarray:
    """Tensor `name` ('y', 'dx', 'dw') of the setup, computed by the core (NCHW / OIHW)."""
    s = setup
    if s.kind == "conv":
        if name == "y":
            return conv2d_forward(s.x, s.w, s.b, s.geom, s.groups, s.mode)
        grads = conv2d_backward(s.dy, s.x, s.w, s.geom, s.groups, s.mode, has_bias=s.b is not None)
        return grads.dx if name == "dx" else grads.dw
    if s.kind == "max":
        return maxpool2d_forward(s.x, s.geom).y if name == "y" else maxpool2d_backward(s.dy, s.x, s.geom, s.ties).dx
    if name == "y":
        return avgpool2d_forward(s.x, s.geom, s.count_include_pad).y
    return avgpool2d_backward(s.dy, s.geom, s.count_include_pad).dx


def _candidate(result: Result, name: str, rule: str, what: str, why: str, setup: Windowed | None,
               original: Windowed) -> Candidate | None:
    """The mistake `rule`: tensor `name` of the mutated `setup`, grown with zeros to the right
    size when the mutation shrank the input, in the user's shape."""
    if setup is None:
        return None
    shape = result.tensor(name).shape
    full = {"dx": original.x.shape, "dw": None if original.w is None else original.w.shape}.get(name)

    def compute():
        value = evaluate(setup, name)
        return (grown_to(value, full) if full and value.shape != full else value).reshape(shape)
    return Candidate(rule, what, why, compute)


# --- mutations: each is a setup under one mistaken convention (None where it does not apply) ----

def other_mode(s: Windowed) -> Windowed:
    return replace(s, mode="convolution" if s.mode == "correlation" else "correlation")


def x_rotated(s: Windowed) -> Windowed:
    return replace(s, x=np.ascontiguousarray(s.x[..., ::-1, ::-1]))


def dy_transposed(s: Windowed) -> Windowed | None:
    flipped = square_transposed(s.dy)
    return None if flipped is None else replace(s, dy=flipped)


def stride_ignored(s: Windowed) -> Windowed | None:
    """The windows 1 apart: the same number of them, over the part of x they then reach."""
    g = s.geom
    if g.stride == (1, 1):
        return None
    reach = tuple(o - 1 + k - p[0] - p[1] for o, k, p in zip(g.out_hw, g.effective_kernel_hw, g.padding))
    if any(not 1 <= r <= n for r, n in zip(reach, g.in_hw)):
        return None
    geom = WindowGeometry(reach, g.kernel_hw, (1, 1), g.dilation, g.padding)
    if geom.out_hw != g.out_hw:
        return None
    return replace(s, x=np.ascontiguousarray(s.x[..., :reach[0], :reach[1]]), geom=geom)


def padded(s: Windowed, padding) -> Windowed | None:
    """The same windows with the padding placed otherwise; None when nothing moves or the
    number of windows changes (an answer of another shape is not this mistake)."""
    padding = tuple(tuple(pair) for pair in padding)
    if padding == s.geom.padding:
        return None
    geom = replace(s.geom, padding=padding)
    return replace(s, geom=geom) if geom.out_hw == s.geom.out_hw else None


PADDING_MOVES = (
    ("padding_mirrored", "with the padding on the other side", lambda lo, hi: (hi, lo)),
    ("padding_at_start", "with all the padding at the top and left", lambda lo, hi: (lo + hi, 0)),
    ("padding_at_end", "with all the padding at the bottom and right", lambda lo, hi: (0, lo + hi)),
    ("padding_missing", "without the padding", lambda lo, hi: (0, 0)),
)


def padding_candidates(result: Result, name: str, s: Windowed) -> list:
    pads = s.geom.padding
    if pads == ((0, 0), (0, 0)):
        return []
    (t, b), (l, r) = pads
    why = f"this problem pads {t} row(s) at the top, {b} at the bottom, {l} column(s) left and {r} right"
    seen, found = set(), []
    for rule, what, move in PADDING_MOVES:
        padding = tuple(move(*pair) for pair in pads)
        if padding not in seen:
            seen.add(padding)
            found.append(_candidate(result, name, rule, what, why, padded(s, padding), s))
    return found


def mode_candidate(result: Result, name: str, s: Windowed) -> Candidate | None:
    """The kernel rotated 180° where it should not be, or not where it should (the other mode)."""
    x, w, dy, dx, dw = shown(result, "x", "w", "dy", "dx", "dw")
    corr = s.mode == "correlation"
    if name == "y":
        words = (("kernel_rotated", f"with {w} rotated 180° (a true convolution)",
                  f"this problem is a cross-correlation, which slides {w} as written") if corr else
                 ("kernel_not_rotated", f"with {w} not rotated 180°",
                  f"convolution mode rotates {w} 180° before it slides"))
    elif name == "dx":
        words = (("kernel_not_rotated", f"with {w} not rotated 180°",
                  f"{dx} is the full convolution of {dy} with {w}, which slides {w} rotated 180° over {dy}") if corr
                 else ("kernel_rotated", f"with {w} rotated 180°",
                       f"in convolution mode {dx} slides {w} as written over {dy}: the forward rotation and "
                       "the backward one cancel"))
    else:
        words = (("kernel_rotated", "rotated 180°",
                  f"in a cross-correlation {dw} is the correlation of {x} with {dy}, with no rotation") if corr
                 else ("kernel_not_rotated", "not rotated 180°",
                       f"in convolution mode {w} slides rotated, so {dw} is the correlation of {x} with {dy} "
                       "rotated 180°"))
    return _candidate(result, name, *words, other_mode(s), s)


def backward_candidates(result: Result, name: str, s: Windowed) -> list:
    """Mistakes of any window layer's backward pass: the stride ignored, dy read transposed."""
    dy, = shown(result, "dy")
    (sh, sw) = s.geom.stride
    stride_why = (f"the windows move {sh} row(s) and {sw} column(s) at a time, and the gradient goes back "
                  "through those same windows")
    return [_candidate(result, name, "stride_ignored", "with the stride ignored in the backward pass (windows 1 "
                       "apart)", stride_why, stride_ignored(s), s),
            _candidate(result, name, "dy_transposed", f"with {dy} read transposed",
                       f"{dy}[i,j] belongs to output row i, column j", dy_transposed(s), s)]


def conv_rules(result: Result, name: str, given: np.ndarray) -> list:
    """conv: y (mode, padding); dx and dw (mode, stride, dy transposed, padding; dw: x rotated)."""
    if name not in ("y", "dx", "dw") or (name != "y" and "dy" not in result.inputs):
        return []
    s = conv_setup(result)
    found = [mode_candidate(result, name, s)]
    if name == "dw":
        x, dw, dy = shown(result, "x", "dw", "dy")
        found.append(_candidate(result, name, "dw_x_rotated", f"formed with {x} rotated 180°",
                                f"{dw} multiplies each {dy} entry by the {x} cells its window read, {x} as it "
                                f"stands ({dw} = {dy} ⊗ rot180({x}) is not the identity)", x_rotated(s), s))
    if name != "y":
        found += backward_candidates(result, name, s)
    return [c for c in found + padding_candidates(result, name, s) if c]


TIE_WORDS = {"first": "a tied window's gradient given only to its first maximum",
             "split": "a tied window's gradient split equally among its maxima",
             "all": "a tied window's gradient given in full to each of its maxima"}


def pool_rules(result: Result, name: str, given: np.ndarray) -> list:
    """pool: y (padding; avg: count_include_pad); dx (also stride, dy transposed, overlapping
    windows overwritten; max: another tie rule)."""
    if name not in ("y", "dx") or (name == "dx" and "dy" not in result.inputs):
        return []
    s = pool_setup(result)
    found = padding_candidates(result, name, s)
    if s.kind == "avg" and (s.geom.padding != ((0, 0), (0, 0)) or s.geom.ceil_mode):
        found.append(_counted_candidate(result, name, s))
    if name == "y":
        return [c for c in found if c]
    found += backward_candidates(result, name, s)
    if s.kind == "max":
        found += [_candidate(result, name, f"ties_{t}", f"with {TIE_WORDS[t]}",
                             f"this problem's rule is ties: {s.ties} ({TIE_WORDS[s.ties]})", replace(s, ties=t), s)
                  for t in POOL_TIES if t != s.ties]
    if any(st < k for st, k in zip(s.geom.stride, s.geom.effective_kernel_hw)):
        found.append(Candidate("overlap_overwritten", "with overlapping windows' gradients overwritten instead "
                               "of added", "an input cell read by several windows collects the gradient of each",
                               lambda: overwritten_dx(s, given).reshape(result.tensor(name).shape)))
    return [c for c in found if c]


def _counted_candidate(result: Result, name: str, s: Windowed) -> Candidate | None:
    if s.count_include_pad:
        return _candidate(result, name, "padding_not_counted", "with the padded cells left out of each "
                          "average's count", "here they count (count_include_pad: true, PyTorch's default)",
                          replace(s, count_include_pad=False), s)
    return _candidate(result, name, "padding_counted", "with the padded cells counted in each average",
                      "here only real cells count (count_include_pad: false)", replace(s, count_include_pad=True), s)


def overwritten_dx(s: Windowed, given: np.ndarray) -> np.ndarray:
    """dx (N, C, H, W) when each window writes its gradient over what earlier windows (row-major)
    left: the last covering window's term of each entry's term map; only the given entries
    (`given`, in any shape of x's size) are computed, the rest are NaN."""
    if s.kind == "max":
        term_map, options = MaxPoolTermMap(s.x, s.geom), {"ties": s.ties}
    else:
        term_map, options = AvgPoolTermMap(s.x.shape, s.geom, s.count_include_pad), {}
    out = np.full(s.x.shape, np.nan)
    for flat in np.flatnonzero(given):
        index = tuple(int(i) for i in np.unravel_index(flat, s.x.shape))
        products = term_map.dx(*index, **options).products({"dy": s.dy})
        out[index] = products[-1] if len(products) else 0.0
    return out


WINDOW_RULES = {"conv": conv_rules, "pool": pool_rules}
