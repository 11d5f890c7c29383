"""Whole networks through `cnncalc pipeline --json` against PyTorch goldens (written by
tools/make_goldens.py; torch is not needed here): every intermediate, L, and every
gradient, shaped as cnncalc shows them."""

import json
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import cnncalc
from cnncalc.solve.pipeline_spec import LAYER_TYPES

CASES = json.loads((Path(__file__).parent / "goldens" / "pipeline.json").read_text())["cases"]
TOL = dict(rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pipeline_matches_torch(case, tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(json.dumps(case["problem"]))  # YAML is a superset of JSON
    run = cnncalc("pipeline", str(path), "--json")
    assert run.code == 0, run.err
    result = run.json()
    for section in ("forward", "backward"):
        assert set(result[section]) == set(case[section]), section
        for name, expected in case[section].items():
            expected = np.array(expected, dtype=np.float64)
            got = result[section][name]
            assert tuple(got["shape"]) == expected.shape, name
            np.testing.assert_allclose(np.array(got["data"], dtype=np.float64), expected, **TOL,
                                       err_msg=f"{case['id']}: {name}")


# --- coverage of the goldens themselves ----------------------------------------------------------

def _entries(kind):
    return [entry for case in CASES for entry in case["problem"]["layers"]
            if isinstance(entry, dict) and entry["type"] == kind]


def _loss(case):
    loss = case["problem"]["loss"]
    kind, reduction = (loss, None) if isinstance(loss, str) else (loss["type"], loss.get("reduction"))
    return kind, reduction or ("half_sum" if kind == "mse" else "sum")


def test_pipeline_goldens_cover_every_layer_and_option():
    assert {t for case in CASES for t in case["types"]} == set(LAYER_TYPES)
    convs = _entries("conv")
    assert {json.dumps(c.get("padding", 0)) for c in convs} >= {"0", "1", "[1, 0]", '"same"', '"valid"', '"full"',
                                                                "[[0, 2], [1, 0]]", "[[1, 0], [0, 1]]"}
    assert {json.dumps(c.get("stride", 1)) for c in convs} >= {"1", "2", "[1, 2]", "[2, 1]"}
    assert {json.dumps(c.get("dilation", 1)) for c in convs} >= {"1", "2", "[2, 1]"}
    assert {c.get("groups", 1) for c in convs} >= {1, 2, 3}
    assert {c.get("mode", "correlation") for c in convs} == {"correlation", "convolution"}
    assert {"bias" in c for c in convs} == {True, False}
    assert {np.ndim(c["weight"]) for c in convs} == {2, 3, 4}  # (kH,kW), (Cin,kH,kW), (Cout,Cin/g,kH,kW)
    assert any(c.get("groups") == 3 and np.shape(c["weight"])[1] == 1 for c in convs)  # depthwise
    assert {e.get("slope") for e in _entries("leaky_relu")} >= {0.2, 0.3}
    assert any(entry == "leaky_relu" for case in CASES for entry in case["problem"]["layers"])  # slope 0.01
    maxpools, avgpools = _entries("maxpool"), _entries("avgpool")
    assert {m.get("ceil_mode", False) for m in maxpools} == {True, False}
    assert {m.get("dilation", 1) for m in maxpools} == {1, 2}
    assert any(m.get("padding") for m in maxpools) and any(a.get("padding") for a in avgpools)
    assert {a.get("count_include_pad", True) for a in avgpools} == {True, False}
    assert {a.get("ceil_mode", False) for a in avgpools} == {True, False}
    assert sum(case["tied_windows"] for case in CASES) > 0  # decided by the first maximum, as torch
    fcs = _entries("fc")
    assert {f.get("weight_layout", "out-in") for f in fcs} == {"out-in", "in-out"}
    assert {"bias" in f for f in fcs} == {True, False}


def test_pipeline_goldens_cover_every_loss_and_input():
    ce = {(case["types"][-1] == "softmax", case["target_kind"], _loss(case)[1])
          for case in CASES if _loss(case)[0] == "cross_entropy"}
    assert ce >= {(True, t, r) for t in ("index", "onehot", "soft") for r in ("sum", "mean")}
    assert {(t, r) for softmax, t, r in ce if not softmax} >= {("index", "mean"), ("soft", "sum"), ("onehot", "sum")}
    assert {_loss(case)[1] for case in CASES if _loss(case)[0] == "mse"} == {"half_sum", "sum", "mean"}
    assert {case["input_kind"] for case in CASES} == {"hw", "chw", "batched", "vector"}
    batched = [np.shape(case["problem"]["input"]) for case in CASES if case["input_kind"] == "batched"]
    assert {shape[0] for shape in batched if len(shape) == 4} == {2, 3}
    assert any(len(shape) == 2 for shape in batched)  # (N, features) into fc
    assert len(CASES) >= 16
