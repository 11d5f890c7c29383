"""The user's notation has one owner: display names, reverse lookup, index base, entry spelling."""

import pytest

from cli_helpers import cnncalc, example
from cnncalc.errors import CnnError
from cnncalc.naming import LAYER_GRADIENTS, Naming, pipeline_gradients

HOMEWORK = example("seed001_homework11.yaml")


def test_gradients_take_the_loss_and_target_names():
    naming = Naming({"x": "I", "L": "C"}, LAYER_GRADIENTS)
    assert naming.shown("dx") == "dC/dI"
    assert naming.shown("dw") == "dC/dw"
    assert naming.shown("y") == "y"


def test_a_layer_named_like_a_gradient_is_not_taken_for_one():
    naming = Naming({}, pipeline_gradients(["input", "dinput"]))
    assert naming.shown("dinput") == "dinput"
    assert naming.shown("dL/ddinput") == "dL/ddinput"
    assert naming.shown("dL/dinput") == "dL/dinput"


def test_reverse_lookup_accepts_canonical_and_display_names():
    naming = Naming({"x": "I", "L": "C"}, LAYER_GRADIENTS)
    known = ["x", "y", "dx"]
    assert naming.canonical("dC/dI", known) == "dx"
    assert naming.canonical("I", known) == "x"
    assert naming.canonical("dx", known) == "dx"
    with pytest.raises(CnnError) as caught:
        naming.canonical("dC/dJ", known, "only")
    assert "did you mean 'dC/dI'" in caught.value.message()


def test_entries_in_the_users_index_base():
    assert Naming({"w": "W"}).entry("w", (0, 1)) == "W[1,2]"
    assert Naming({"w": "W"}, base=0).entry("w", (0, 1)) == "W[0,1]"
    assert Naming({"w": "W"}).subscript("w", (0, 1)) == "W_12"
    assert Naming().subscript("x", (9, 0)) == "x_{10,1}"


def test_a_column_kernel_is_written_with_one_index_as_on_paper():
    naming = Naming({"w": "k"})
    assert naming.subscript("w", (1, 0), shape=(2, 1)) == "k_2"
    assert naming.entry("w", (0, 0, 1, 0), shape=(1, 1, 2, 1)) == "k[2]"


def test_pipeline_names_must_name_its_tensors(tmp_path):
    text = open(HOMEWORK).read().replace("fc_1.weight: W}", "fc_9.weight: W}")
    problem = tmp_path / "hw.yaml"
    problem.write_text(text)
    run = cnncalc("pipeline", str(problem))
    assert run.code == 2
    assert "names.fc_9.weight" in run.err and "did you mean 'fc_1.weight'" in run.err


def test_pipeline_refuses_an_unknown_name_on_the_command_line():
    run = cnncalc("pipeline", HOMEWORK, "--names", "fc_2=Z")
    assert run.code == 2 and "did you mean 'fc_1'" in run.err


def test_only_finds_display_names_of_gradients():
    run = cnncalc("pipeline", HOMEWORK, "--only", "dL/dfc_1,p", "--json")
    assert run.code == 0
    assert set(run.json()["backward"]) == {"dL/dfc_1"}


@pytest.mark.parametrize("x, w, shape", [
    ("[[1,2,3],[4,5,6],[7,8,9]]", "[[[[1,0],[0,1]]]]", [2, 2]),
    ("[[[1,2,3],[4,5,6],[7,8,9]]]", "[[1,0],[0,1]]", [1, 2, 2]),
    ("[[1,2,3],[4,5,6],[7,8,9]]", "[[[[1,0],[0,1]]],[[[1,1],[1,1]]]]", [2, 2, 2]),
])
def test_conv_and_pipeline_show_a_layer_with_the_same_shape(x, w, shape, tmp_path):
    conv = cnncalc("conv", "-x", x, "-w", w, "--json").json()
    problem = tmp_path / "net.yaml"
    problem.write_text(f"input: {x}\nlayers:\n  - {{type: conv, weight: {w}}}\nloss: mse\ntarget: 0\n")
    piped = cnncalc("pipeline", str(problem), "--json").json()
    assert conv["forward"]["y"]["shape"] == piped["forward"]["conv_1"]["shape"] == shape


