"""--exact: fractions from the kept literals, checked against the float answer on every example
and against fractions worked by hand on the seed 000–002 problems."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import yaml

from cli_helpers import cnncalc

ROOT = Path(__file__).parent.parent
# check_*.yaml hold a person's answers, some wrong on purpose (their command exits 1): cnncalc check's examples.
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if not p.name.startswith("check_"))
RATIONAL_COMMANDS = ("conv", "pool", "fc", "loss")


def _exact_json(*args):
    run = cnncalc(*args, "--exact", "--json")
    assert run.code == 0, run.err
    return run.json()


def _fractions(data):
    return np.vectorize(lambda v: None if v is None else Fraction(v), otypes=[object])(np.array(data, dtype=object))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_exact_agrees_with_the_float_answer(path):
    command = yaml.safe_load(path.read_text())["command"]
    result = _exact_json(command, str(path))
    exact = result["exact"]
    compared = 0
    for section, tensors in exact.items():
        for name, tensor in tensors.items():
            floats = np.array(result[section][name]["data"], dtype=float)
            values = _fractions(tensor["data"])
            assert values.shape == floats.shape == tuple(tensor["shape"]), name
            for value, decimal in zip(values.flat, floats.flat):
                assert value is not None and abs(float(value) - decimal) <= 1e-12 * max(1.0, abs(decimal)), name
                compared += 1
    assert compared > 0
    if command in RATIONAL_COMMANDS:  # every input rational: every tensor has its exact value
        for section in ("inputs", "forward", "backward"):
            assert set(exact[section]) == set(result[section]), (section, path.name)


def test_homework11_shows_w_as_one_tenth_and_fc_1_as_198_fifths():
    result = _exact_json("pipeline", str(ROOT / "examples/seed001_homework11.yaml"))
    exact = result["exact"]
    assert {v for row in exact["inputs"]["fc_1.weight"]["data"] for v in row} == {"1/10"}
    assert exact["forward"]["fc_1"]["data"] == ["198/5"] * 5
    assert exact["forward"]["relu_1"]["data"] == [[["0", "0"], ["0", "0"]], [["98", "100"], ["100", "98"]]]
    assert "p" not in exact["forward"] and exact["backward"] == {}
    assert any("p (softmax) is not rational" in note for note in result["notes"])
    table = cnncalc("pipeline", str(ROOT / "examples/seed001_homework11.yaml"), "--exact").out
    assert "198/5 (39.6)" in table and "1/10 (0.1)" in table


def test_seed000_column_kernel_with_fractional_weights_by_hand():
    # y_ij = x_ij/2 + x_(i+1)j/3 on X = 1..9; dX from dY = 1..6 (rows of 3): the homework's formulas
    result = _exact_json("conv", str(ROOT / "examples/seed000_conv_column_kernel.yaml"), "-w", "[[1/2], [1/3]]")
    assert result["exact"]["forward"]["y"]["data"] == [["11/6", "8/3", "7/2"], ["13/3", "31/6", "6"]]
    dx = result["exact"]["backward"]["dx"]["data"]
    assert [row[0] for row in dx] == ["1/2", "7/3", "4/3"]  # dC/dX_21 = dC/dY_11·K_2 + dC/dY_21·K_1
    assert result["exact"]["backward"]["dw"]["data"] == [["91"], ["154"]]


def test_seed002_conv_with_a_half_bias_by_hand():
    result = _exact_json("conv", str(ROOT / "examples/seed002_conv_bias.yaml"), "-b", "1/2")
    assert result["exact"]["forward"]["y"]["data"] == [["15/2", "1/2"], ["5/2", "11/2"]]
    assert result["exact"]["backward"]["db"]["data"] == "3"


def test_seed002_maxpool_with_halved_upstream_by_hand():
    result = _exact_json("pool", str(ROOT / "examples/seed002_maxpool_overlapping.yaml"), "--dy", "[[1/2, 1], [3/2, 2]]")
    assert result["exact"]["backward"]["dx"]["data"] == [["0", "1/2", "0"], ["0", "0", "3"], ["3/2", "0", "0"]]


def test_seed001_conv_example_is_exact_in_integers():
    # The homework's own answer (the seed's expect: block): conv_1 = [[-22,-22],[-26,-26]], [[98,100],[100,98]].
    result = _exact_json("conv", str(ROOT / "examples/seed001_conv.yaml"))
    assert result["exact"]["forward"]["y"]["data"] == [[["-22", "-22"], ["-26", "-26"]], [["98", "100"], ["100", "98"]]]


def test_average_pool_fractions_by_hand():
    result = _exact_json("pool", str(ROOT / "examples/avgpool.yaml"))
    assert result["exact"]["forward"]["y"]["data"] == [["11/4", "19/4"], ["7/4", "7/4"]]
    assert {v for row in result["exact"]["backward"]["dx"]["data"] for v in row} == {"1/4"}


def test_leaky_relu_keeps_a_written_slope_of_one_third():
    result = _exact_json("act", "-x", "[1/3, -2, 0]", "--kind", "leaky_relu", "--slope", "1/3", "--dy", "[3, 3, 3]")
    assert result["exact"]["forward"]["y"]["data"] == ["1/3", "-2/3", "0"]
    assert result["exact"]["backward"]["dx"]["data"] == ["3", "1", "1"]  # the slope at 0, as PyTorch


def test_mse_pipeline_is_exact_through_the_backward_pass():
    # fc y = [5, 19/2]; t = [1/2, 1/3]; L = ½((9/2)² + (55/6)²) = 1877/36; dL/dinput = Wᵀ(y − t)
    problem = ("input: [1, 2, 3, 4]\nlayers:\n  - {type: fc, weight: [[1, 0, 0, 1], [1/2, 1, 1, 1]]}\n"
               "loss: mse\ntarget: [0.5, 1/3]\n")
    run = cnncalc("pipeline", "-", "--exact", "--json", stdin=problem)
    exact = run.json()["exact"]
    assert exact["forward"]["L"]["data"] == "1877/36"
    assert exact["backward"]["dL/dinput"]["data"] == ["109/12", "55/6", "55/6", "41/3"]


def test_not_rational_steps_are_said_and_stay_decimal():
    run = cnncalc("act", "-x", "[1, 2]", "--kind", "sigmoid", "--exact")
    assert "sigmoid is not rational" in run.out and "/" not in run.out.split("Forward")[1]


def test_random_decimals_are_said_to_have_no_exact_value():
    result = _exact_json("conv", "-x", "{random: {shape: [3, 3], seed: 1}}", "-w", "[[1, 2], [3, 4]]")
    assert "x" not in result["exact"]["inputs"] and result["exact"]["inputs"]["w"]["data"] == [["1", "2"], ["3", "4"]]
    assert "y" not in result["exact"]["forward"]
    assert any(note.startswith("exact: x has entries that are not rational") for note in result["notes"])


def test_without_exact_json_has_no_exact_field():
    run = cnncalc("conv", str(ROOT / "examples/seed002_conv_bias.yaml"), "--json")
    assert "exact" not in run.json()
