"""Pool core against the loop reference, finite differences and hand-worked cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_layers as ref
from cnncalc.core.pool import (avgpool2d_backward, avgpool2d_forward, maxpool2d_backward,
                               maxpool2d_forward, pool_geometry)
from cnncalc.errors import CnnError
from finite_diff import numeric_gradient

TOL = dict(rtol=1e-12, atol=1e-12)
PROPERTY = settings(max_examples=50, deadline=None)
TIES = ["first", "split", "all"]


@st.composite
def pool_problems(draw, kind):
    """x plus pool options (pairs, symmetric padding as in PyTorch); small integers make ties common."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    pad = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    dil = (1, 1) if kind == "avg" else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # inputs at least one effective kernel minus padding: where geometry and PyTorch agree
    hw = tuple(draw(st.integers(max(1, d * (kk - 1) + 1 - 2 * p), 6)) for kk, p, d in zip(k, pad, dil))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + hw
    if draw(st.booleans()):
        x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(-2, 3, shape).astype(float)
    else:
        x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).normal(size=shape)
    return x, dict(kernel=k, stride=stride, padding=pad, dilation=dil, ceil_mode=draw(st.booleans()))


def _geom(x, opts, kind="max"):
    return pool_geometry(x.shape[2:], opts["kernel"], opts["stride"], opts["padding"], opts["dilation"],
                         opts["ceil_mode"], kind)


def _ref_args(opts):
    stride = opts["stride"] or opts["kernel"]
    return opts["kernel"], stride, opts["padding"], opts["dilation"], opts["ceil_mode"]


# --- max pool against the loop reference --------------------------------------------------------

@PROPERTY
@given(pool_problems("max"), st.sampled_from(TIES))
def test_max_pool_matches_reference(problem, ties):
    x, opts = problem
    geom = _geom(x, opts)
    y_ref, arg_ref, _ = ref.max_pool(x, *_ref_args(opts))
    result = maxpool2d_forward(x, geom)
    np.testing.assert_array_equal(result.y, y_ref)
    np.testing.assert_array_equal(result.argmax, arg_ref)
    dy = np.random.default_rng(0).normal(size=y_ref.shape)
    dx_ref = ref.max_pool_backward(dy, x, *_ref_args(opts), ties)
    np.testing.assert_allclose(maxpool2d_backward(dy, x, geom, ties).dx, dx_ref, **TOL)


def test_max_pool_gradient_matches_finite_differences():
    x = np.random.default_rng(3).permutation(50).reshape(1, 2, 5, 5) / 7.0  # no ties: f is smooth here
    geom = pool_geometry((5, 5), 3, 2, 1, 1, ceil_mode=True)
    dy = np.random.default_rng(4).normal(size=(1, 2) + geom.out_hw)
    numeric = numeric_gradient(lambda v: float((maxpool2d_forward(v, geom).y * dy).sum()), x)
    for ties in TIES:
        np.testing.assert_allclose(maxpool2d_backward(dy, x, geom, ties).dx, numeric, atol=1e-8)


# --- hand-worked max-pool cases ----------------------------------------------------------------

def test_seed_002_overlapping_windows_accumulate():
    x = np.array([[[[1., 2, 3], [4, 9, 5], [6, 7, 8]]]])
    geom = pool_geometry((3, 3), 2, stride=1)
    result = maxpool2d_forward(x, geom)
    np.testing.assert_array_equal(result.y, [[[[9, 9], [9, 9]]]])
    dx = maxpool2d_backward(np.array([[[[1., 2], [3, 4]]]]), x, geom).dx
    np.testing.assert_array_equal(dx, [[[[0, 0, 0], [0, 10, 0], [0, 0, 0]]]])


def test_seed_004_demo_values_and_argmax():
    x = np.array([[[[1., 0, 2, 3], [4, 6, 6, 8], [3, 1, 1, 0], [1, 2, 2, 4]]]])
    result = maxpool2d_forward(x, pool_geometry((4, 4), 2, stride=2))
    np.testing.assert_array_equal(result.y, [[[[6, 8], [3, 4]]]])
    np.testing.assert_array_equal(result.argmax[0, 0], [[[1, 1], [1, 3]], [[2, 0], [3, 3]]])


TIED = np.array([[[[1., 5, 5], [5, 2, 5], [0, 5, 1]]]])  # one 3x3 window, five maxima


