"""Small things the ground issue found, each with a test: shapes, notes, commands, arithmetic."""

import re

import pytest

from cli_helpers import cnncalc, example


def test_pipeline_mse_refuses_a_target_of_another_shape(tmp_path):
    problem = tmp_path / "net.yaml"
    problem.write_text("input: [[1, 2, 3], [4, 5, 6]]\nlayers: [fc: {weight: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}]\n"
                       "loss: mse\ntarget: [[1, 2], [3, 4], [5, 6]]\n")
    run = cnncalc("pipeline", str(problem))
    assert run.code == 2
    assert "expected the shape of the network's output, 2×3, found 3×2" in run.err


def test_pipeline_mse_takes_the_target_as_the_output_is_shown(tmp_path):
    problem = tmp_path / "net.yaml"
    problem.write_text("input: [1, 2]\nlayers: [fc: {weight: [[1, 0], [0, 1]]}]\nloss: mse\ntarget: [1, 0]\n")
    run = cnncalc("pipeline", str(problem), "--json")
    assert run.code == 0
    assert run.json()["forward"]["L"]["data"] == 2.0  # ½·((1 − 1)² + (2 − 0)²)


@pytest.mark.parametrize("args, gradients", [
    (("conv", "-x", "1 2; 3 4", "-w", "1"), "dx, dw"),
    (("conv", "-x", "1 2; 3 4", "-w", "1", "-b", "1"), "dx, dw, db"),
    (("pool", "-x", "1 2; 3 4", "--kernel-size", "2"), "dx"),
    (("fc", "-x", "1 2", "-w", "1 1; 1 1"), "dx, dw"),
    (("act", "--kind", "relu", "-x", "1 -2"), "dx"),
])
def test_without_dy_a_note_says_no_gradients_and_how_to_ask(args, gradients):
    run = cnncalc(*args, "--json")
    assert run.code == 0 and run.json()["backward"] == {}
    note = " ".join(run.json()["notes"])
    assert f"({gradients})" in note and "--dy '{fill: 1}'" in note
    assert "no upstream gradient" in cnncalc(*args).out


def test_with_dy_there_is_no_such_note():
    run = cnncalc("conv", "-x", "1 2; 3 4", "-w", "1", "--dy", "{fill: 1}", "--json")
    assert not any("upstream" in note for note in run.json()["notes"])


def test_a_file_for_another_command_is_refused_with_its_name():
    path = example("seed004_maxpool_argmax.yaml")
    run = cnncalc("conv", path)
    assert run.code == 2
    assert "found a file for 'pool'" in run.err and f"cnncalc pool {path}" in run.err


@pytest.mark.parametrize("size, kernel, stride, padding", [
    (6, 3, 2, 0), (5, 2, 2, 1), (7, 3, 3, 1), (4, 2, 3, 1), (10, 3, 4, 1), (6, 2, 4, 1)])
def test_shape_ceil_mode_arithmetic_is_true(size, kernel, stride, padding):
    run = cnncalc("shape", "--input", f"{size}x{size}", "--kernel", f"{kernel}x{kernel}", "--op", "pool",
                  "--stride", str(stride), "--padding", str(padding), "--ceil-mode", "true", "--json")
    line = next(c for c in run.json()["conventions"] if c.startswith("H_out"))
    numbers = re.search(r"= ⌈\((\d+) \+ (\d+) \+ (\d+) − (\d+)·\((\d+) − 1\) − 1\) / (\d+)⌉ \+ 1 = (\d+)(?: − 1 = (\d+))?",
                        line)
    n, lo, hi, d, k, s, raw, dropped = numbers.groups()
    span = int(n) + int(lo) + int(hi) - int(d) * (int(k) - 1) - 1
    assert -(-span // int(s)) + 1 == int(raw)  # the printed ceiling is the true ceiling
    out = run.json()["parameters"]["output"][0]
    assert out == (int(dropped) if dropped else int(raw))
    if dropped:
        assert int(dropped) == int(raw) - 1 and (int(raw) - 1) * int(s) >= int(n) + int(lo)
    # PyTorch's rule (pooling_output_shape), written out independently
    expected = -(-(int(n) + 2 * int(padding) - int(d) * (int(k) - 1) - 1) // int(s)) + 1
    if (expected - 1) * int(s) >= int(n) + int(padding):
        expected -= 1
    assert out == expected


def test_shell_completion_is_offered():
    run = cnncalc("--help")
    assert "--install-completion" in run.out and "--show-completion" in run.out


def test_no_internal_seed_words_reach_users():
    for command in ("conv", "pool", "fc", "act", "softmax", "loss", "pipeline", "shape", "examples"):
        assert "seed 00" not in cnncalc(command, "--help").out
    for args in (("fc", "-x", "1 2", "-w", "1 1; 1 1", "--weight-layout", "in-out"),
                 ("loss", "-y", "1 2", "-t", "0 0")):
        assert "seed 00" not in cnncalc(*args).out


def test_random_values_without_a_seed_always_mean_the_same_numbers_and_say_so():
    first = cnncalc("conv", "-x", "{random: {shape: [3, 3]}}", "-w", "1", "--json").json()
    again = cnncalc("conv", "-x", "{random: {shape: [3, 3]}}", "-w", "1", "--json").json()
    seeded = cnncalc("conv", "-x", "{random: {shape: [3, 3], seed: 0}}", "-w", "1", "--json").json()
    assert first["inputs"]["x"] == again["inputs"]["x"] == seeded["inputs"]["x"]
    assert any("seed 0, the default" in note for note in first["notes"])
    assert not any("seed" in note for note in seeded["notes"])


def test_a_pipeline_parameter_without_a_seed_is_named_in_the_note(tmp_path):
    problem = tmp_path / "net.yaml"
    problem.write_text("input: [1, 2]\nlayers: [{fc: {weight: {random: {}}, out: 2}}]\nloss: mse\ntarget: 0\n")
    notes = cnncalc("pipeline", str(problem), "--json").json()["notes"]
    assert any(note.startswith("layers[0] (fc_1).weight: random values drawn with seed 0") for note in notes)


@pytest.mark.parametrize("columns", ["40", "60", "80"])
def test_the_examples_list_never_cuts_a_name(columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", columns)
    run = cnncalc("examples")
    assert "…" not in run.out
    for name in ("seed001_homework11_explained", "seed000_conv_column_kernel", "seed001_softmax_cross_entropy"):
        assert name in run.out


def test_the_shell_completes_a_commands_options():
    import os
    import subprocess
    import sys

    env = dict(os.environ, _CNNCALC_COMPLETE="complete_bash", COMP_WORDS="cnncalc conv --mo", COMP_CWORD="2")
    done = subprocess.run([sys.executable, "-m", "cnncalc"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "--mode" in done.stdout.split()
