"""Conv core against the loop reference and finite differences; geometry rules and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_conv as ref
from cnncalc.core.conv import conv2d_backward, conv2d_forward
from cnncalc.core.geometry import resolve_padding, window_geometry
from cnncalc.errors import CnnError
from finite_diff import numeric_gradient

TOL = dict(rtol=1e-12, atol=1e-12)
PROPERTY = settings(max_examples=40, deadline=None)


@st.composite
def conv_problems(draw):
    """A small random conv problem: arrays plus options as the core takes them."""
    groups_kind = draw(st.sampled_from(["plain", "two", "depthwise"]))
    if groups_kind == "plain":
        c, o, groups = draw(st.integers(1, 3)), draw(st.integers(1, 3)), 1
    elif groups_kind == "two":
        c, o, groups = 2 * draw(st.integers(1, 2)), 2 * draw(st.integers(1, 2)), 2
    else:
        c = groups = draw(st.integers(2, 3))
        o = c * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([1, 2, [2, 1], [1, 3]]))
    dilation = draw(st.sampled_from([1, 2, [1, 2]]))
    small = st.integers(0, 2)
    padding = draw(st.one_of(
        st.sampled_from(["valid", "same", "full"]), small, st.lists(small, min_size=2, max_size=2),
        st.lists(st.lists(small, min_size=2, max_size=2), min_size=2, max_size=2)))
    d = (dilation, dilation) if isinstance(dilation, int) else tuple(dilation)
    # smallest input that still fits one window; 'same' and 'full' always fit
    fixed = padding if not isinstance(padding, str) or padding == "valid" else None
    pads = resolve_padding(fixed, (1, 1), k, (1, 1), d) if fixed is not None else ((9, 9), (9, 9))
    hw = tuple(draw(st.integers(max(1, di * (ki - 1) + 1 - sum(p)), 6))
               for ki, di, p in zip(k, d, pads))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 2))
    x = rng.uniform(-2, 2, (n, c) + hw)
    w = rng.uniform(-2, 2, (o, c // groups) + k)
    b = rng.uniform(-2, 2, o) if draw(st.booleans()) else None
    mode = draw(st.sampled_from(["correlation", "convolution"]))
    geom = window_geometry(hw, k, stride, padding, dilation, mode=mode)
    method = draw(st.sampled_from(["im2col", "windows", "rows", "offsets"]))
    return dict(x=x, w=w, b=b, geom=geom, groups=groups, mode=mode, rng=rng, method=method)


def forward(p, x=None, w=None, b=None):
    return conv2d_forward(p["x"] if x is None else x, p["w"] if w is None else w,
                          p["b"] if b is None else b, p["geom"], groups=p["groups"], mode=p["mode"],
                          method=p["method"])


def reference_args(p):
    g = p["geom"]
    return dict(stride=g.stride, padding=g.padding, dilation=g.dilation, groups=p["groups"], mode=p["mode"])


@PROPERTY
@given(conv_problems())
def test_forward_and_gradients_match_loop_reference(p):
    y = forward(p)
    np.testing.assert_allclose(y, ref.conv2d(p["x"], p["w"], p["b"], **reference_args(p)), **TOL)
    dy = p["rng"].uniform(-2, 2, y.shape)
    got = conv2d_backward(dy, p["x"], p["w"], p["geom"], groups=p["groups"], mode=p["mode"],
                          has_bias=p["b"] is not None, method=p["method"])
    dx, dw, db = ref.conv2d_grads(dy, p["x"], p["w"], p["b"], **reference_args(p))
    np.testing.assert_allclose(got.dx, dx, **TOL)
    np.testing.assert_allclose(got.dw, dw, **TOL)
    if db is None:
        assert got.db is None
    else:
        np.testing.assert_allclose(got.db, db, **TOL)


@PROPERTY
@given(conv_problems())
def test_gradients_match_finite_differences(p):
    r = p["rng"].uniform(-2, 2, forward(p).shape)  # L = sum(y * r), so dy = r
    got = conv2d_backward(r, p["x"], p["w"], p["geom"], groups=p["groups"], mode=p["mode"],
                          has_bias=p["b"] is not None, method=p["method"])
    fd = dict(rtol=1e-6, atol=1e-6)
    for name, grad in (("x", got.dx), ("w", got.dw), ("b", got.db)):
        if p[name] is not None:
            loss = lambda v, name=name: np.sum(forward(p, **{name: v}) * r)  # noqa: E731
            np.testing.assert_allclose(grad, numeric_gradient(loss, p[name]), **fd, err_msg=f"d{name}")


# --- geometry -------------------------------------------------------------


@pytest.mark.parametrize("n, k, s, d, expected", [
    (13, 6, 5, 1, (1, 2)),  # TensorFlow's documented example
    (4, 2, 2, 1, (0, 0)),
    (5, 2, 2, 1, (0, 1)),
    (6, 4, 2, 1, (1, 1)),
    (7, 4, 2, 1, (1, 2)),
    (8, 4, 2, 2, (2, 3)),  # effective kernel 7: (4 - 1)·2 + 7 − 8 = 5
    (5, 2, 1, 1, (0, 1)),
    (5, 2, 1, 2, (1, 1)),
    (1, 4, 3, 1, (1, 2)),
])
def test_same_padding_examples(n, k, s, d, expected):
    geom = window_geometry((n, n), (k, k), s, "same", d)
    assert geom.padding == (expected, expected)
    assert geom.out_hw == (-(-n // s),) * 2


@given(st.integers(1, 20), st.integers(1, 6), st.integers(1, 4), st.integers(1, 3))
def test_same_padding_follows_tensorflow_rule(n, k, s, d):
    """Output ceil(n/s); the least total padding that gives it; the odd pixel at the end."""
    geom = window_geometry((n, 1), (k, 1), s, "same", d)
    (lo, hi), _ = geom.padding
    out = -(-n // s)
    assert geom.out_hw[0] == out
    assert hi - lo in (0, 1)
    total = lo + hi
    assert total == 0 or (n + total - 1 - d * (k - 1) - 1) // s + 1 < out  # one pixel less loses a window


@pytest.mark.parametrize("hw, k, d", [((4, 5), (3, 2), 2), ((3, 3), (2, 4), 1), ((2, 6), (3, 3), [2, 3])])
def test_full_padding_with_dilation(hw, k, d):
    dd = (d, d) if isinstance(d, int) else tuple(d)
    geom = window_geometry(hw, k, 1, "full", d)
    assert geom.padding == tuple((di * (ki - 1),) * 2 for ki, di in zip(k, dd))
    assert geom.out_hw == tuple(n + di * (ki - 1) for n, ki, di in zip(hw, k, dd))


@pytest.mark.parametrize("mode", ["correlation", "convolution"])
@pytest.mark.parametrize("k, anchor, d", [((3, 3), (1, 1), (1, 1)), ((2, 4), (0, 3), (1, 1)),
                                          ((3, 2), (2, 1), (2, 3)), ((4, 1), (1, 0), (2, 1))])
def test_anchor_padding(k, anchor, d, mode):
    pad = resolve_padding(None, (5, 5), k, (1, 1), d, anchor=anchor, mode=mode)
    cells = anchor if mode == "correlation" else tuple(ki - 1 - a for ki, a in zip(k, anchor))
    assert pad == tuple((di * a, di * (ki - 1 - a)) for ki, a, di in zip(k, cells, d))


@pytest.mark.parametrize("mode", ["correlation", "convolution"])
def test_anchor_cell_sits_over_its_output(mode):
    """With an anchor, a unit impulse at (p, q) gives y[p, q] = w[anchor] in either mode."""
    k, anchor, d = (3, 4), (2, 1), (2, 1)
    w = np.arange(1.0, 13.0).reshape(1, 1, *k)
    x = np.zeros((1, 1, 9, 8))
    x[0, 0, 4, 3] = 1.0
    geom = window_geometry((9, 8), k, 1, None, d, anchor=anchor, mode=mode)
    y = conv2d_forward(x, w, None, geom, mode=mode)
    assert y.shape == x.shape
    assert y[0, 0, 4, 3] == w[0, 0, 2, 1]


@pytest.mark.parametrize("options, field", [
    (dict(stride=0), "stride"),
    (dict(stride=[1, 0]), "stride"),
    (dict(padding=-1), "padding"),
    (dict(padding=[1, -2]), "padding"),
    (dict(padding=[[0, 1], [-1, 0]]), "padding"),
    (dict(dilation=0), "dilation"),
    (dict(padding="sam"), "padding"),
    (dict(padding="same", anchor=(1, 1)), "anchor"),
    (dict(anchor=(3, 0)), "anchor"),
])
def test_invalid_options_name_the_field(options, field):
    with pytest.raises(CnnError) as caught:
        window_geometry((5, 5), (3, 3), **options)
    assert caught.value.field.startswith(field)


def test_auto_method_gathers_the_whole_batch_only_for_small_problems():
    from cnncalc.core.conv import choose_method

    small = window_geometry((4, 4), (3, 3), 1, 0, 1)
    large = window_geometry((56, 56), (3, 3), 1, 1, 1)
    huge = window_geometry((512, 512), (7, 7), 1, 3, 1)
    assert choose_method((1, 2, 4, 4), (2, 2, 3, 3), small) == "im2col"
    assert choose_method((8, 64, 56, 56), (64, 64, 3, 3), large) == "rows"  # rows of 58 for 56 outputs
    mid = window_geometry((32, 32), (3, 3), 1, 1, 1)
    assert choose_method((8, 16, 32, 32), (32, 16, 3, 3), mid) == "windows"  # rows of 34 for 32: 6% more
    assert choose_method((8, 16, 32, 32), (16, 1, 3, 3), mid) == "rows"  # depthwise: one filter per group
    strided = window_geometry((56, 56), (3, 3), 2, 1, 1)
    assert choose_method((8, 64, 56, 56), (64, 64, 3, 3), strided) == "windows"
    assert choose_method((8, 64, 56, 56), (64, 64, 3, 3), strided, "rows") == "windows"
    # one image whose windows outweigh the problem's own tensors: offset by offset
    assert choose_method((1, 64, 512, 512), (8, 64, 7, 7), huge) == "offsets"
    assert choose_method((1, 2, 4, 4), (2, 2, 3, 3), small, "offsets") == "offsets"
