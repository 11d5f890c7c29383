"""Hostile or odd input files and literals: exit code 2 and one clear line, never a crash."""

import io
import os
import sys

import pytest

from cli_helpers import cnncalc

W = ("-w", "1 0; 0 1")


def _problem(tmp_path, text: str | bytes) -> str:
    path = tmp_path / "problem.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def _fails(run, *needles: str) -> str:
    assert run.code == 2, (run.code, run.out, run.err[:500])
    assert "Traceback" not in run.err
    first = run.err.splitlines()[0]
    for needle in needles:
        assert needle in first, (needle, first[:500])
    return first


@pytest.fixture
def binary_stdin(monkeypatch):
    """Standard input as a real byte stream, as a pipe gives it."""
    def feed(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return feed


# 1. Nesting deep enough to crash libyaml's composer.

@pytest.mark.parametrize("text", [
    "x: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "x: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n",
    "x:\n  " + "- " * 50_000 + "1\n",
])
def test_deep_nesting_is_refused_not_a_segfault(tmp_path, text):
    path = _problem(tmp_path, text)
    _fails(cnncalc("conv", path), f"{path}:", "document", "at most 64 levels")


def test_deep_nesting_names_the_line(tmp_path):
    path = _problem(tmp_path, "w: [[1]]\nx: " + "[" * 100 + "]" * 100 + "\n")
    _fails(cnncalc("conv", path), f"{path}:2:", "document", "64 levels")


@pytest.mark.parametrize("hide", [
    lambda n: '"' + "]" * n + '", ',   # closers inside quoted strings
    lambda n: "# " + "]" * n + "\n  ",  # closers inside comments
])
def test_closers_in_strings_or_comments_do_not_hide_depth(tmp_path, hide):
    levels = "".join("[" * 50 + hide(50) for _ in range(40))
    path = _problem(tmp_path, "w: [[1]]\nx: " + levels + "1" + "]" * 2000 + "\n")
    _fails(cnncalc("conv", path), f"{path}:", "document", "64 levels")


def test_brackets_in_comments_and_strings_are_fine_when_shallow(tmp_path):
    rows = ", ".join(["[1, 2]"] * 600)
    path = _problem(tmp_path, 'title: "[[[[ ]]]]"  # [[[[[[ ]]]]]]\n'
                              f"x: [{rows}]  # {']' * 80}\nw: [[1]]\n")
    run = cnncalc("conv", path, "--format", "json")
    assert run.code == 0, run.err


# 2. Deep inline literals.

def test_deep_inline_literal_is_refused_with_a_caret():
    run = cnncalc("conv", "-x", "[" * 5000 + "1" + "]" * 5000, *W)
    _fails(run, "x:", "64 levels of '['")
    literal, caret = run.err.splitlines()[1:3]
    assert caret.index("^") == 2 + 64  # under the 65th '[' (both lines are indented by two)


def test_inline_literal_at_the_depth_limit_parses():
    run = cnncalc("conv", "-x", "[" * 64 + "1" + "]" * 64, *W)
    assert "levels" not in run.err and "Traceback" not in run.err


# 3. Numbers past the float range.

@pytest.mark.parametrize("value", ["1" * 400, "1" * 5000, "1e400", "-1e400", "1/1e-320", "1 2; 3 " + "9" * 400,
                                   "[[1, 2], [3, " + "9" * 400 + "]]"])
def test_huge_numbers_in_literals(value):
    _fails(cnncalc("conv", "-x", value, *W), "x:", "float range")


@pytest.mark.parametrize("entry, needles", [
    ("9" * 400, ("x[2,2]", "float range")),
    ("9" * 5000, ("x[2,2]", "4300 digits")),
    ("1.0e+400", ("x[2,2]", "finite")),
    ("1e400", ("x[2,2]", "finite")),
])
def test_huge_numbers_in_yaml(tmp_path, entry, needles):
    path = _problem(tmp_path, f"x: [[1, 2], [3, {entry}]]\nw: [[1]]\n")
    _fails(cnncalc("conv", path), f"{path}:1:", *needles)


@pytest.mark.parametrize("fill", ["1e400", '"1e400"', "1.0e+400", "-.inf", ".nan", "9" * 400])
def test_huge_or_non_finite_fill_in_yaml(tmp_path, fill):
    path = _problem(tmp_path, f"x: {{fill: {fill}, shape: [2, 2]}}\nw: [[1]]\n")
    _fails(cnncalc("conv", path), f"{path}:1:", "x.fill", "finite")


def test_huge_fill_in_an_option():
    _fails(cnncalc("conv", "-x", "{fill: 1e400, shape: [2, 2]}", *W), "x.fill", "finite")


def test_over_long_integer_in_an_option_mapping():
    _fails(cnncalc("conv", "-x", "{fill: " + "9" * 5000 + ", shape: [2, 2]}", *W), "x:", "4300 digits")


def test_deep_option_mapping():
    _fails(cnncalc("conv", "-x", "{fill: " + "[" * 5000 + "}", *W), "x:", "nesting too deep")


# 4. Booleans where numbers belong.

def test_booleans_in_a_tensor_are_refused_by_path(tmp_path):
    path = _problem(tmp_path, "x: [[yes, 2], [3, no]]\nw: [[1]]\n")
    _fails(cnncalc("conv", path), f"{path}:1:", "x[1,1]: expected a number, found true", "booleans")


def test_boolean_deep_in_a_tensor(tmp_path):
    path = _problem(tmp_path, "x: [[1, 2], [3, off]]\nw: [[1]]\n")
    _fails(cnncalc("conv", path), "x[2,2]: expected a number, found false")


def test_boolean_target(tmp_path):
    path = _problem(tmp_path, "y: [1, 2]\ntarget: true\n")
    _fails(cnncalc("loss", path), f"{path}:2:", "target: expected a number, found true")


def test_boolean_fill(tmp_path):
    path = _problem(tmp_path, "x: {fill: on, shape: [2, 2]}\nw: [[1]]\n")
    _fails(cnncalc("conv", path), "x.fill: expected a number, found true")


def test_zeros_and_ones_are_still_numbers(tmp_path):
    path = _problem(tmp_path, "x: [[0, 1], [1, 0]]\nw: [[1]]\n")
    assert cnncalc("conv", path, "--format", "json").code == 0


# 5. Random bounds NumPy cannot draw from.

@pytest.mark.parametrize("spec, needles", [
    ("low: 0.5, high: 0.7, integers: true", ("x.random.high", "integer", "holds none")),
    ("low: -1e30, integers: true", ("x.random.low", "64-bit")),
    ("high: 1e30, integers: true", ("x.random.high", "64-bit")),
    ("low: -1e308, high: 1e308", ("x.random.high", "float range")),
    ("low: 1e400", ("x.random.low", "float range")),
])
def test_random_bounds(spec, needles):
    _fails(cnncalc("conv", "-x", f"{{random: {{shape: [2, 2], {spec}}}}}", *W), *needles)


def test_huge_seed_is_fine():
    run = cnncalc("conv", "-x", "{random: {shape: [2, 2], seed: " + "7" * 400 + "}}", *W, "--format", "json")
    assert run.code == 0, run.err


# 6. Text that is not UTF-8.

def test_non_utf8_stdin(binary_stdin):
    binary_stdin(b"w: [[1]]\nx: 1\xff\n")
    _fails(cnncalc("conv", "-"), "<stdin>:2:", "UTF-8", "0xff")


def test_non_utf8_file(tmp_path):
    path = _problem(tmp_path, b"x: [[1]]\nw: [[1\xfe]]\n")
    _fails(cnncalc("conv", path), f"{path}:2:", "UTF-8", "0xfe")


def test_utf8_stdin_bytes_are_read(binary_stdin):
    binary_stdin("title: \"x → y\"\nx: [[1, 2], [3, 4]]\nw: [[1]]\n".encode())
    assert cnncalc("conv", "-", "--format", "json").code == 0


# 7. Endless or huge input.

def test_huge_file_refused_with_a_hint(tmp_path):
    path = _problem(tmp_path, "w: [[1]]\nx: [[1]]\n" + "# padding\n" * 120_000)
    _fails(cnncalc("conv", path, "--max-elements", "1"), path, "bytes", "--max-elements")


def test_huge_stdin_refused(binary_stdin):
    binary_stdin(b"x: 1\n" + b" " * (2 << 20))
    _fails(cnncalc("conv", "-", "--max-elements", "1"), "<stdin>:", "bytes", "--max-elements")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused():
    _fails(cnncalc("conv", "/dev/zero", "--max-elements", "1"), "/dev/zero", "bytes", "--max-elements")


def test_directory_is_refused(tmp_path):
    _fails(cnncalc("conv", str(tmp_path)), str(tmp_path), "problem file")


# 8. --max-elements caps tensors; the document gets room for its scaffolding.

def test_max_elements_counts_tensor_entries_not_yaml_nodes(tmp_path):
    path = _problem(tmp_path, "x: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nw: [[1]]\nstride: 1\n")
    assert cnncalc("conv", path, "--max-elements", "9", "--format", "json").code == 0
    _fails(cnncalc("conv", path, "--max-elements", "8"), "x:", "at most 8 entries")


def test_alias_bomb_message_states_the_document_budget(tmp_path):
    lines = ["a: &a [1,1,1,1,1,1,1,1,1,1]"]
    for prev, name in zip("abcd", "bcde"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = _problem(tmp_path, "\n".join(lines + ["x: *e", "w: [[1]]"]) + "\n")
    _fails(cnncalc("conv", path, "--max-elements", "100"), "10,400 values once aliases are expanded",
           "4 × --max-elements + 10,000")


# 9. Flow lists read by json keep every refusal, with the entry's line.

@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_boolean_in_a_multi_line_flow_list_names_its_line(tmp_path, newline):
    path = _problem(tmp_path, newline.join(["w: [[1]]", "x: [[1, 2],", "    [3, 4],", "    [5, true]]", ""]))
    _fails(cnncalc("conv", path), f"{path}:4:", "x[3,2]: expected a number, found true", "booleans")


@pytest.mark.parametrize("entry", ["NaN", "Infinity", "-Infinity", ".nan", ".inf", "null"])
def test_non_finite_or_null_entries_in_a_flow_list(tmp_path, entry):
    path = _problem(tmp_path, f"w: [[1]]\nx: [[1, 2],\n    [3, {entry}]]\n")
    first = _fails(cnncalc("conv", path), f"{path}:3:", "x[2,2]")
    assert "Traceback" not in first


def test_deep_flow_list_json_could_read_is_still_refused(tmp_path):
    path = _problem(tmp_path, "w: [[1]]\nx: " + "[" * 65 + "1" + "]" * 65 + "\n")
    _fails(cnncalc("conv", path), f"{path}:2:", "document", "64 levels")


def test_alias_bomb_of_json_read_lists(tmp_path):
    """Counted before building: each alias of `a` stands for its 13 nodes, not the placeholder's 3."""
    lines = ["a: &a {v: [1,1,1,1,1,1,1,1,1,1]}"]
    for prev, name in zip("abc", "bcd"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = _problem(tmp_path, "\n".join(lines + ["x: [[1]]", "w: [[1]]"]) + "\n")
    _fails(cnncalc("conv", path, "--max-elements", "100"), "values once aliases are expanded")


def test_big_flow_list_past_the_cap_is_refused(tmp_path):
    rows = ", ".join(["[" + ", ".join(["0.5"] * 10) + "]"] * 10)
    path = _problem(tmp_path, f"w: [[1]]\nx: [{rows}]\n")
    _fails(cnncalc("conv", path, "--max-elements", "99"), "x:", "at most 99 entries")
