"""Softmax and cross-entropy over the last axis, numerically stable.

Shapes: logits z (N, K), probabilities p (N, K), target distribution t (N, K).

  p[n,k]  = e^(z[n,k] − m_n) / Σ_j e^(z[n,j] − m_n),   m_n = max_j z[n,j]
  ln p    = z − m − ln Σ_j e^(z_j − m)                  (never ln 0)
  L       = −Σ_{n,k} t·ln p, divided by N for reduction "mean" (PyTorch's CrossEntropyLoss)
  dL/dp   = −t / p (0 where t = 0)
  dL/dz   = p·Σ_k t − t  (= p − t when t is a distribution)
  both gradients divided by N for "mean".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.vocabulary import CROSS_ENTROPY_REDUCTIONS


@dataclass(frozen=True)
class CrossEntropyResult:
    """L and dL/dz are computed; p, ln p and dL/dp on first use, the same bits as softmax(z) and
    log_softmax(z). The row max and sum are kept because dL/dp (the pipeline's softmax layer
    asks for it) would otherwise find them again: 10–25% of a cross-entropy pass."""

    loss: float
    dz: np.ndarray        # (N, K) dL/dz
    _z: np.ndarray        # (N, K) the logits
    _max: np.ndarray      # (N, 1) max of each row of z
    _total: np.ndarray    # (N, 1) Σ_j e^(z_j − max)
    _t: np.ndarray        # (N, K) target
    _n: int               # the divisor of the reduction

    @functools.cached_property
    def p(self) -> np.ndarray:
        """(N, K) softmax of z: e^(z − max) / Σ e^(z − max)."""
        p = self._z - self._max
        np.exp(p, out=p)
        p /= self._total
        return p

    @functools.cached_property
    def log_p(self) -> np.ndarray:
        """(N, K) ln p = z − max − ln Σ e^(z − max)."""
        return (self._z - self._max) - np.log(self._total)

    @functools.cached_property
    def dp(self) -> np.ndarray:
        """(N, K) dL/dp = −t / p (0 where t = 0), divided by N for "mean"."""
        dp = np.zeros_like(self.p)
        # Where p is 0 or tiny under t > 0, −t/p is beyond any float: −∞ is its honest value.
        with np.errstate(divide="ignore", over="ignore"):
            np.divide(-self._t, self.p, out=dp, where=self._t != 0)
        return dp / self._n


def softmax(z: np.ndarray) -> np.ndarray:
    """p = e^(z − max) / Σ e^(z − max) over the last axis; any leading shape."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """ln p = z − max − ln Σ e^(z − max) over the last axis, finite for finite z."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_backward(dp: np.ndarray, p: np.ndarray) -> np.ndarray:
    """dL/dz = Jᵀ·dL/dp with J = diag(p) − p·pᵀ, row by row, without forming J: p ⊙ (dp − Σ dp·p)."""
    return p * (dp - (dp * p).sum(axis=-1, keepdims=True))


def softmax_jacobian(p: np.ndarray) -> np.ndarray:
    """dp/dz = diag(p) − p·pᵀ: (K, K) for one row p (K,), (N, K, K) for a batch (N, K)."""
    return p[..., :, None] * np.eye(p.shape[-1]) - p[..., :, None] * p[..., None, :]


def target_distribution(target, shape: tuple[int, int]) -> np.ndarray:
    """t (N, K) from class indices (N,) (0-based; a bare index when N = 1),
    or from one-hot / soft probability rows: (N, K), or (K,) when N = 1."""
    n, k = shape
    arr = np.asarray(target)
    if arr.ndim == 2 or (arr.ndim == 1 and n == 1 and arr.shape[0] == k > 1):
        return _probability_rows(arr.reshape(-1, k) if arr.ndim == 1 else arr, shape)
    if arr.ndim <= 1 and arr.size == n:
        return _one_hot(arr.reshape(n), k)
    raise CnnError("target", f"{n} class index(es), or a ({n}, {k}) matrix of probabilities",
                   f"shape {arr.shape}", hint="one class index per row of z, 0-based")


def _one_hot(index: np.ndarray, k: int) -> np.ndarray:
    """(N, K) rows with a 1 at each class index (validated: integers in 0..K−1)."""
    if index.dtype == bool or not np.issubdtype(index.dtype, np.number) or np.any(index != np.round(index)):
        raise CnnError("target", "integer class indices", repr(index.tolist()))
    if np.any(index < 0) or np.any(index >= k):
        raise CnnError("target", f"class indices from 0 to {k - 1}", repr(index.tolist()),
                       hint="class indices are 0-based, like PyTorch")
    t = np.zeros((index.size, k))
    t[np.arange(index.size), index.astype(int)] = 1.0
    return t


