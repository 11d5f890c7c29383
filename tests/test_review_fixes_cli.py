"""Bad input found by trying the tool as a new user: each is one line on stderr and exit 2."""

import pytest

from cli_helpers import cnncalc, example, problem_file


def _act_file(tmp_path, slope: str) -> str:
    return problem_file(tmp_path, f"command: act\nkind: leaky_relu\nx: [-1, 2]\ndy: [1, 1]\nslope: {slope}\n")


@pytest.mark.parametrize("slope, words", [
    ("1" + "0" * 400, "a finite number within the float range"),   # an int past the float range: was exit 70
    ("yes", "YAML reads yes, no, on, off, true and false as booleans"),
    ("[1]", "expected a number"),
])
def test_a_number_option_is_read_as_a_tensor_entry_is(tmp_path, slope, words):
    run = cnncalc("act", _act_file(tmp_path, slope))
    assert run.code == 2 and words in run.err and len(run.err.strip().splitlines()) == 1
    assert "internal error" not in run.err


def test_a_good_slope_still_reads():
    run = cnncalc("act", "--kind", "leaky_relu", "-x", "-2 3", "--dy", "1 1", "--slope", "1/4", "--json")
    assert run.code == 0 and run.json()["forward"]["y"]["data"] == [-0.5, 3.0]


def test_a_bad_file_among_several_shows_its_caret_as_alone(tmp_path):
    bad = problem_file(tmp_path, 'command: conv\nx: "1 2; 3 x"\nw: [[1]]\n', "bad.yaml")
    good = problem_file(tmp_path, "command: conv\nx: [[1, 2], [3, 4]]\nw: [[1]]\n", "ok.yaml")
    alone, several = cnncalc("conv", bad), cnncalc("conv", bad, good)
    assert alone.code == several.code == 2
    assert alone.err.splitlines()[1:] == several.err.splitlines()[1:] == ["  1 2; 3 x", "         ^"]


HOMEWORK = "seed002_conv_bias.yaml"


def test_two_options_writing_one_file_are_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cnncalc("conv", example(HOMEWORK), "--emit-problem", "same.svg", "--export-svg", "same.svg")
    assert run.code == 2 and run.out == ""
    assert "--export-svg: expected a file of its own, found 'same.svg', which --emit-problem writes too" in run.err
    assert not (tmp_path / "same.svg").exists()


@pytest.mark.parametrize("language, found", [("rust", "'rust'"), ("", "''")])
def test_show_code_names_its_languages_before_solving(language, found):
    run = cnncalc("conv", "-x", "1 2; 3 4", "-w", "1", "--show-code", language)
    assert run.code == 2 and run.out == ""
    assert f"--show-code: expected torch or numpy, found {found}" in run.err


@pytest.mark.parametrize("names, found", [("x=A,w=A", "'A' for both x and w"), ("x=y", "'y' for both x and y")])
def test_names_that_would_show_two_tensors_alike_are_refused(names, found):
    run = cnncalc("conv", "-x", "1 2; 3 4", "-w", "1", "--names", names)
    assert run.code == 2 and f"expected a different name for each tensor, found {found}" in run.err


def test_a_pipelines_names_are_refused_alike_with_the_files_line(tmp_path):
    path = problem_file(tmp_path, "command: pipeline\ninput: [1, 2]\nnames: {fc_1.weight: W, input: W}\n"
                    "layers:\n  - {type: fc, weight: [[1, 2]]}\nloss: mse\ntarget: [0]\n")
    run = cnncalc("pipeline", path)
    assert run.code == 2
    assert "p.yaml:3: names: expected a different name for each tensor, found 'W' for both input and fc_1.weight" \
        in run.err


def test_swapped_names_are_distinct_and_accepted():
    run = cnncalc("conv", "-x", "1 2; 3 4", "-w", "1", "--names", "x=y,y=x", "--json")
    assert run.code == 0 and run.json()["names"] == {"x": "y", "y": "x"}


@pytest.mark.parametrize("args", [("conv", "-x", "1 2; 3 4", "-w", "1", "--json", "--format", "latex"),
                                  ("check", "examples/check_homework11_answers.yaml", "--json", "--format", "junit")])
def test_json_and_another_format_together_are_refused(args):
    run = cnncalc(*args)
    assert run.code == 2 and run.out == ""
    assert "--json: expected --json or --format, not both, found --format" in run.err


