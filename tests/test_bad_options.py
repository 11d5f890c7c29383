"""One bad value for each shared option, and a problem file's own output fields: one clear line on
stderr and exit 2, never a traceback (the review's probes)."""

import pytest

from cli_helpers import cnncalc, example, problem_file

CONV = ("conv", "-x", "1 2; 3 4", "-w", "1")


@pytest.mark.parametrize("extra, needle", [
    (("--max-steps", "99999999999999999999999", "--explain"), "--max-steps"),
    (("--max-steps", "-1"), "--max-steps"),
    (("--index-base", "2"), "--index-base"),
    (("--format", "pdf"), "expected one of table, json, yaml, markdown, latex"),
    (("--standalone",), "--format latex"),
    (("--show-code", "java"), "--show-code"),
    (("--show-code", "torch", "--format", "json"), "the code alone"),
    (("--show-code", "torch", "--emit-problem", "k.yaml"), "the code alone"),
    (("--emit-problem", ""), "an empty name"),
    (("--export-svg", " "), "an empty name"),
    (("--entry", ""), "an entry like dx[2,1]"),
    (("--entry", ","), "an entry like dx[2,1]"),
    (("--entry", "dz[1,1]"), "found 'dz'"),
    (("--entry", "y[9,9]"), "indices from 1"),
])
def test_a_bad_shared_option_is_one_line_and_exit_2(extra, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cnncalc(*CONV, *extra)
    assert run.code == 2, (run.code, run.err)
    assert needle in run.err and "Traceback" not in run.err
    assert len([line for line in run.err.splitlines() if line.startswith(("cnncalc", "Usage"))]) == 1


@pytest.mark.parametrize("field, value, needle", [
    ("entry", "5", "entry: expected an entry like dx[2,1]"),
    ("max_steps", "99999999999999999999999", "max_steps: expected an integer from 0 to"),
    ("max_steps", "true", "max_steps: expected an integer"),
    ("index_base", "2", "index_base: expected an integer from 0 to 1"),
    ("explain", "maybe", "explain: expected true or false"),
])
def test_a_files_output_fields_are_read_and_located(field, value, needle, tmp_path):
    problem = problem_file(tmp_path, f"command: conv\nx: [[1, 2], [3, 4]]\nw: 1\n{field}: {value}\n")
    run = cnncalc("conv", problem)
    assert run.code == 2 and needle in run.err and "p.yaml:4:" in run.err, run.err


def test_check_reads_a_files_index_base_the_same_way(tmp_path):
    problem = problem_file(tmp_path, "command: conv\nx: [[1, 2], [3, 4]]\nw: 1\nindex_base: 2\n"
                                     "expect: {y: [[1, 2], [3, 4]]}\n")
    run = cnncalc("check", problem)
    assert run.code == 2 and "p.yaml:4: index_base: expected an integer from 0 to 1" in run.err


def test_the_command_lines_max_steps_wins_over_the_files_even_at_the_default(tmp_path):
    problem = problem_file(tmp_path, "command: conv\nx: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nw: [[1, 0], [0, 1]]\n"
                                     "max_steps: 1\n")
    assert "more step" in cnncalc("conv", problem, "--explain").out
    assert "more step" not in cnncalc("conv", problem, "--explain", "--max-steps", "40").out


@pytest.mark.parametrize("tolerance, needle", [
    ("relabs:rtol=0.1,rtol=0.2", "rtol given once"),
    ("relabs:foo=1", "one of rtol, atol (for relabs)"),
    ("sigfog:3", "did you mean 'sigfig'"),
])
def test_a_bad_tolerance_is_one_line_and_exit_2(tolerance, needle):
    run = cnncalc("check", example("check_kernel_not_rotated.yaml"), "--tolerance", tolerance)
    assert run.code == 2 and needle in run.err


def test_sigfig_tolerance_grades_a_file_whose_diagnosis_meets_non_finite_alternatives():
    run = cnncalc("check", example("check_homework11_answers.yaml"), "--tolerance", "sigfig:3")
    assert run.code in (0, 1) and "internal error" not in run.err


def test_sigfig_tolerance_grades_the_homework_answers_all_right():
    # seed 001 states dL/drelu_1, dL/dconv_1 and dL/dh are 0; float64 computes residues like 6.9e-18
    run = cnncalc("check", example("check_homework11_answers.yaml"), "--tolerance", "sigfig:3")
    assert run.code == 0 and "76 of 76 entries right" in run.out


def test_exports_take_one_problem_file(tmp_path):
    run = cnncalc("conv", example("seed002_conv_bias.yaml"), example("seed003_correlation.yaml"),
                  "--export-svg", str(tmp_path / "o.svg"))
    assert run.code == 2 and "one problem file" in run.err and not (tmp_path / "o.svg").exists()