def test_ties_first_is_first_in_row_major_order():
    result = maxpool2d_forward(TIED, pool_geometry((3, 3), 3))
    np.testing.assert_array_equal(result.argmax[0, 0, 0, 0], [0, 1])  # PyTorch's index 1
    dx = maxpool2d_backward(np.array([[[[1.0]]]]), TIED, pool_geometry((3, 3), 3), "first").dx
    np.testing.assert_array_equal(dx[0, 0], [[0, 1, 0], [0, 0, 0], [0, 0, 0]])


def test_ties_split_shares_equally():
    dx = maxpool2d_backward(np.array([[[[1.0]]]]), TIED, pool_geometry((3, 3), 3), "split").dx
    np.testing.assert_allclose(dx[0, 0], [[0, 0.2, 0.2], [0.2, 0, 0.2], [0, 0.2, 0]])


def test_ties_all_gives_each_the_full_gradient():
    dx = maxpool2d_backward(np.array([[[[1.0]]]]), TIED, pool_geometry((3, 3), 3), "all").dx
    np.testing.assert_array_equal(dx[0, 0], [[0, 1, 1], [1, 0, 1], [0, 1, 0]])


def test_ties_across_overlapping_windows():
    x = np.array([[[[3., 3, 1]]]])  # windows [3, 3] and [3, 1] with kernel (1, 2), stride 1
    geom = pool_geometry((1, 3), (1, 2), stride=1)
    dy = np.array([[[[2.0, 4.0]]]])
    np.testing.assert_array_equal(maxpool2d_backward(dy, x, geom, "first").dx[0, 0], [[2, 4, 0]])
    np.testing.assert_array_equal(maxpool2d_backward(dy, x, geom, "split").dx[0, 0], [[1, 5, 0]])
    np.testing.assert_array_equal(maxpool2d_backward(dy, x, geom, "all").dx[0, 0], [[2, 6, 0]])


# --- every max-pool padding path ---------------------------------------------------------------

def test_max_padding_is_minus_infinity_not_zero():
    x = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    result = maxpool2d_forward(x, pool_geometry((3, 3), 2, stride=2, padding=1))
    np.testing.assert_array_equal(result.y[0, 0], [[-1, -2], [-4, -5]])
    np.testing.assert_array_equal(result.argmax[0, 0], [[[0, 0], [0, 1]], [[1, 0], [1, 1]]])


def test_max_padding_with_ceil_mode():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    geom = pool_geometry((6, 6), 3, stride=2, padding=1, ceil_mode=True)
    assert geom.out_hw == (4, 4)  # floor mode gives 3: the last window hangs past the padding
    result = maxpool2d_forward(x, geom)
    last = [1, 3, 5, 5]  # last real row (col) each window reaches
    np.testing.assert_array_equal(result.y[0, 0], [[6 * r + c for c in last] for r in last])
    dx = maxpool2d_backward(np.ones((1, 1, 4, 4)), x, geom).dx
    assert dx.sum() == 16 and dx[0, 0, 5, 5] == 4 and dx[0, 0, 5, 3] == 2