def _probability_rows(t: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """t validated as an (N, K) matrix of finite, non-negative numbers."""
    if t.shape != tuple(shape):
        raise CnnError("target", f"a ({shape[0]}, {shape[1]}) matrix of probabilities", f"shape {t.shape}")
    if not np.issubdtype(t.dtype, np.number) or t.dtype == bool:
        raise CnnError("target", "numbers", f"values of type {t.dtype}")
    t = t.astype(np.float64)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise CnnError("target", "non-negative probabilities", repr(t.tolist()))
    return t


def cross_entropy(z: np.ndarray, t: np.ndarray, reduction: str = "sum") -> CrossEntropyResult:
    """Softmax then cross-entropy of logits z (N, K) against t (N, K); see the module formulas.

    One max, one exp, one sum per row; L and the t-dependent part of dL/dz read only the
    entries where t ≠ 0 (a one-hot target has one per row).
    """
    if reduction not in CROSS_ENTROPY_REDUCTIONS:
        raise CnnError("reduction", "one of " + ", ".join(CROSS_ENTROPY_REDUCTIONS), repr(reduction),
                       did_you_mean(reduction, CROSS_ENTROPY_REDUCTIONS))
    if z.ndim != 2 or t.shape != z.shape:
        raise CnnError("target", f"a target shaped like the logits {z.shape}", f"shape {t.shape}")
    n = z.shape[0] if reduction == "mean" else 1
    z = np.ascontiguousarray(z)  # entries are found by flat, row-major positions below
    top = z.max(axis=-1, keepdims=True)
    # One array becomes p, then dz, in place (fresh large arrays cost page faults); p itself is
    # computed again only if asked for.
    p = z - top
    np.exp(p, out=p)
    total = p.sum(axis=-1, keepdims=True)
    log_sum = np.log(total)
    hits = _nonzero_entries(t)  # t ≥ 0: the t > 0 terms; t = 0 terms are left out (0·(−∞) is NaN)
    rows, t_hits = hits // z.shape[1], t.ravel()[hits]
    log_p_hits = (z.ravel()[hits] - top[rows, 0]) - log_sum[rows, 0]
    loss = 0.0 - float((t_hits * log_p_hits).sum()) / n  # 0.0 − keeps −0 away
    row_sums = np.bincount(rows, weights=t_hits, minlength=z.shape[0])
    if n & (n - 1) == 0 and np.all(row_sums == 1.0):
        # Dividing by a power of two only shifts the exponent: e/(Σ·n) is (e/Σ)/n and
        # (p − t)/n is p/n − t/n to the last bit (short of subnormals), in one pass fewer.
        p /= total * n
        p.ravel()[hits] -= t_hits / n
        return CrossEntropyResult(loss, p, z, top, total, t, n)
    p /= total
    dz = _logit_gradient_in_place(p, t_hits, hits, row_sums, n)
    return CrossEntropyResult(loss, dz, z, top, total, t, n)


def _nonzero_entries(t: np.ndarray) -> np.ndarray:
    """Flat row-major positions of t's non-zero entries, ascending; a one-hot t (one non-zero
    per row, found by counting and each row's argmax) without scanning for positions."""
    n = t.shape[0]
    if np.count_nonzero(t) == n:
        top = t.argmax(axis=1)
        if np.all(t[np.arange(n), top] != 0):  # n non-zeros, one in every row: those are all
            return np.arange(n) * t.shape[1] + top
    return np.flatnonzero(t != 0)


def _logit_gradient_in_place(p: np.ndarray, t_hits: np.ndarray, hits: np.ndarray, row_sums: np.ndarray,
                             n: int) -> np.ndarray:
    """p turned into dL/dz = (p·Σ_k t − t) / n, the t = 0 entries as p·Σ_k t / n."""
    if not np.all(row_sums == 1.0):  # distributions: p·1 is p
        p *= row_sums[:, None]
    scaled = p.ravel()[hits]
    if n != 1:
        p /= n
    p.ravel()[hits] = (scaled - t_hits) / n if n != 1 else scaled - t_hits
    return p