@pytest.mark.parametrize("base, entry", [("1", "x[2,1]"), ("0", "x[1,0]")])
def test_errors_name_entries_in_the_users_index_base(tmp_path, base, entry):
    problem = tmp_path / "p.yaml"
    problem.write_text("x:\n  - [1, 2]\n  - [.nan, 4]\nw: 1\n")
    run = cnncalc("conv", str(problem), "--index-base", base)
    assert run.code == 2 and f"p.yaml:3: {entry}: expected a finite number" in run.err


def test_a_position_in_the_layers_list_is_not_an_entry(tmp_path):
    problem = tmp_path / "net.yaml"
    problem.write_text("input: [1, 2]\nlayers: [relu, {type: fc, weight: [[1, .nan]]}]\nloss: mse\ntarget: 0\n")
    run = cnncalc("pipeline", str(problem))
    assert run.code == 2 and "layers[1] (fc_1).weight" in run.err


@pytest.mark.parametrize("flag, base", [((), 0), (("--index-base", "1"), 1), (("--index-base", "0"), 0)])
def test_the_command_line_index_base_wins_over_the_files(flag, base, tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text("command: conv\nindex_base: 0\nx: [[1, 2], [3, 4]]\nw: 1\n")
    run = cnncalc("conv", str(problem), *flag)
    header = next(line for line in run.out.splitlines() if line.strip().startswith("│"))
    assert header.split() == ["│", str(base), str(base + 1)]


@pytest.mark.parametrize("written, base, index, spelled", [
    ("2,1", 1, (1, 0), "x[2,1]"), ("[2,1]", 1, (1, 0), "x[2,1]"), (" 2 , 1 ", 1, (1, 0), "x[2,1]"),
    ("(2,1)", 1, (1, 0), "x[2,1]"), ("0,2", 0, (0, 2), "x[0,2]"),
    (3, 1, (0, 2), "x[3]"),          # a bare number: the one long axis of a 1×3, written back alone
])
def test_read_index_is_the_reverse_of_entry(written, base, index, spelled):
    naming = Naming(base=base)
    shape = (1, 3) if written == 3 else (3, 3)
    assert naming.read_index(written, "x", shape, "f") == index
    assert naming.entry("x", naming.read_index(written, "x", shape, "f"), shape) == spelled


@pytest.mark.parametrize("written, words", [
    ("--1,1", "written as indices"), ("²,1", "written as indices"), ("a,1", "written as indices"),
    ("2,,1", "written as indices"), ("4,1", "indices from 1 to [3,3], index base 1"), ("1", "indices from 1"),
    ("-1,1", "indices from 1"),
])
def test_read_index_refuses_with_a_message_not_a_crash(written, words):
    with pytest.raises(CnnError) as refused:
        Naming().read_index(written, "x", (3, 3), "expect.x")
    assert words in refused.value.message()


@pytest.mark.parametrize("entry", ["dx[--1,1]", "dx[²,1]", "dx[2,,1]"])
def test_entry_with_bad_indices_is_a_clean_refusal(entry):
    run = cnncalc("conv", "-x", "1 2 3; 4 5 6; 7 8 9", "-w", "1 2; 3 4", "--dy", "{fill: 1}", "--entry", entry)
    assert run.code == 2 and "written as indices" in run.err and "internal error" not in run.err


def test_person_index_drops_unit_axes_and_counts_in_the_base():
    assert Naming().person_index((1, 0), (2, 1)) == (2,)          # a 2×1 kernel's second entry: k_2
    assert Naming(base=0).person_index((1, 0), (2, 1)) == (1,)
    assert Naming().person_index((0, 10, 0), (1, 12, 1)) == (11,)
    assert Naming().person_index((2, 3)) == (3, 4)                 # no shape: every axis kept
