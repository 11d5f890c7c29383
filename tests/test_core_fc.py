"""FC core against the loop reference, finite differences and a hand-worked case."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_layers as ref
from cnncalc.core.fc import fc_backward, fc_forward
from cnncalc.errors import CnnError
from finite_diff import numeric_gradient

TOL = dict(rtol=1e-12, atol=1e-12)
PROPERTY = settings(max_examples=50, deadline=None)


@st.composite
def fc_problems(draw):
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    b = rng.normal(size=m) if draw(st.booleans()) else None
    return rng.normal(size=(n, k)), rng.normal(size=(m, k)), b, draw(st.sampled_from(["out-in", "in-out"]))


def _laid_out(w_out_in, layout):
    return w_out_in if layout == "out-in" else np.ascontiguousarray(w_out_in.T)


@PROPERTY
@given(fc_problems())
def test_fc_matches_reference(problem):
    x, w_out_in, b, layout = problem
    w = _laid_out(w_out_in, layout)
    np.testing.assert_allclose(fc_forward(x, w, b, layout), ref.fc(x, w_out_in, b), **TOL)
    dy = np.random.default_rng(0).normal(size=(x.shape[0], w_out_in.shape[0]))
    dx, dw, db = ref.fc_backward(dy, x, w_out_in)
    grads = fc_backward(dy, x, w, layout, has_bias=b is not None)
    np.testing.assert_allclose(grads.dx, dx, **TOL)
    np.testing.assert_allclose(grads.dw, _laid_out(dw, layout), **TOL)
    assert grads.dw.shape == w.shape
    if b is None:
        assert grads.db is None
    else:
        np.testing.assert_allclose(grads.db, db, **TOL)


@pytest.mark.parametrize("layout", ["out-in", "in-out"])
def test_fc_gradients_match_finite_differences(layout):
    rng = np.random.default_rng(7)
    x, b, dy = rng.normal(size=(3, 4)), rng.normal(size=2), rng.normal(size=(3, 2))
    w = rng.normal(size=(2, 4) if layout == "out-in" else (4, 2))
    grads = fc_backward(dy, x, w, layout)
    loss = lambda x_, w_, b_: float((fc_forward(x_, w_, b_, layout) * dy).sum())  # noqa: E731
    np.testing.assert_allclose(grads.dx, numeric_gradient(lambda v: loss(v, w, b), x), atol=1e-8)
    np.testing.assert_allclose(grads.dw, numeric_gradient(lambda v: loss(x, v, b), w), atol=1e-8)
    np.testing.assert_allclose(grads.db, numeric_gradient(lambda v: loss(x, w, v), b), atol=1e-8)


def test_seed_001_fc_of_all_tenths():
    relu_1 = np.array([[0, 0, 0, 0, 98, 100, 100, 98]], dtype=float)
    fc_1 = fc_forward(relu_1, np.full((5, 8), 0.1))
    np.testing.assert_allclose(fc_1, [[39.6] * 5])


def test_in_out_layout_is_x_times_w():
    x, w = np.array([[1.0, 2.0]]), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (in 2, out 3)
    np.testing.assert_array_equal(fc_forward(x, w, np.array([0.0, 0.0, 1.0]), "in-out"), [[9, 12, 16]])
    grads = fc_backward(np.array([[1.0, 0.0, 0.0]]), x, w, "in-out")
    np.testing.assert_array_equal(grads.dw, [[1, 0, 0], [2, 0, 0]])  # x^T dy, seed 004's dE/dW
    np.testing.assert_array_equal(grads.dx, [[1, 4]])


def test_mismatched_shapes_are_refused_with_a_hint():
    with pytest.raises(CnnError) as err:
        fc_forward(np.ones((1, 3)), np.ones((3, 2)))  # (in, out) given as out-in
    assert err.value.field == "w" and "layout" in err.value.hint
    with pytest.raises(CnnError) as err:
        fc_forward(np.ones((1, 3)), np.ones((2, 3)), np.ones(3))
    assert err.value.field == "b"
    with pytest.raises(CnnError) as err:
        fc_forward(np.ones((1, 3)), np.ones((2, 3)), None, "in_out")
    assert err.value.field == "weight_layout"
