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


def like_user(y4: np.ndarray, ndim: int, trailing: int = 0) -> np.ndarray:
    """An NCHW result (plus `trailing` axes) with the leading dimensions the user left out dropped."""
    keep = y4.shape[4 - ndim:]
    return y4.reshape(keep)
