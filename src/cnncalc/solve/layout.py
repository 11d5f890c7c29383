"""Between the shapes users write and the NCHW the core computes in."""

from __future__ import annotations

import numpy as np

from cnncalc.errors import CnnError
from cnncalc.solve.common import shape_text


def as_nchw(x: np.ndarray, field: str = "x") -> np.ndarray:
    """(H,W), (C,H,W) or (N,C,H,W) as (N,C,H,W)."""
    if not 2 <= x.ndim <= 4:
        raise CnnError(field, "a tensor of 2 to 4 dimensions ((H,W), (C,H,W) or (N,C,H,W))", shape_text(x.shape))
    return x.reshape((1,) * (4 - x.ndim) + x.shape)


def as_oihw(w: np.ndarray, field: str = "w") -> np.ndarray:
    """A kernel as (O, C/groups, kH, kW): a number is 1×1, a vector one row, (kH,kW) and
    (Cin,kH,kW) a single filter."""
    if w.ndim > 4:
        raise CnnError(field, "a kernel of up to 4 dimensions ((kH,kW), (Cin,kH,kW) or (Cout,Cin/groups,kH,kW))",
                       shape_text(w.shape))
    if w.ndim < 2:
        w = w.reshape(1, -1)
    return w.reshape((1,) * (4 - w.ndim) + w.shape)
