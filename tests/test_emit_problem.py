"""--emit-problem: the problem with its answers as expect:, round-tripped through the CLI."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import yaml

from cli_helpers import cnncalc
from cnncalc.check.formulas import parse_formula

ROOT = Path(__file__).parent.parent
# check_*.yaml hold a person's answers, some wrong on purpose (their command exits 1): cnncalc check's examples.
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if not p.name.startswith("check_"))


def _answers(result: dict) -> dict:
    return {name: tensor["data"] for section in ("forward", "backward") for name, tensor in result[section].items()}


def _as_float(value):
    if isinstance(value, list):
        return [_as_float(v) for v in value]
    return float(Fraction(value)) if isinstance(value, str) else float(value)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_emitted_key_round_trips(path, tmp_path):
    command = yaml.safe_load(path.read_text())["command"]
    key = tmp_path / "key.yaml"
    first = cnncalc(command, str(path), "--json", "--emit-problem", str(key))
    assert first.code == 0, first.err
    emitted = yaml.safe_load(key.read_text())
    answers = _answers(first.json())
    assert emitted["command"] == command and set(emitted["expect"]) == set(answers)
    for name, value in answers.items():  # the expect block holds the answers, to the last bit
        assert np.array_equal(np.array(_as_float(emitted["expect"][name])), np.array(value, dtype=float)), name
    again = cnncalc(command, str(key), "--json")  # the emitted problem solves to the same answers
    assert again.code == 0, again.err
    assert _answers(again.json()) == answers


def test_a_file_with_no_overrides_is_copied_with_its_comments(tmp_path):
    source = ROOT / "examples/seed002_conv_bias.yaml"
    key = tmp_path / "key.yaml"
    assert cnncalc("conv", str(source), "--emit-problem", str(key)).code == 0
    text = key.read_text()
    before_expect = source.read_text().split("\nexpect:")[0]
    assert text.startswith(before_expect) and text.count("expect:") == 1
    assert yaml.safe_load(text)["expect"] == {"y": [[8, 1], [3, 6]], "dx": [[1, 1, -2], [1, 6, -1], [-2, 2, 0]],
                                              "dw": [[-1, 3], [7, 0]], "db": 3}


def test_exact_answers_are_fractions_as_text(tmp_path):
    key = tmp_path / "key.yaml"
    run = cnncalc("pipeline", str(ROOT / "examples/seed001_homework11.yaml"), "--exact", "--emit-problem", str(key))
    assert run.code == 0, run.err
    expect = yaml.safe_load(key.read_text())["expect"]
    assert expect["fc_1"] == ["198/5"] * 5 and expect["relu_1"][1] == [[98, 100], [100, 98]]
    assert expect["p"] == [0.2] * 5  # softmax is not rational: decimals


def test_options_from_the_command_line_are_written_into_the_key(tmp_path):
    key = tmp_path / "key.yaml"
    args = ("conv", "-x", "[[1, 2, 0], [3, 1, 1], [0, 2, 4]]", "-w", "[[1, 1/2], [0, -1]]", "--stride", "1",
            "--padding", "same", "--dy", "{fill: 1}", "--mode", "convolution")
    first = cnncalc(*args, "--json", "--emit-problem", str(key))
    assert first.code == 0, first.err
    emitted = yaml.safe_load(key.read_text())
    assert emitted["padding"] == "same" and emitted["mode"] == "convolution" and emitted["w"] == "[[1, 1/2], [0, -1]]"
    assert _answers(cnncalc("conv", str(key), "--json").json()) == _answers(first.json())


def test_an_existing_file_is_never_written_over_without_force(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text("mine\n")
    run = cnncalc("conv", str(ROOT / "examples/seed002_conv_bias.yaml"), "--emit-problem", str(key))
    assert run.code == 2 and run.out == "" and key.read_text() == "mine\n"
    assert run.err.count("\n") == 1 and "--force" in run.err and "exists" in run.err
    forced = cnncalc("conv", str(ROOT / "examples/seed002_conv_bias.yaml"), "--emit-problem", str(key), "--force")
    assert forced.code == 0 and "expect:" in key.read_text()


def test_symbolic_keys_hold_the_formulas_of_seed000(tmp_path):
    key = tmp_path / "key.yaml"
    run = cnncalc("conv", "-x", "3x3", "-w", "2x1", "--symbolic", "--names", "x=X,w=K,y=Y,L=C", "--max-steps", "0",
                  "--emit-problem", str(key))
    assert run.code == 0, run.err
    emitted = yaml.safe_load(key.read_text())
    assert emitted["x"] == "3x3" and emitted["symbolic"] is True and emitted["max_steps"] == 0
    axes = {"X": 2, "Y": 2, "K": 1, "dC/dY": 2}
    # the write-up's two corrected entries (seed 000), as polynomials
    for entry, formula in (("2,1", "dC/dY_11*K_2 + dC/dY_21*K_1"), ("3,1", "dC/dY_21*K_2")):
        written = parse_formula(emitted["expect"]["dx"][entry], "dx", axes)
        assert written == parse_formula(formula, "dx", axes)
    assert len(emitted["expect"]["y"]) == 6 and len(emitted["expect"]["dx"]) == 9
    assert cnncalc("conv", str(key)).code == 0  # the key itself runs as written


def _assert_the_hand_written_expect_holds(example: Path, key: Path):
    """The key is graded by the code that wrote it: its values must also be the example's own expect:
    block (worked by hand or checked with PyTorch), read from both files."""
    written = yaml.safe_load(example.read_text()).get("expect", {})
    emitted = yaml.safe_load(key.read_text())["expect"]
    assert written, f"{example.name} has no expect: block"
    # the key holds the forward and backward answers; max pooling's argmax is a detail it leaves out
    assert set(written) - set(emitted) <= {"argmax"}, example.name
    for name, value in written.items():
        if name not in emitted:
            continue
        got, expected = np.array(_as_float(emitted[name])), np.array(_as_float(value))
        np.testing.assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_cnncalc_check_finds_the_emitted_key_all_right(path, tmp_path):
    command = yaml.safe_load(path.read_text())["command"]
    key = tmp_path / "key.yaml"
    assert cnncalc(command, str(path), "--emit-problem", str(key)).code == 0
    _assert_the_hand_written_expect_holds(path, key)
    run = cnncalc("check", str(key), "--json")
    assert run.code == 0, run.out + run.err
    assert run.json()["status"] == "right"


def test_an_exact_key_holds_the_seeds_hand_written_answers(tmp_path):
    key, seed = tmp_path / "key.yaml", ROOT / "examples/seed000_conv_column_kernel.yaml"
    assert cnncalc("conv", str(seed), "--exact", "--emit-problem", str(key)).code == 0
    _assert_the_hand_written_expect_holds(seed, key)
    run = cnncalc("check", str(key))
    assert run.code == 0, run.out + run.err


def test_a_symbolic_key_holds_the_seeds_hand_written_formulas(tmp_path):
    key, seed = tmp_path / "key.yaml", ROOT / "examples/seed000_conv_column_kernel.yaml"
    assert cnncalc("conv", str(seed), "--symbolic", "--emit-problem", str(key)).code == 0
    emitted = yaml.safe_load(key.read_text())["expect"]
    axes = {"X": 2, "Y": 2, "K": 1, "dC/dY": 2}
    # the seed's comment: y_ij = x_ij·k1 + x_(i+1)j·k2; dC/dx row 1 = dC/dy_1j·k1,
    # row 2 = dC/dy_1j·k2 + dC/dy_2j·k1, row 3 = dC/dy_2j·k2
    by_hand = {"y": {f"{i},{j}": f"X_{i}{j}*K_1 + X_{i + 1}{j}*K_2" for i in (1, 2) for j in (1, 2, 3)},
               "dx": {**{f"1,{j}": f"dC/dY_1{j}*K_1" for j in (1, 2, 3)},
                      **{f"2,{j}": f"dC/dY_1{j}*K_2 + dC/dY_2{j}*K_1" for j in (1, 2, 3)},
                      **{f"3,{j}": f"dC/dY_2{j}*K_2" for j in (1, 2, 3)}}}
    for name, formulas in by_hand.items():
        assert set(emitted[name]) == set(formulas), name
        for entry, formula in formulas.items():
            assert parse_formula(emitted[name][entry], name, axes) == parse_formula(formula, name, axes), (name, entry)
    run = cnncalc("check", str(key))
    assert run.code == 0, run.out + run.err
