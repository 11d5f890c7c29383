"""Softmax / cross-entropy core against the loop reference, finite differences and hand cases."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_layers as ref
from cnncalc.core.softmax import (cross_entropy, log_softmax, softmax, softmax_jacobian,
                                  target_distribution)
from cnncalc.errors import CnnError
from finite_diff import numeric_gradient

TOL = dict(rtol=1e-12, atol=1e-12)
PROPERTY = settings(max_examples=50, deadline=None)
NO_FP_WARNINGS = dict(over="raise", invalid="raise", divide="raise")


@st.composite
def ce_problems(draw):
    """Logits z (N, K), a target in one of its three spellings, and a reduction."""
    n, k = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    z = rng.normal(0, draw(st.sampled_from([1.0, 10.0, 300.0])), size=(n, k))
    kind = draw(st.sampled_from(["index", "one-hot", "soft", "unnormalised"]))
    index = rng.integers(0, k, size=n)
    if kind == "index":
        target = index
    elif kind == "one-hot":
        target = np.eye(k)[index]
    else:
        target = rng.dirichlet(np.ones(k), size=n)
    if kind == "unnormalised":  # PyTorch accepts rows not summing to 1; dL/dz is then p·Σt − t
        target = target * rng.uniform(0.5, 2.0, size=(n, 1))
    return z, target, draw(st.sampled_from(["sum", "mean"]))


@PROPERTY
@given(ce_problems())
def test_cross_entropy_matches_reference(problem):
    z, target, reduction = problem
    t = target_distribution(target, z.shape)
    with np.errstate(**NO_FP_WARNINGS):
        result = cross_entropy(z, t, reduction)
    loss, dp, dz = ref.cross_entropy(z, t, reduction)
    np.testing.assert_allclose(result.p, [ref.softmax_row(list(row)) for row in z], **TOL)
    np.testing.assert_allclose(result.loss, loss, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.dz, dz, **TOL)
    finite = np.isfinite(dp)  # -t/p overflows where p underflows; both sides agree on inf
    np.testing.assert_array_equal(np.isfinite(result.dp), finite)
    np.testing.assert_allclose(result.dp[finite], dp[finite], rtol=1e-12)


@PROPERTY
@given(st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_jacobian_matches_reference(k, seed):
    p = softmax(np.random.default_rng(seed).normal(size=(3, k)))
    batched = softmax_jacobian(p)
    assert batched.shape == (3, k, k)
    for row, jac in zip(p, batched):
        np.testing.assert_allclose(jac, ref.softmax_jacobian(row), **TOL)
        np.testing.assert_allclose(softmax_jacobian(row), ref.softmax_jacobian(row), **TOL)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_gradients_match_finite_differences(reduction):
    rng = np.random.default_rng(10)
    z, t = rng.normal(size=(3, 4)), rng.dirichlet(np.ones(4), size=3)
    result = cross_entropy(z, t, reduction)
    numeric_dz = numeric_gradient(lambda v: cross_entropy(v, t, reduction).loss, z)
    np.testing.assert_allclose(result.dz, numeric_dz, atol=1e-8)
    scale = 1 / 3 if reduction == "mean" else 1.0
    numeric_dp = numeric_gradient(lambda p: -float((t * np.log(p)).sum()) * scale, result.p)
    np.testing.assert_allclose(result.dp, numeric_dp, rtol=1e-6)


def test_unnormalised_target_gradient():
    z, t = np.log(np.array([[1.0, 1.0, 2.0]])), np.array([[0.5, 1.0, 0.0]])  # p = [1/4, 1/4, 1/2], Σt = 1.5
    np.testing.assert_allclose(cross_entropy(z, t).dz, [[0.375 - 0.5, 0.375 - 1.0, 0.75]], **TOL)


def test_jacobian_carries_dp_to_dz():
    z, t = np.array([[0.5, -1.0, 2.0]]), np.array([[0.2, 0.3, 0.5]])
    result = cross_entropy(z, t)
    np.testing.assert_allclose(softmax_jacobian(result.p[0]).T @ result.dp[0], result.dz[0], **TOL)


def test_seed_001_uniform_logits():
    z = np.full((1, 5), 39.6)
    result = cross_entropy(z, target_distribution([2], z.shape))
    np.testing.assert_allclose(result.p, [[0.2] * 5])
    np.testing.assert_allclose(result.loss, math.log(5))
    np.testing.assert_allclose(result.dz, [[0.2, 0.2, -0.8, 0.2, 0.2]])
    np.testing.assert_allclose(result.dp, [[0, 0, -5, 0, 0]])


def test_logits_near_1000_are_stable():
    z = np.array([[1000.0, 1001.0, 999.0]])
    with np.errstate(**NO_FP_WARNINGS):
        result = cross_entropy(z, target_distribution(1, z.shape))
    total = math.e + math.e ** 2 + 1
    np.testing.assert_allclose(result.p, [[math.e / total, math.e ** 2 / total, 1 / total]], **TOL)
    np.testing.assert_allclose(result.loss, math.log(total) - 2, **TOL)
    np.testing.assert_allclose(result.log_p, np.log(result.p), **TOL)


def test_underflowing_probability_gives_finite_loss_and_no_nan():
    z = np.array([[0.0, -1000.0]])
    with np.errstate(**NO_FP_WARNINGS):
        wrong = cross_entropy(z, target_distribution(1, z.shape))
        right = cross_entropy(z, target_distribution(0, z.shape))
    assert wrong.loss == 1000.0 and wrong.dp[0, 1] == -np.inf and wrong.dp[0, 0] == 0
    np.testing.assert_array_equal(wrong.dz, [[1, -1]])
    assert right.loss == 0.0 and not np.isnan(right.dp).any()
    assert np.isfinite(log_softmax(z)).all()


def test_mean_divides_by_the_number_of_rows():
    z, target = np.array([[1.0, 2.0], [3.0, 0.0]]), [0, 0]
    t = target_distribution(target, z.shape)
    summed, mean = cross_entropy(z, t, "sum"), cross_entropy(z, t, "mean")
    np.testing.assert_allclose(mean.loss, summed.loss / 2, **TOL)
    np.testing.assert_allclose(mean.dz, summed.dz / 2, **TOL)


def test_target_spellings():
    np.testing.assert_array_equal(target_distribution([2, 0], (2, 3)), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(target_distribution(1, (1, 3)), [[0, 1, 0]])
    np.testing.assert_array_equal(target_distribution([0, 0, 1], (1, 3)), [[0, 0, 1]])
    np.testing.assert_array_equal(target_distribution([[0.5, 0.5, 0]], (1, 3)), [[0.5, 0.5, 0]])
    np.testing.assert_array_equal(target_distribution([2.0], (1, 3)), [[0, 0, 1]])


@pytest.mark.parametrize("target, shape", [
    ([3], (1, 3)),                 # index out of range
    ([-1], (1, 3)),                # negative index
    ([0, 1, 2], (2, 3)),           # wrong length
    ([0.5], (1, 3)),               # not an integer
    ([[1.2, -0.2, 0]], (1, 3)),    # negative probability
    ([[0.5, 0.5]], (1, 3)),        # wrong matrix shape
    ([[1, 0, 0]], (2, 3)),         # one row for two
])
def test_bad_targets_are_refused(target, shape):
    with pytest.raises(CnnError) as err:
        target_distribution(target, shape)
    assert err.value.field == "target"


def test_unknown_reduction_is_refused():
    with pytest.raises(CnnError) as err:
        cross_entropy(np.zeros((1, 2)), np.array([[1.0, 0.0]]), "avg")
    assert err.value.field == "reduction"


def _row_by_row(z, t, n):
    """Plain-Python oracle: per row, softmax with math.exp, L = −Σ t ln p, dz = (p·Σt − t)/n."""
    import math

    loss, dz, probabilities = 0.0, [], []
    for row, target in zip(z.tolist(), t.tolist()):
        top = max(row)
        total = sum(math.exp(v - top) for v in row)
        p = [math.exp(v - top) / total for v in row]
        loss -= sum(tk * (v - top - math.log(total)) for tk, v in zip(target, row) if tk > 0)
        dz.append([(pk * sum(target) - tk) / n for pk, tk in zip(p, target)])
        probabilities.append(p)
    return loss / n, np.array(dz), np.array(probabilities)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("target_kind", ["one-hot", "soft", "counts", "mixed rows"])
def test_sparse_target_entries_give_the_dense_formulas(reduction, target_kind):
    rng = np.random.default_rng(11)
    z = np.asfortranarray(rng.uniform(-5, 5, (4, 5)))  # not row-major: flat positions must still hold
    t = {"one-hot": np.eye(5)[[0, 3, 3, 4]],
         "soft": rng.dirichlet(np.ones(5), 4),
         "counts": rng.integers(0, 3, (4, 5)).astype(float),
         "mixed rows": np.array([[0, 1, 0, 0, 0], [0.5, 0, 0.5, 0, 0], [0, 0, 0, 0, 0], [2, 0, 0, 1, 0.0]])}[
        target_kind]
    n = 4 if reduction == "mean" else 1
    got = cross_entropy(z, t, reduction)
    loss, dz, p = _row_by_row(z, t, n)
    assert got.loss == pytest.approx(loss, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(got.dz, dz, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got.p, p, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got.log_p, np.log(p), rtol=1e-12, atol=1e-12)
    expected_dp = np.where(t != 0, -t / np.where(t != 0, p, 1.0), 0.0) / n
    np.testing.assert_allclose(got.dp, expected_dp, rtol=1e-12, atol=0)


@pytest.mark.parametrize("t", [
    np.eye(4)[[2, 0, 3]],                                       # one-hot
    np.array([[0, 0, 0, 0], [1.0, 0, 0, 1], [0, 0.5, 0, 0]]),   # 3 non-zeros, not one per row
    np.array([[0, 0.0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]),     # none
    np.array([[0, 2.0, 0, 0], [0, 0, 0, 0.5], [1e-300, 0, 0, 0]]),
])
def test_nonzero_entries_are_those_of_the_target(t):
    from cnncalc.core.softmax import _nonzero_entries

    np.testing.assert_array_equal(_nonzero_entries(t), np.flatnonzero(t))


@pytest.mark.parametrize("rows", [1, 3, 4, 8, 6])
def test_mean_gradient_is_p_minus_t_over_n_to_the_last_bit(rows):
    rng = np.random.default_rng(rows)
    z = rng.normal(0, 3, (rows, 7))
    t = np.eye(7)[rng.integers(0, 7, rows)]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)  # e / Σ e, the docstring's formula, written out here
    np.testing.assert_array_equal(cross_entropy(z, t, "mean").dz, (p - t) / rows)
    np.testing.assert_array_equal(cross_entropy(z, t, "sum").dz, p - t)
