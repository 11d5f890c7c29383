"""Fully connected layer, forward and backward.

Shapes: x (N, in), b (out,) or None, y (N, out); w in one of two layouts:

  out-in (PyTorch's nn.Linear, default):  w (out, in),  y = x·wᵀ + b
  in-out (seed 004's layout):              w (in, out),  y = x·w + b
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.vocabulary import FC_LAYOUTS


@dataclass(frozen=True)
class FcGradients:
    dx: np.ndarray        # (N, in)
    dw: np.ndarray        # same shape and layout as w
    db: np.ndarray | None  # (out,)


def _as_out_in(w: np.ndarray, layout: str) -> np.ndarray:
    """w viewed as (out, in) whatever its layout."""
    if layout not in FC_LAYOUTS:
        raise CnnError("weight_layout", "one of " + ", ".join(FC_LAYOUTS), repr(layout),
                       did_you_mean(layout, FC_LAYOUTS))
    return w if layout == "out-in" else w.T


def check_fc_shapes(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, layout: str = "out-in") -> None:
    """Raise CnnError unless x (N, in), w and b fit together in `layout`."""
    if x.ndim != 2:
        raise CnnError("x", "a batch of shape (N, in)", f"shape {x.shape}")
    if w.ndim != 2:
        raise CnnError("w", f"a matrix laid out {layout}", f"shape {w.shape}")
    out_count, in_count = _as_out_in(w, layout).shape
    if x.shape[1] != in_count:
        fits_other = out_count == x.shape[1]
        raise CnnError("w", f"{x.shape[1]} inputs to match x ({layout} layout)", f"shape {w.shape}",
                       hint="the other weight layout would fit" if fits_other else "")
    if b is not None and b.shape != (out_count,):
        raise CnnError("b", f"one bias per output, shape ({out_count},)", f"shape {b.shape}")


def fc_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, layout: str = "out-in") -> np.ndarray:
    """y (N, out) = x·wᵀ + b for w (out, in), or x·w + b for w (in, out)."""
    check_fc_shapes(x, w, b, layout)
    y = x @ _as_out_in(w, layout).T
    return y if b is None else y + b


def fc_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray, layout: str = "out-in",
                has_bias: bool = True) -> FcGradients:
    """Gradients from dy (N, out):

      dx = dy·w (out-in) or dy·wᵀ (in-out)          (N, in)
      dw = dyᵀ·x (out-in) or xᵀ·dy (in-out)         same layout as w
      db = Σ_n dy[n]                                 (out,)
    """
    dx = dy @ _as_out_in(w, layout)
    dw = dy.T @ x if layout == "out-in" else x.T @ dy
    db = dy.sum(axis=0) if has_bias else None
    return FcGradients(dx, dw, db)
