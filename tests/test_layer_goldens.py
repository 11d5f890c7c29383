"""cnncalc's pool, fc, activation, softmax and mse cores against PyTorch goldens
(written by tools/make_goldens.py; torch is not needed here)."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cnncalc.core.activations import activation_backward, activation_forward
from cnncalc.core.fc import fc_backward, fc_forward
from cnncalc.core.loss import mse
from cnncalc.core.pool import (avgpool2d_backward, avgpool2d_forward, maxpool2d_backward,
                               maxpool2d_forward, pool_geometry)
from cnncalc.core.softmax import cross_entropy, softmax, softmax_jacobian, target_distribution

GOLDENS = Path(__file__).parent / "goldens"
# NumPy's exp/tanh and summation order differ from torch's in the last bits.
TOL = dict(rtol=1e-13, atol=1e-13)


def load(name):
    return json.loads((GOLDENS / f"{name}.json").read_text())["cases"]


def by_id(cases):
    return pytest.mark.parametrize("case", cases, ids=[c["id"] for c in cases])


def arr(value):
    return None if value is None else np.array(value, dtype=np.float64)


def close(got, expected):
    expected = arr(expected)
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, **TOL)


POOL, FC, ACTIVATION, SOFTMAX, MSE = (load(n) for n in ("pool", "fc", "activation", "softmax", "mse"))
CROSS_ENTROPY = [c for c in SOFTMAX if c["type"] == "cross_entropy"]
JACOBIAN = [c for c in SOFTMAX if c["type"] == "jacobian"]


# --- pool ----------------------------------------------------------------------------------------

@by_id(POOL)
def test_pool_matches_torch(case):
    opt, x, dy, dx_torch = case["options"], arr(case["x"]), arr(case["dy"]), arr(case["dx"])
    geom = pool_geometry(x.shape[2:], opt["kernel_size"], opt["stride"], opt["padding"],
                         opt.get("dilation", 1), opt["ceil_mode"], case["kind"])
    assert geom.out_hw == np.shape(case["y"])[2:]
    if case["kind"] == "max":
        result = maxpool2d_forward(x, geom)
        np.testing.assert_array_equal(result.y, arr(case["y"]))  # a max is one of the inputs
        np.testing.assert_array_equal(result.argmax, np.array(case["argmax"]))
        dx = maxpool2d_backward(dy, x, geom).dx  # ties="first" is PyTorch's rule
    else:
        cip = opt["count_include_pad"]
        close(avgpool2d_forward(x, geom, cip).y, case["y"])
        dx = avgpool2d_backward(dy, geom, cip).dx
    close(dx, dx_torch)
    # cells torch gives no gradient get exactly zero, not a rounding residue
    assert np.all(dx[dx_torch == 0] == 0)


# --- fc ------------------------------------------------------------------------------------------

@by_id(FC)
def test_fc_matches_torch(case):
    x, w, b, dy = arr(case["x"]), arr(case["w"]), arr(case["b"]), arr(case["dy"])
    close(fc_forward(x, w, b, case["layout"]), case["y"])
    grads = fc_backward(dy, x, w, case["layout"], has_bias=b is not None)
    close(grads.dx, case["dx"])
    close(grads.dw, case["dw"])  # in the layout of w
    if b is None:
        assert grads.db is None and case["db"] is None
    else:
        close(grads.db, case["db"])


# --- activations ---------------------------------------------------------------------------------

def slope_args(case):
    return {} if case["slope"] is None else {"slope": case["slope"]}


@by_id(ACTIVATION)
def test_activation_matches_torch(case):
    name, x, dy = case["activation"], arr(case["x"]), arr(case["dy"])
    y = activation_forward(name, x, **slope_args(case))
    close(y, case["y"])
    close(activation_backward(name, dy, x, y, **slope_args(case)), case["dx"])


# --- softmax and cross-entropy -------------------------------------------------------------------

@by_id(CROSS_ENTROPY)
def test_cross_entropy_matches_torch(case):
    z = arr(case["z"])
    t = target_distribution(np.array(case["target"]), z.shape)
    result = cross_entropy(z, t, case["reduction"])
    close(result.p, case["p"])
    close(result.log_p, case["log_p"])
    np.testing.assert_allclose(result.loss, case["loss"], **TOL)
    close(result.dz, case["dz"])
    close(result.dp, case["dp"])


@by_id(JACOBIAN)
def test_softmax_jacobian_matches_torch(case):
    p = softmax(arr(case["z"]))
    close(p, case["p"])
    close(softmax_jacobian(p), case["jacobian"])


# --- mse -----------------------------------------------------------------------------------------

@by_id(MSE)
def test_mse_matches_torch(case):
    result = mse(arr(case["y"]), arr(case["t"]), case["reduction"])
    np.testing.assert_allclose(result.loss, case["loss"], **TOL)
    close(result.dy, case["dy"])


# --- coverage of the goldens themselves ----------------------------------------------------------

def test_pool_goldens_cover_every_option():
    opts = {kind: [c["options"] for c in POOL if c["kind"] == kind] for kind in ("max", "avg")}
    for kind, options in opts.items():
        assert {json.dumps(o["stride"]) for o in options} >= {"null", "1", "2", "[2, 1]"}
        assert {json.dumps(o["padding"]) for o in options} >= {"0", "1", "[0, 1]", "[1, 0]"}
        assert {o["ceil_mode"] for o in options} == {False, True}
        assert any(isinstance(o["kernel_size"], list) for o in options)  # non-square
    assert {o["dilation"] for o in opts["max"]} == {1, 2}
    assert {o["count_include_pad"] for o in opts["avg"]} == {False, True}
    # ceil mode really changes the output size somewhere, for both kinds
    for kind in ("max", "avg"):
        assert any(changes_with_ceil(c) for c in POOL if c["kind"] == kind and c["options"]["ceil_mode"])
    # max-pool ties, decided by the first-maximum rule
    assert sum(c["tied_windows"] > 0 for c in POOL if c["kind"] == "max") >= 5


def changes_with_ceil(case):
    """The case's output size differs from floor mode's (which may have no window at all)."""
    opt, x = case["options"], arr(case["x"])
    geom = pool_geometry(x.shape[2:], opt["kernel_size"], opt["stride"], opt["padding"],
                         opt.get("dilation", 1), opt["ceil_mode"], case["kind"])
    return replace(geom, ceil_mode=False).out_hw != geom.out_hw


def test_other_goldens_cover_every_option():
    assert {c["layout"] for c in FC} == {"out-in", "in-out"}
    assert {c["b"] is None for c in FC} == {True, False}
    assert {(c["activation"], c["slope"]) for c in ACTIVATION} == {
        ("relu", None), ("leaky_relu", 0.01), ("leaky_relu", 0.2), ("sigmoid", None), ("tanh", None)}
    assert all(0.0 in np.ravel(c["x"]) for c in ACTIVATION)  # the kink in every activation
    assert {(c["target_kind"], c["reduction"], len(c["z"]) > 1) for c in CROSS_ENTROPY} == {
        (t, r, n) for t in ("index", "onehot", "soft") for r in ("sum", "mean") for n in (False, True)}
    assert {len(c["z"][0]) for c in CROSS_ENTROPY} == {2, 3, 4, 5, 6}
    assert {(c["reduction"], np.ndim(c["y"])) for c in MSE} == {
        (r, d) for r in ("half_sum", "sum", "mean") for d in (1, 2, 3, 4)}
