"""Every class of bad input: one line on stderr naming file, line and field; exit code 2."""

import pytest

from cli_helpers import cnncalc

GOOD = ("-x", "1 2 3; 4 5 6; 7 8 9", "-w", "1 0; 0 1")


def _problem(tmp_path, text: str) -> str:
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    return str(path)


def _fails(run, *needles: str) -> str:
    assert run.code == 2, (run.code, run.out, run.err)
    assert "Traceback" not in run.err
    first = run.err.splitlines()[0]
    for needle in needles:
        assert needle in first, (needle, first)
    return first


def test_missing_file():
    _fails(cnncalc("conv", "no/such/file.yaml"), "no/such/file.yaml", "an existing file")


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = _problem(tmp_path, "x: [[1, 2], [3, 4]\nw: [[1]]\n")
    _fails(cnncalc("conv", path), f"{path}:2:", "YAML")


def test_unknown_field_with_did_you_mean_and_line(tmp_path):
    path = _problem(tmp_path, "x: [[1, 2], [3, 4]]\nw: [[1]]\nstrde: 2\n")
    _fails(cnncalc("conv", path), f"{path}:3:", "strde", "did you mean 'stride'")


def test_ragged_tensor_names_the_row(tmp_path):
    path = _problem(tmp_path, "x:\n  - [1, 2]\n  - [3]\nw: [[1]]\n")
    _fails(cnncalc("conv", path), f"{path}:3:", "x[2]", "2 entries", "found 1 entry")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_and_infinity_refused_with_the_entry(tmp_path, value):
    path = _problem(tmp_path, f"x: [[1, 2], [3, 4]]\nw: [[1, {value}]]\n")
    _fails(cnncalc("conv", path), f"{path}:2:", "w[1,2]", "finite")


def test_caret_under_bad_token_in_nested_literal():
    run = cnncalc("conv", "-x", "[[1,2],[3,4x]]", "-w", "1 0; 0 1")
    _fails(run, "x:", "'x'")
    literal, caret = run.err.splitlines()[1:3]
    assert caret.index("^") == literal.index("4x") + 1


def test_caret_under_bad_token_in_matlab_rows():
    run = cnncalc("conv", "-x", "1 2; 3 q", "-w", "1")
    _fails(run, "x:", "'q'")
    literal, caret = run.err.splitlines()[1:3]
    assert caret.index("^") == literal.index("q")


def test_huge_fill_refused_before_allocation():
    _fails(cnncalc("conv", "-x", "{fill: 1, shape: [100000, 100000]}", "-w", "1"),
           "x.shape", "10,000,000", "--max-elements")


def test_alias_bomb_refused(tmp_path):
    lines = ["a: &a [1,1,1,1,1,1,1,1,1,1]"]
    for prev, name in zip("abcdefg", "bcdefgh"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = _problem(tmp_path, "\n".join(lines + ["x: *h", "w: [[1]]"]) + "\n")
    _fails(cnncalc("conv", path), path, "aliases are expanded")


def test_max_elements_option_lowers_the_cap():
    _fails(cnncalc("conv", *GOOD, "--max-elements", "4"), "at most 4")


def test_symbolic_tensor_needs_values():
    _fails(cnncalc("conv", "-x", "3x3", "-w", "1"), "x:", "symbolic")


def test_fill_without_shape_where_nothing_fixes_it():
    _fails(cnncalc("conv", "-x", "{fill: 1}", "-w", "1"), "x:", "shape")


def test_missing_tensor():
    _fails(cnncalc("conv", "-w", "1"), "x:", "nothing")


@pytest.mark.parametrize("option, value, needles", [
    ("--stride", "0", ("stride", "at least 1")),
    ("--padding", "-1", ("padding", "at least 0")),
    ("--padding", "sme", ("padding", "did you mean 'same'")),
    ("--dilation", "0", ("dilation", "at least 1")),
    ("--groups", "0", ("groups", "at least 1")),
    ("--groups", "2", ("groups", "divisor")),
    ("--mode", "convolutoin", ("mode", "did you mean 'convolution'")),
    ("--dy", "1 2 3", ("dy", "shape of y")),
    ("--anchor", "5,0", ("anchor", "kernel cell")),
    ("--format", "xml", ("--format", "table, json, yaml")),
])
def test_option_ranges(option, value, needles):
    _fails(cnncalc("conv", *GOOD, option, value), *needles)


def test_channel_mismatch():
    run = cnncalc("conv", "-x", "[[[1,2],[3,4]],[[1,2],[3,4]]]", "-w", "[[[1]],[[1]],[[1]]]")
    _fails(run, "w:", "2 input channel", "found 3")


def test_kernel_larger_than_padded_input():
    _fails(cnncalc("conv", "-x", "1 2; 3 4", "-w", "1 2 3; 4 5 6; 7 8 9"), "w:", "fits the padded input")


def test_error_in_file_field_names_its_line(tmp_path):
    path = _problem(tmp_path, "x: [[1, 2], [3, 4]]\nw: [[1]]\nstride: 0\n")
    _fails(cnncalc("conv", path), f"{path}:3:", "stride")


def test_unknown_option_is_one_line():
    run = cnncalc("conv", *GOOD, "--bogus", "1")
    _fails(run, "--bogus")
    assert len(run.err.strip().splitlines()) == 1


def test_unknown_display_name():
    _fails(cnncalc("conv", *GOOD, "--names", "q=Q"), "names", "'q'")


def test_stdin_problem_errors_name_stdin():
    _fails(cnncalc("conv", "-", stdin="x: [1\n"), "<stdin>:")


def test_debug_shows_the_traceback():
    run = cnncalc("conv", *GOOD, "--stride", "0", "--debug")
    assert run.code == 2
    assert "Traceback" in run.err
