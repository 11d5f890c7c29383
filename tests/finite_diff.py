"""Central finite differences: a gradient oracle that needs no framework."""

import numpy as np


def numeric_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f(x) / d x by central differences; f returns a float, x is float64."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + eps
        up = f(x)
        flat[k] = keep - eps
        down = f(x)
        flat[k] = keep
        gflat[k] = (up - down) / (2 * eps)
    return grad