def test_several_files_as_latex_are_fragments_headed_by_comments_and_refuse_standalone(tmp_path):
    text = open(example(HOMEWORK)).read()
    paths = [problem_file(tmp_path, text, "a.yaml"), problem_file(tmp_path, text, "b.yaml")]
    fragments = cnncalc("conv", *paths, "--format", "latex")
    assert fragments.code == 0
    headings = [line for line in fragments.out.splitlines() if "a.yaml" in line or "b.yaml" in line]
    assert len(headings) == 2 and all(line.startswith("% === ") for line in headings)
    whole = cnncalc("conv", *paths, "--format", "latex", "--standalone")
    assert whole.code == 2 and "--standalone: expected one problem file, found 2 paths" in whole.err


@pytest.mark.parametrize("extra, named", [(("--explain",), "--explain"), (("--entry", "y[1,1]"), "--entry"),
                                          (("--exact",), "--exact")])
def test_show_code_with_an_explanation_or_exact_values_is_refused_not_silently_dropped(extra, named):
    run = cnncalc("conv", "-x", "1 2; 3 4", "-w", "1", "--dy", "{fill: 1}", "--show-code", "torch", *extra)
    assert run.code == 2 and run.out == ""
    assert f"--show-code: expected the code alone (it replaces the result), found also {named}" in run.err


def test_exact_with_symbolic_is_refused():
    run = cnncalc("conv", "-x", "3x3", "-w", "2x2", "--symbolic", "--exact")
    assert run.code == 2 and "--exact: expected numbers to make exact, found --symbolic too" in run.err


def _derived(*entries: str) -> list[tuple[str, list, float]]:
    run = cnncalc("conv", example(HOMEWORK), "--json",
                  *(arg for entry in entries for arg in ("--entry", entry)))
    assert run.code == 0, run.err
    return [(s["target"]["name"], s["target"]["index"], s["value"]) for s in run.json()["explanation"]["steps"]]


@pytest.mark.parametrize("written", ["O[1,2]", "O_12", "O_{1,2}", "y_12"])
def test_entry_as_the_explanations_write_it(written):
    assert _derived(written) == [("y", [0, 1], 1.0)]  # seed 002: O = [[8, 1], [3, 6]]


def test_entries_with_braces_and_brackets_split_at_top_level_commas():
    assert _derived("O_{2,2},dx[2,1]") == [("y", [1, 1], 6.0), ("dx", [1, 0], 1.0)]  # dx = [[1,1,-2],[1,6,-1],..]


@pytest.mark.parametrize("written", ["O[1][1]", "y[1,1", "O_13"])
def test_a_malformed_entry_is_quoted_whole(written):
    run = cnncalc("conv", example(HOMEWORK), "--entry", written)
    assert run.code == 2 and f"found '{written}'" in run.err


def test_one_number_for_symbolic_logits_says_how_to_write_a_vector():
    run = cnncalc("softmax", "-z", "3", "--symbolic")
    assert run.code == 2 and "e.g. 1x3 for 3 logits" in run.err


def test_a_pipeline_with_shapes_alone_does_not_suggest_the_symbolic_it_was_given(tmp_path):
    path = problem_file(tmp_path, "command: pipeline\ninput: 4x4\nlayers:\n  - {type: maxpool, kernel_size: 2}\n  - flatten\n"
                    "  - {type: fc, weight: 1x4}\nloss: mse\ntarget: [0]\n")
    run = cnncalc("pipeline", path, "--symbolic")
    assert run.code == 2 and "add --symbolic" not in run.err and "a pipeline derives from numbers" in run.err


@pytest.mark.parametrize("weight", ["1e-400", "-3e-500", "1e-400/2"])
def test_a_literal_that_rounds_to_zero_is_refused_not_silently_zero(weight):
    run = cnncalc("conv", "-x", "1 2; 3 4", "-w", weight)
    assert run.code == 2 and "(it rounds to 0)" in run.err


def test_the_smallest_subnormal_and_a_written_zero_still_read():
    assert cnncalc("conv", "-x", "1 2; 3 4", "-w", "5e-324", "--json").json()["inputs"]["w"]["data"] == 5e-324
    assert cnncalc("conv", "-x", "1 2; 3 4", "-w", "0e5", "--json").json()["inputs"]["w"]["data"] == 0.0
