"""cnncalc's conv core against PyTorch goldens (written by tools/make_goldens.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from cnncalc.core.conv import conv2d_backward, conv2d_forward
from cnncalc.core.geometry import window_geometry

GOLDEN = Path(__file__).parent / "goldens" / "conv.json"
CASES = json.loads(GOLDEN.read_text())["cases"]
TOL = dict(rtol=1e-12, atol=1e-12)


def arrays(case):
    return {k: None if case[k] is None else np.array(case[k], dtype=np.float64)
            for k in ("x", "w", "b", "dy", "y", "dx", "dw", "db")}


def geometry(case, t):
    opt = case["options"]
    return window_geometry(t["x"].shape[2:], t["w"].shape[2:], opt["stride"], opt["padding"],
                           opt["dilation"], mode=opt["mode"])


@pytest.mark.parametrize("method", ["im2col", "windows", "rows", "offsets"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conv_matches_torch(case, method):
    t, opt = arrays(case), case["options"]
    geom = geometry(case, t)
    assert [list(p) for p in geom.padding] == case["padding_resolved"]
    assert geom.out_hw == t["y"].shape[2:]

    y = conv2d_forward(t["x"], t["w"], t["b"], geom, groups=opt["groups"], mode=opt["mode"], method=method)
    assert y.shape == t["y"].shape
    np.testing.assert_allclose(y, t["y"], **TOL)

    grads = conv2d_backward(t["dy"], t["x"], t["w"], geom, groups=opt["groups"], mode=opt["mode"],
                            has_bias=t["b"] is not None, method=method)
    assert grads.dx.shape == t["dx"].shape and grads.dw.shape == t["dw"].shape
    np.testing.assert_allclose(grads.dx, t["dx"], **TOL)
    np.testing.assert_allclose(grads.dw, t["dw"], **TOL)
    if t["db"] is None:
        assert grads.db is None
    else:
        np.testing.assert_allclose(grads.db, t["db"], **TOL)

    # inputs no window reaches get exactly zero gradient, not a rounding residue
    rows, cols = case["unread"]["rows"], case["unread"]["cols"]
    assert np.all(grads.dx[:, :, rows, :] == 0.0)
    assert np.all(grads.dx[:, :, :, cols] == 0.0)


def test_goldens_cover_unread_rows_and_every_option():
    assert sum(bool(c["unread"]["rows"]) for c in CASES) >= 4
    options = [c["options"] for c in CASES]
    assert {o["mode"] for o in options} == {"correlation", "convolution"}
    assert {"valid", "same", "full"} <= {o["padding"] for o in options if isinstance(o["padding"], str)}
    assert any(isinstance(o["padding"], list) and isinstance(o["padding"][0], list) for o in options)
    assert any(o["groups"] > 2 for o in options)
    assert {json.dumps(o["stride"]) for o in options} >= {"1", "2", "[2, 1]"}
    assert {json.dumps(o["dilation"]) for o in options} >= {"1", "2"}
