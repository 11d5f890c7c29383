"""Between the shapes users write and the NCHW the core computes in.

x is (H,W), (C,H,W) or (N,C,H,W); a conv kernel is a number (1×1), a vector (one row),
(kH,kW) or (Cin,kH,kW) (one filter), or (Cout,Cin/groups,kH,kW). Results keep the number
of dimensions the user wrote.
"""

from __future__ import annotations

import numpy as np

from cnncalc.errors import CnnError
from cnncalc.solve.common import shape_text


def nchw_shape(shape: tuple, field: str = "x") -> tuple:
    if not 2 <= len(shape) <= 4:
        raise CnnError(field, "a tensor of 2 to 4 dimensions ((H,W), (C,H,W) or (N,C,H,W))",
                       f"{len(shape)} dimension{'s' if len(shape) != 1 else ''} (shape {shape_text(shape)})")
    return (1,) * (4 - len(shape)) + tuple(shape)


def oihw_shape(shape: tuple, field: str = "w") -> tuple:
    if len(shape) > 4:
        raise CnnError(field, "a kernel of up to 4 dimensions ((kH,kW), (Cin,kH,kW) or (Cout,Cin/groups,kH,kW))",
                       shape_text(shape))
    if len(shape) < 2:
        shape = (1, int(np.prod(shape)))
    return (1,) * (4 - len(shape)) + tuple(shape)


def as_nchw(x: np.ndarray, field: str = "x") -> np.ndarray:
    return x.reshape(nchw_shape(x.shape, field))


def as_oihw(w: np.ndarray, field: str = "w") -> np.ndarray:
    return w.reshape(oihw_shape(w.shape, field))


def shown_shape(shape: tuple, added: int) -> tuple:
    """The shape of a batch-first tensor as the user writes it, when `added` leading axes of the
    input were not written: N goes, and C too for a map whose input had none and that has one
    channel. The one rule for conv, shape and every pipeline intermediate."""
    drop = 0
    while drop < added and drop < len(shape) - 1 and shape[drop] == 1 and (drop == 0 or len(shape) == 4):
        drop += 1
    return tuple(shape[drop:])


def user_shape_of_y(x_ndim: int, y4_shape: tuple) -> tuple:
    """A conv's y with N only if x had it, and a channel axis if x had one or y has several."""
    return shown_shape(tuple(y4_shape), 4 - x_ndim)
