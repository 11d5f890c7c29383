"""MSE core: each reduction by hand, against a loop, and against finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from cnncalc.core.loss import mse
from cnncalc.vocabulary import MSE_REDUCTIONS
from cnncalc.errors import CnnError
from finite_diff import numeric_gradient

PROPERTY = settings(max_examples=50, deadline=None)


def _loop_mse(y, t, reduction):
    total = 0.0
    for a, b in zip(y.ravel(), t.ravel()):
        total += (a - b) ** 2
    return {"half_sum": total / 2, "sum": total, "mean": total / y.size}[reduction]


@PROPERTY
@given(array_shapes(min_dims=1, max_dims=4, max_side=3), st.sampled_from(MSE_REDUCTIONS),
       st.integers(0, 2**32 - 1))
def test_mse_matches_loop(shape, reduction, seed):
    rng = np.random.default_rng(seed)
    y, t = rng.normal(size=shape), rng.normal(size=shape)
    result = mse(y, t, reduction)
    np.testing.assert_allclose(result.loss, _loop_mse(y, t, reduction), rtol=1e-12)
    assert result.dy.shape == y.shape


@pytest.mark.parametrize("reduction", MSE_REDUCTIONS)
def test_mse_gradient_matches_finite_differences(reduction):
    rng = np.random.default_rng(11)
    y, t = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    numeric = numeric_gradient(lambda v: mse(v, t, reduction).loss, y)
    np.testing.assert_allclose(mse(y, t, reduction).dy, numeric, atol=1e-8)


def test_each_reduction_by_hand():
    y, t = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 2.0], [1.0, 4.0]])  # y - t = [1, 0, 2, 0]
    half = mse(y, t)
    assert half.loss == 2.5
    np.testing.assert_array_equal(half.dy, [[1, 0], [2, 0]])
    full = mse(y, t, "sum")
    assert full.loss == 5.0
    np.testing.assert_array_equal(full.dy, [[2, 0], [4, 0]])
    mean = mse(y, t, "mean")  # PyTorch MSELoss: divide by the number of entries
    assert mean.loss == 1.25
    np.testing.assert_array_equal(mean.dy, [[0.5, 0], [1, 0]])


def test_shape_mismatch_and_unknown_reduction_are_refused():
    with pytest.raises(CnnError) as err:
        mse(np.zeros(3), np.zeros(4))
    assert err.value.field == "target"
    with pytest.raises(CnnError) as err:
        mse(np.zeros(3), np.zeros(3), "half")
    assert err.value.field == "reduction" and "half_sum" in err.value.hint
