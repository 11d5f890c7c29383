"""A pipeline's entries are derived by their layers' own explainers: every derivable entry's step
evaluates (from its own terms, in the JSON) to the pipeline's value of that entry."""

import itertools

import numpy as np
import pytest

from cli_helpers import cnncalc, example

PIPELINES = ["seed001_homework11.yaml", "pipeline_random_cnn.yaml", "pipeline_two_conv.yaml",
             "seed004_mse_sigmoid_head.yaml"]


def _tensors(doc: dict) -> dict:
    return {name: np.asarray(t["data"], dtype=float)
            for section in ("inputs", "forward", "backward") for name, t in doc[section].items()}


def _value(term: dict) -> float:
    value = 1.0
    for factor in term["factors"]:
        value *= float(factor["value"]) ** factor.get("power", 1)
    coefficient = term.get("coefficient", 1)
    return value * (coefficient[0] / coefficient[1] if isinstance(coefficient, list) else coefficient)


@pytest.mark.parametrize("name", PIPELINES)
def test_every_derivable_entry_evaluates_to_the_pipelines_value(name):
    path = example(name)
    doc = cnncalc("pipeline", path, "--json").json()
    tensors = _tensors(doc)
    derivable = [name for name in tensors if not name.endswith((".weight", ".bias")) or name.startswith("dL/d")]
    derivable = [name for name in derivable if name not in ("input", "target")]
    checked = 0
    for name in derivable:
        shape = tensors[name].shape
        for index in itertools.islice(np.ndindex(*shape), 0, None, max(1, int(np.prod(shape)) // 3)):
            entry = f"{name}[{','.join(str(i + 1) for i in index)}]" if shape else name
            run = cnncalc("pipeline", path, "--entry", entry, "--json")
            assert run.code == 0, (entry, run.err)
            steps = run.json()["explanation"]["steps"]
            last = [s for s in steps if s["target"] and s["target"]["name"] == name][-1]
            assert last["target"]["index"] == list(index)
            if last["kind"] in ("sum", "chain") and last["terms"]:
                assert sum(_value(t) for t in last["terms"]) == pytest.approx(tensors[name][index], abs=1e-9)
            assert float(last["value"]) == pytest.approx(tensors[name][index], abs=1e-9)
            checked += 1
    assert checked >= len(derivable)


def test_a_pipeline_entry_is_written_in_the_pipelines_names():
    run = cnncalc("pipeline", example("seed001_homework11.yaml"), "--entry", "dL/dh[1,1,1,1]")
    assert run.code == 0
    line = next(line for line in run.out.splitlines() if line.strip().startswith("dL/dh_{1,1,1,1} ="))
    assert "dL/dconv_1_{1,1,1}·F_{1,1,1}" in line


def test_an_input_of_the_pipeline_is_not_derived():
    run = cnncalc("pipeline", example("seed001_homework11.yaml"), "--entry", "h[1,1,1,1]")
    assert run.code == 2 and "--entry" in run.err


def test_symbolic_conv_states_the_general_identities_with_its_own_numbers():
    run = cnncalc("conv", "-x", "1x2x3x3", "-w", "2x2x3x3", "--padding", "1", "--symbolic", "--names", "w=h",
                  "--max-steps", "0", "--stride", "2")
    assert run.code == 0
    general = [line.strip() for line in run.out.splitlines() if "in general" in line]
    assert len(general) == 2
    assert "dL/dx[n,c] = Σ_o dL/dy[n,o], with 1×1 zeros inserted between entries (stride 2×2)" in general[0]
    assert "correlated with h[o,c] rotated 180°" in general[0]
    assert "1·(3 − 1) − 1 = 1 row on top" in general[0]
    assert "dL/dh[o,c] = Σ_n x[n,c] padded (1, 1, 1, 1) correlated with dL/dy[n,o]" in general[1]
    assert "x is not rotated" in general[1]


def test_a_leaky_relu_slope_of_zero_is_used_as_zero():
    run = cnncalc("act", "--kind", "leaky_relu", "--slope", "0", "-x", "[-2, 3]", "--dy", "[1, 1]", "--explain")
    line = next(line for line in run.out.splitlines() if line.strip().startswith("dL/dx_1 ="))
    assert "1×0 = 0" in line and "0.01" not in line


def test_softmax_explanation_counts_the_routes_it_shows():
    run = cnncalc("softmax", "-z", "[0, 1000]", "-t", "[1, 0]", "--explain", "--max-steps", "0")
    assert run.code == 0 and "left out" not in run.out