def test_max_padding_with_dilation():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    result = maxpool2d_forward(x, pool_geometry((4, 4), 2, stride=2, padding=1, dilation=2))
    # window (0,0) reads padded rows/cols 0 and 2 -> input -1 and 1; only x[1,1] is real
    np.testing.assert_array_equal(result.y[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(result.argmax[0, 0, 0, 0], [1, 1])


def test_max_asymmetric_padding_on_the_high_side():
    x = np.array([[[[1., 2], [3, 4]]]])
    result = maxpool2d_forward(x, pool_geometry((2, 2), 2, stride=1, padding=[[1, 0], [0, 1]]))
    np.testing.assert_array_equal(result.y[0, 0], [[2, 2], [4, 4]])
    np.testing.assert_array_equal(result.argmax[0, 0], [[[0, 1], [0, 1]], [[1, 1], [1, 1]]])


def test_max_all_minus_infinity_input_picks_first_real_cell():
    x = np.full((1, 1, 2, 2), -np.inf)
    result = maxpool2d_forward(x, pool_geometry((2, 2), 2, stride=1, padding=1))
    flat = result.argmax[..., 0] * 2 + result.argmax[..., 1]
    np.testing.assert_array_equal(flat[0, 0], [[0, 0, 1], [0, 0, 1], [2, 2, 3]])  # as PyTorch


def test_max_window_wholly_in_padding_passes_no_gradient():
    x = np.array([[[[1., 2], [3, 4]]]])
    geom = pool_geometry((2, 2), 2, stride=1, padding=1, dilation=3)  # reads input rows -1 and 2
    result = maxpool2d_forward(x, geom)
    assert result.y.shape == (1, 1, 1, 1) and result.y[0, 0, 0, 0] == -np.inf
    for ties in TIES:
        np.testing.assert_array_equal(maxpool2d_backward(np.ones((1, 1, 1, 1)), x, geom, ties).dx, 0)


# --- average pool --------------------------------------------------------------------------------

@PROPERTY
@given(pool_problems("avg"), st.booleans())
def test_avg_pool_matches_reference(problem, count_include_pad):
    x, opts = problem
    geom = _geom(x, opts, "avg")
    kernel, stride, padding, _, ceil_mode = _ref_args(opts)
    y_ref = ref.avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad)
    np.testing.assert_allclose(avgpool2d_forward(x, geom, count_include_pad).y, y_ref, **TOL)
    dy = np.random.default_rng(1).normal(size=y_ref.shape)
    dx_ref = ref.avg_pool_backward(dy, x.shape, kernel, stride, padding, ceil_mode, count_include_pad)
    np.testing.assert_allclose(avgpool2d_backward(dy, geom, count_include_pad).dx, dx_ref, **TOL)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_gradient_matches_finite_differences(count_include_pad):
    x = np.random.default_rng(5).normal(size=(2, 1, 5, 4))
    geom = pool_geometry((5, 4), 3, 2, 1, ceil_mode=True, kind="avg")
    dy = np.random.default_rng(6).normal(size=(2, 1) + geom.out_hw)
    numeric = numeric_gradient(lambda v: float((avgpool2d_forward(v, geom, count_include_pad).y * dy).sum()), x)
    np.testing.assert_allclose(avgpool2d_backward(dy, geom, count_include_pad).dx, numeric, atol=1e-8)


def test_avg_counting_padding_divides_by_the_clipped_window():
    x = np.arange(1.0, 26.0).reshape(1, 1, 5, 5)
    geom = pool_geometry((5, 5), 2, stride=2, padding=1, ceil_mode=True, kind="avg")
    result = avgpool2d_forward(x, geom, count_include_pad=True)
    # values printed by torch.nn.functional.avg_pool2d
    np.testing.assert_allclose(result.y[0, 0], [[0.25, 1.25, 2.25], [4.25, 10, 12], [9.25, 20, 22]])
    np.testing.assert_array_equal(result.divisor, 4)


def test_avg_without_padding_count_divides_by_real_cells():
    x = np.arange(1.0, 26.0).reshape(1, 1, 5, 5)
    geom = pool_geometry((5, 5), 2, stride=2, padding=1, ceil_mode=True, kind="avg")
    result = avgpool2d_forward(x, geom, count_include_pad=False)
    np.testing.assert_allclose(result.y[0, 0], [[1, 2.5, 4.5], [8.5, 10, 12], [18.5, 20, 22]])


def test_avg_ceil_mode_window_past_the_padded_input():
    x = np.ones((1, 1, 6, 6))
    geom = pool_geometry((6, 6), 3, stride=2, padding=1, ceil_mode=True, kind="avg")
    counted = avgpool2d_forward(x, geom, count_include_pad=True)
    row = [4 / 9, 6 / 9, 6 / 9, 2 / 6]  # last window: 3 rows x 2 cols inside the padded input
    np.testing.assert_allclose(counted.y[0, 0, 0], row)
    np.testing.assert_allclose(counted.y[0, 0, 3, 3], 1 / 4)
    np.testing.assert_allclose(avgpool2d_forward(x, geom, count_include_pad=False).y, 1.0)


# --- options and errors --------------------------------------------------------------------------

def test_stride_defaults_to_kernel():
    assert pool_geometry((6, 6), (2, 3)).stride == (2, 3)
    assert pool_geometry((6, 6), 2, stride=1).stride == (1, 1)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_padding_above_half_the_kernel_is_refused(kind):
    with pytest.raises(CnnError) as err:
        pool_geometry((5, 5), 3, padding=2, kind=kind)
    assert err.value.field == "padding"
    pool_geometry((5, 5), 2, padding=1, kind=kind)  # exactly half is allowed


def test_avg_pool_refuses_dilation():
    with pytest.raises(CnnError) as err:
        pool_geometry((5, 5), 2, dilation=2, kind="avg")
    assert err.value.field == "dilation"


def test_unknown_tie_rule_is_refused():
    x = np.zeros((1, 1, 2, 2))
    with pytest.raises(CnnError) as err:
        maxpool2d_backward(np.zeros((1, 1, 1, 1)), x, pool_geometry((2, 2), 2), "frist")
    assert err.value.field == "ties" and "first" in err.value.hint


@pytest.mark.parametrize("kernel, hw", [((2, 2), (4, 6)), ((2, 3), (6, 9)), ((3, 3), (3, 3)), ((1, 2), (2, 4))])
def test_avg_pool_on_tiling_windows_matches_reference_and_gives_plus_zero(kernel, hw):
    rng = np.random.default_rng(sum(hw))
    x = rng.integers(-3, 4, (2, 3) + hw).astype(float)
    x[0, 0, :kernel[0], :kernel[1]] = -0.0  # a window of −0: sums from 0 give +0
    geom = pool_geometry(hw, kernel)
    y = avgpool2d_forward(x, geom).y
    np.testing.assert_allclose(y, ref.avg_pool(x, kernel, kernel, (0, 0), False, True), **TOL)
    assert y[0, 0, 0, 0] == 0 and not np.signbit(y[0, 0, 0, 0])
    dy = rng.normal(size=y.shape)
    dy[0, 0, 0, 0] = -0.0
    dx = avgpool2d_backward(dy, geom).dx
    np.testing.assert_allclose(dx, ref.avg_pool_backward(dy, x.shape, kernel, kernel, (0, 0), False, True), **TOL)
    assert not np.signbit(dx[0, 0, :kernel[0], :kernel[1]]).any()


def test_max_pool_finds_the_same_first_maxima_with_or_without_non_finite_entries():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 0.0], [-np.inf, -np.inf, 5.0, 5.0],
                    [-np.inf, -np.inf, 5.0, 5.0]]]])
    geom = pool_geometry((4, 4), 2, padding=1)
    careful = maxpool2d_forward(x, geom)  # −∞ windows: the careful path
    y_ref, arg_ref, _ = ref.max_pool(x, (2, 2), (2, 2), (1, 1), (1, 1), False)
    np.testing.assert_array_equal(careful.argmax, arg_ref)
    finite = np.where(np.isinf(x), -7.0, x)
    fast = maxpool2d_forward(finite, geom)
    assert np.array_equal(fast.argmax[..., :2, :], careful.argmax[..., :2, :])  # rows without −∞ agree
    np.testing.assert_array_equal(fast.argmax, ref.max_pool(finite, (2, 2), (2, 2), (1, 1), (1, 1), False)[1])


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", [
    ((3, 3), (2, 2), (1, 1), (1, 1), True), ((2, 3), (1, 2), (1, 0), (2, 1), False), ((3, 2), (3, 1), (0, 1), (1, 1), True)])
def test_max_pool_in_many_plane_chunks_matches_reference(monkeypatch, kernel, stride, padding, dilation, ceil_mode):
    from cnncalc.core import pool_planes

    monkeypatch.setattr(pool_planes, "PLANE_ENTRIES", 40)  # a chunk of one or two rows (n, c)
    x = np.random.default_rng(5).integers(-2, 3, (3, 4, 7, 8)).astype(float)  # ties everywhere
    geom = pool_geometry((7, 8), kernel, stride, padding, dilation, ceil_mode)
    y_ref, arg_ref, _ = ref.max_pool(x, kernel, stride, padding, dilation, ceil_mode)
    result = maxpool2d_forward(x, geom)
    np.testing.assert_array_equal(result.y, y_ref)
    np.testing.assert_array_equal(result.argmax, arg_ref)
    if dilation == (1, 1):
        avg = avgpool2d_forward(x, pool_geometry((7, 8), kernel, stride, padding, 1, ceil_mode, "avg"))
        np.testing.assert_allclose(avg.y, ref.avg_pool(x, kernel, stride, padding, ceil_mode, True), **TOL)
