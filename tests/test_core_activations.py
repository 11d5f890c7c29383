"""Activations against scalar math, finite differences and PyTorch's conventions at the kink."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnncalc.core.activations import activation_backward, activation_forward, on_kink
from cnncalc.vocabulary import ACTIVATION_KINDS
from cnncalc.errors import CnnError
from finite_diff import numeric_gradient

PROPERTY = settings(max_examples=50, deadline=None)
NO_FP_WARNINGS = dict(over="raise", invalid="raise", divide="raise")


def _scalar(name, v, slope):
    if name == "relu":
        return v if v > 0 else 0.0
    if name == "leaky_relu":
        return v if v > 0 else slope * v
    if name == "sigmoid":
        return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
    return math.tanh(v)


@PROPERTY
@given(st.sampled_from(ACTIVATION_KINDS),
       arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 4)),
              elements=st.floats(-800, 800, allow_subnormal=False)),
       st.floats(0.0, 1.0))
def test_forward_matches_scalar_math(name, x, slope):
    expected = np.vectorize(lambda v: _scalar(name, v, slope))(x)
    with np.errstate(**NO_FP_WARNINGS):
        y = activation_forward(name, x, slope)
    np.testing.assert_allclose(y, expected, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", ACTIVATION_KINDS)
def test_backward_matches_finite_differences(name):
    x = np.random.default_rng(8).uniform(-3, 3, size=(3, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep clear of the kink
    dy = np.random.default_rng(9).normal(size=x.shape)
    y = activation_forward(name, x, 0.2)
    numeric = numeric_gradient(lambda v: float((activation_forward(name, v, 0.2) * dy).sum()), x)
    np.testing.assert_allclose(activation_backward(name, dy, x, y, 0.2), numeric, atol=1e-8)


def test_relu_gradient_at_zero_is_zero():
    x = np.array([-1.0, 0.0, 2.0])
    dx = activation_backward("relu", np.ones(3), x, activation_forward("relu", x))
    np.testing.assert_array_equal(dx, [0, 0, 1])


def test_leaky_relu_gradient_at_zero_is_the_slope():
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(activation_forward("leaky_relu", x), [-0.01, 0, 2])
    dx = activation_backward("leaky_relu", np.ones(3), x, activation_forward("leaky_relu", x))
    np.testing.assert_array_equal(dx, [0.01, 0.01, 1])  # PyTorch: x > 0 ? 1 : slope


def test_sigmoid_and_tanh_saturate_without_warnings():
    x = np.array([-1000.0, 1000.0])
    with np.errstate(**NO_FP_WARNINGS):
        s = activation_forward("sigmoid", x)
        t = activation_forward("tanh", x)
        ds = activation_backward("sigmoid", np.ones(2), x, s)
    np.testing.assert_array_equal(s, [0, 1])
    np.testing.assert_array_equal(t, [-1, 1])
    np.testing.assert_array_equal(ds, [0, 0])


def test_sigmoid_known_values():
    np.testing.assert_allclose(activation_forward("sigmoid", np.array([0.0, math.log(3)])), [0.5, 0.75])


def test_on_kink_marks_exact_zeros_of_relus_only():
    x = np.array([[0.0, 1e-300], [-0.0, -2.0]])
    np.testing.assert_array_equal(on_kink("relu", x), [[True, False], [True, False]])
    np.testing.assert_array_equal(on_kink("leaky_relu", x), [[True, False], [True, False]])
    assert not on_kink("sigmoid", x).any() and not on_kink("tanh", x).any()


def test_unknown_activation_is_refused():
    with pytest.raises(CnnError) as err:
        activation_forward("rleu", np.zeros(2))
    assert err.value.field == "activation" and "relu" in err.value.hint


def test_relu_backward_keeps_dy_bit_for_bit_where_x_is_positive_and_plus_zero_elsewhere():
    x = np.array([[1.0, -1.0, 0.0, -0.0, 2.0, -3.0, 5.0, np.inf, -np.inf, 1e-300]])
    dy = np.array([[-0.0, -2.0, -1.0, 3.0, np.inf, np.nan, np.nan, -4.0, np.inf, -1e-300]])
    got = activation_backward("relu", dy, x, np.maximum(x, 0.0))
    expected = [-0.0, 0.0, 0.0, 0.0, np.inf, 0.0, np.nan, -4.0, 0.0, -1e-300]  # PyTorch's threshold_backward
    np.testing.assert_array_equal(got[0], expected)
    assert list(np.signbit(got[0])) == [True, False, False, False, False, False, False, True, False, True]
    strided = activation_backward("relu", dy[:, ::2], x[:, ::2], None)
    np.testing.assert_array_equal(strided, got[:, ::2])
