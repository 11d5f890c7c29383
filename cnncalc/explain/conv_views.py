"""Conv's whole-tensor identities, with numbers, one (sample, filter, channel) at a time.

  dx = dy with (s − 1) zeros inserted between its entries, padded by d·(k − 1) − p on each side
       (the 'full' view), correlated with the sliding kernel rotated 180°
       (w rotated in correlation mode; w as written in convolution mode, whose rotation it undoes)
  dw = x (padded) correlated with dy (zeros inserted for the stride), read every d-th cell;
       rotated 180° in convolution mode. x itself is never rotated.

Each step carries its grids (the prepared dy or x, the kernel, the contribution) and the
contribution's numbers, which summed over the filters (for dx) or samples (for dw) give the answer.
"""

from __future__ import annotations

import numpy as np

from cnncalc.core.geometry import WindowGeometry
from cnncalc.explain.steps import MarkedGrid, Step, Target


def _spread(a: np.ndarray, step: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """a with step − 1 zeros between its entries, and a mask of the inserted zeros."""
    rows, cols = (a.shape[0] - 1) * step[0] + 1, (a.shape[1] - 1) * step[1] + 1
    out, inserted = np.zeros((rows, cols)), np.ones((rows, cols), dtype=bool)
    out[::step[0], ::step[1]], inserted[::step[0], ::step[1]] = a, False
    return out, inserted


def _correlate_valid(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    rows, cols = a.shape[0] - k.shape[0] + 1, a.shape[1] - k.shape[1] + 1
    out = np.zeros((max(rows, 0), max(cols, 0)))
    for p in range(k.shape[0]):
        for q in range(k.shape[1]):
            out += k[p, q] * a[p:p + out.shape[0], q:q + out.shape[1]]
    return out


def _grid(name, lead, values, marks=None, origin=(0, 0), role="") -> MarkedGrid:
    marks = marks if marks is not None else np.full(values.shape, "", dtype=object)
    return MarkedGrid(name, lead, tuple(tuple(float(v) for v in row) for row in values),
                      tuple(tuple(m for m in row) for row in marks), origin, role)


def _sliding_kernel(w: np.ndarray, mode: str) -> np.ndarray:
    return w if mode == "correlation" else w[::-1, ::-1]


def dx_view(dy: np.ndarray, w: np.ndarray, geom: WindowGeometry, mode: str) -> dict:
    """dx's part from one (dy slice, kernel) pair: grids and the (H, W) contribution."""
    kernel, kmask = _spread(_sliding_kernel(w, mode), geom.dilation)
    up, inserted = _spread(dy, geom.stride)
    (kh, kw) = kernel.shape
    padded = np.pad(up, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    marks = np.pad(np.where(inserted, "zero", ""), ((kh - 1, kh - 1), (kw - 1, kw - 1)), constant_values="pad")
    rotated = kernel[::-1, ::-1]
    full = _correlate_valid(padded, rotated)           # rows of the padded input, from 0
    (top, _), (left, _) = geom.padding
    h, w_ = geom.in_hw
    contribution = np.zeros((h, w_))
    part = full[top:top + h, left:left + w_]
    contribution[:part.shape[0], :part.shape[1]] = part
    return {"prepared": (padded, marks), "kernel": (rotated, np.where(kmask[::-1, ::-1], "zero", "")),
            "result": contribution}


def dw_view(x: np.ndarray, dy: np.ndarray, geom: WindowGeometry, mode: str) -> dict:
    """dw's part from one (x slice, dy slice) pair: grids and the (kH, kW) contribution."""
    padded = geom.pad(x[None, None])[0, 0]
    marks = np.full(padded.shape, "pad", dtype=object)
    (top, _), (left, _) = geom.padding
    marks[top:top + x.shape[0], left:left + x.shape[1]] = ""
    up, inserted = _spread(dy, geom.stride)
    full = _correlate_valid(padded, up)
    result = full[::geom.dilation[0], ::geom.dilation[1]][:geom.kernel_hw[0], :geom.kernel_hw[1]]
    result = result if mode == "correlation" else result[::-1, ::-1]
    return {"prepared": (padded, marks), "kernel": (up, np.where(inserted, "zero", "")), "result": result}


def dx_identity(refs, geom: WindowGeometry, mode: str, groups: int, n: int, o: int, cg: int) -> Step:
    """Step: filter o's share of dx[n, c] (c = o's group · C/G + cg) as a full correlation."""
    c = (o // (refs["w"].map_shape[0] // groups)) * refs["w"].map_shape[1] + cg
    view = dx_view(refs["dy"].values[n, o], refs["w"].values[o, cg], geom, mode)
    return _identity_step("conv.dx", refs, ("dy", (n, o)), ("w", (o, cg)), ("dx", (n, c)), view,
                          {"stride": geom.stride, "dilation": geom.dilation, "padding": geom.padding, "mode": mode,
                           "rotated": mode == "correlation", "filter": o, "sample": n},
                          # the grid is w turned 180° in correlation mode: its label must not say plain w
                          kernel_role="kernel rotated 180°" if mode == "correlation" else "kernel")


def dw_identity(refs, geom: WindowGeometry, mode: str, groups: int, n: int, o: int, cg: int) -> Step:
    """Step: sample n's share of dw[o, cg] as x (padded) correlated with dy."""
    c = (o // (refs["w"].map_shape[0] // groups)) * refs["w"].map_shape[1] + cg
    view = dw_view(refs["x"].values[n, c], refs["dy"].values[n, o], geom, mode)
    return _identity_step("conv.dw", refs, ("x", (n, c)), ("dy", (n, o)), ("dw", (o, cg)), view,
                          {"stride": geom.stride, "dilation": geom.dilation, "mode": mode, "sample": n,
                           "filter": o})


def _identity_step(rule, refs, first, second, target, view, detail, kernel_role: str = "kernel") -> Step:
    (prepared, marks), (kernel, kmarks) = view["prepared"], view["kernel"]
    lead = lambda name, index: refs[name].user_index(index + (0, 0))[:max(len(refs[name].user_shape) - 2, 0)]  # noqa: E731
    grids = (_grid(first[0], lead(*first), prepared, marks, role="prepared"),
             _grid(second[0], lead(*second), kernel, kmarks, role=kernel_role),
             _grid(target[0], lead(*target), view["result"], role="result"))
    return Step("identity", Target(target[0], lead(*target)), phase="backward", grids=grids,
                detail={"rule": rule} | detail)


def general_identity(geom: WindowGeometry, mode: str, groups: int, bias: bool) -> Step:
    """The whole-tensor identities for any batch and channel count, with this layer's stride,
    padding and dilation: what a symbolic derivation states beside its entries."""
    return Step("identity", None, detail={"rule": "conv.general", "stride": list(geom.stride),
                                          "dilation": list(geom.dilation),
                                          "padding": [list(pair) for pair in geom.padding],
                                          "kernel": list(geom.kernel_hw), "in_hw": list(geom.in_hw),
                                          "mode": mode, "groups": groups,
                                          "bias": bias})
