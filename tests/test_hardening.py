"""Engine hardening: contradictions refused, misleading words mended (issue 8, classes 4 and 5)."""

import json

import pytest

from cli_helpers import cnncalc


def _pipeline(tmp_path, layers: str, extra: str = "loss: mse\ntarget: [0, 0]\n"):
    problem = tmp_path / "net.yaml"
    problem.write_text(f"input: [1, 2]\nlayers:\n{layers}{extra}")
    return cnncalc("pipeline", str(problem))


@pytest.mark.parametrize("layers, found", [
    (" - {type: fc, weight: [[1, 0], [0, 1]], name: a}\n - {type: relu, name: a.weight}\n", "'a.weight' again"),
    (" - {type: fc, weight: [[1, 0], [0, 1]], bias: 0, name: a}\n - {type: relu, name: a.bias}\n", "'a.bias' again"),
    (" - {type: relu, name: a.weight}\n - {type: fc, weight: [[1, 0], [0, 1]], name: a}\n", "'a.weight' again"),
    (" - {type: relu, name: r}\n - {type: tanh, name: r}\n", "'r' again"),
])
def test_every_intermediate_and_parameter_has_its_own_name(tmp_path, layers, found):
    run = _pipeline(tmp_path, layers)
    assert run.code == 2 and found in run.err


@pytest.mark.parametrize("name, what", [("L", "the loss"), ("input", "the network's input"),
                                        ("target", "the loss's target")])
def test_reserved_names_are_named_as_reserved(tmp_path, name, what):
    run = _pipeline(tmp_path, f" - {{type: relu, name: {name}}}\n")
    assert run.code == 2 and f"a name other than {name} ({what})" in run.err


@pytest.mark.parametrize("layer, field", [
    ("{type: fc, weight: [[1, 0]], out: 2}", "out: expected 1, the outputs of the weight"),
    ("{type: fc, weight: [[1, 0], [0, 1]], out: 3}", "out: expected 2, the outputs of the weight"),
])
def test_a_pipeline_fc_refuses_out_that_contradicts_its_weight(tmp_path, layer, field):
    run = _pipeline(tmp_path, f" - {layer}\n", "loss: mse\ntarget: 0\n")
    assert run.code == 2 and field in run.err


@pytest.mark.parametrize("options, field", [
    ("out_channels: 2", "out_channels: expected 1, the filters of the weight"),
    ("kernel_size: 3", "kernel_size: expected [2, 2], the kernel size of the weight"),
    ("kernel_size: [2, 1]", "kernel_size: expected [2, 2]"),
])
def test_a_pipeline_conv_refuses_sizes_that_contradict_its_weight(tmp_path, options, field):
    problem = tmp_path / "net.yaml"
    problem.write_text(f"input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nlayers:\n"
                       f" - {{type: conv, weight: [[1, 0], [0, 1]], {options}}}\nloss: mse\ntarget: 0\n")
    run = cnncalc("pipeline", str(problem))
    assert run.code == 2 and field in run.err


def test_a_dimension_count_is_said_as_one():
    run = cnncalc("pool", "-x", "1 2 3 4", "--kernel-size", "1")
    assert run.code == 2 and "found 1 dimension (shape 4)" in run.err


@pytest.mark.parametrize("given", ["[5,5]", "[5, 5]", "5x5"])
def test_shape_takes_the_form_its_message_offers(given):
    run = cnncalc("shape", "--input", given, "--kernel", "3x3", "--json")
    assert run.code == 0 and run.json()["parameters"]["output"] == [3, 3]


def test_examples_json_prints_the_problem_as_json():
    run = cnncalc("examples", "seed002_conv_bias", "--json")
    assert run.code == 0
    problem = json.loads(run.out)
    assert problem["command"] == "conv" and problem["x"] == [[1, 0, 2], [3, 1, 0], [0, 2, 1]]


# Class 3: error text never echoes raw input at length, never a control character.

RAW_CONTROLS = [chr(c) for c in range(32) if c != 10] + ["\x7f", "\x9b", "\u2028", "\u2029", "\u202e"]


def _printable_lines(text: str) -> bool:
    return not any(char in text for char in RAW_CONTROLS)


@pytest.mark.parametrize("bad", ["\x1b[31m", "\x07", "a\rb", "x\u2028y", "\u202eevil", "\x9b2J"])
def test_a_control_character_in_a_literal_is_shown_escaped(bad):
    run = cnncalc("act", "--kind", "relu", "-x", f"1 2 {bad} 3")
    assert run.code == 2 and _printable_lines(run.err)
    assert len(run.err.splitlines()) == 3  # the message, the quoted window, the caret


@pytest.mark.parametrize("args", [
    ("act", "--kind", "relu", "-x", "1 " * 50_000 + "oops" + " 2" * 50_000),
    ("act", "--kind", "relu", "-x", "[" + "1, " * 50_000 + "oops]"),
    ("fc", "-x", "1 2", "-w", "x" * 100_000),
    ("conv", "-x", "1 2; 3 4", "-w", "1", "--padding", "\x1b" * 10_000),
])
def test_a_long_bad_literal_is_quoted_in_a_short_window(args):
    run = cnncalc(*args)
    assert run.code == 2 and _printable_lines(run.err)
    assert all(len(line) < 400 for line in run.err.splitlines()), run.err[:500]


def test_the_caret_stays_under_the_bad_token_in_its_window():
    run = cnncalc("act", "--kind", "relu", "-x", "1 " * 1000 + "\x1bbad" + " 2" * 1000)
    message, quoted, caret = run.err.splitlines()
    start = caret.index("^")
    assert quoted[start:start + len(caret.strip())] == "\\x1bbad"


@pytest.mark.parametrize("file_names, found", [
    ("{x: \"I\\e[31m\"}", "a control character"), ("{x: \"a\\u2028b\"}", "a control character"),
    ("{x: {a: b}}", "found a mapping"), ("{x: [1, 2]}", "found a list"), ("{x: ''}", "a display name"),
    ("{x: \"" + "n" * 100 + "\"}", "a name of at most 64 characters"),
])
def test_display_names_are_short_printable_words(tmp_path, file_names, found):
    problem = tmp_path / "p.yaml"
    problem.write_text(f"x: [1, -2]\nnames: {file_names}\n")
    run = cnncalc("act", "--kind", "relu", str(problem))
    assert run.code == 2 and found in run.err and _printable_lines(run.err) and run.out == ""


@pytest.mark.parametrize("names", ["x=\x1b[2J", "x=a\rb", "y=a\u2029b"])
def test_names_on_the_command_line_refuse_control_characters(names):
    run = cnncalc("act", "--kind", "relu", "-x", "1 -2", "--names", names)
    assert run.code == 2 and "a control character" in run.err and _printable_lines(run.err)


@pytest.mark.parametrize("name, found", [("{a: b}", "found a mapping"), ("\"r\\e]0;pwned\\a\"", "a control character"),
                                         ("[1]", "found a list")])
def test_pipeline_layer_names_are_short_printable_words(tmp_path, name, found):
    run = _pipeline(tmp_path, f" - {{type: relu, name: {name}}}\n")
    assert run.code == 2 and "layers[0].name" in run.err and found in run.err and _printable_lines(run.err)


def test_a_numeric_display_name_is_kept():
    run = cnncalc("act", "--kind", "relu", "-x", "1 -2", "--names", "x=7", "--json")
    assert run.code == 0 and run.json()["names"] == {"x": "7"}


# Class 4: contradictions refused.

@pytest.mark.parametrize("literal, at", [("1,,2", 2), (",1 2", 0), ("1 2,", 3), ("1, ,2", 3), ("1 2; 3,,4", 7)])
def test_an_empty_place_between_commas_is_refused_with_a_caret(literal, at):
    run = cnncalc("act", "--kind", "relu", "-x", literal)
    assert run.code == 2 and ("','" in run.err or "the end of the row" in run.err)
    quoted, caret = run.err.splitlines()[1:3]
    assert quoted.strip() == literal and caret.index("^") - 2 == at


@pytest.mark.parametrize("literal, data", [("1, 2, 3", [1, 2, 3]), ("1 ,2", [1, 2]), ("1,2;3,4", [[1, 2], [3, 4]])])
def test_single_commas_still_separate_numbers(literal, data):
    run = cnncalc("act", "--kind", "relu", "-x", literal, "--json")
    assert run.code == 0 and run.json()["inputs"]["x"]["data"] == data


@pytest.mark.parametrize("document, tag", [
    ("x: !!python/object/apply:os.system [echo hi]", "!!python/object/apply:os.system"),
    ("x: !!python/object/apply:os.system [1, 2]", "!!python/object/apply:os.system"),
    ("x: !!python/object/new:dict {a: 1}", "!!python/object/new:dict"),
    ("x: [!!python/tuple [1, 2]]", "!!python/tuple"),
    ("x: !!set {1, 2}", "!!set"), ("x: !custom [1, 2]", "!custom"),
    ("!!python/object:foo {x: [1, 2]}", "!!python/object:foo"),
    ("x: !!python/name:os.system 1", "!!python/name:os.system"),
])
def test_a_yaml_tag_on_a_list_or_mapping_is_refused_naming_it(document, tag):
    run = cnncalc("act", "--kind", "relu", "-", stdin=document + "\n")
    assert run.code == 2 and f"the tag {tag}" in run.err and run.out == ""


def test_the_plain_tags_are_still_read():
    run = cnncalc("act", "--kind", "relu", "-", "--json", stdin="x: !!seq [1, !!int 2]\n")
    assert run.code == 0 and run.json()["inputs"]["x"]["data"] == [1, 2]


# Class 5: crashes and misleading words.

@pytest.mark.parametrize("literal", ["1/1e-400", "1/-1e-330", "[1, 2/1e-999]"])
def test_a_denominator_below_the_float_range_is_said_so(literal):
    run = cnncalc("act", "--kind", "relu", "-x", literal)
    assert run.code == 2 and "the denominator rounds to 0" in run.err and "non-zero denominator" not in run.err


def test_a_zero_denominator_is_still_a_zero_denominator():
    run = cnncalc("act", "--kind", "relu", "-x", "1/0.0e5")
    assert run.code == 2 and "non-zero denominator" in run.err


def test_shape_never_suggests_an_option_it_does_not_take(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"] + [
        f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 10)}]" for k in range(1, 10)]
    bomb.write_text("\n".join(lines) + "\ninput: 5x5\nkernel: 3x3\n")
    for args in (("shape", str(bomb)), ("shape", "--input", "[5000000000,5000000000]", "--kernel", "1x1")):
        run = cnncalc(*args)
        assert run.code == 2 and "--max-elements" not in run.err and "shape reads shapes alone" in run.err


def _shell(command: str):
    import subprocess
    import sys

    cli = f"{sys.executable} -m cnncalc"
    return subprocess.run(["bash", "-c", command.replace("cnncalc", cli)], capture_output=True, text=True)


@pytest.mark.parametrize("fmt", ["", "--json"])
def test_stdin_closed_is_one_line(fmt):
    run = _shell(f"cnncalc pipeline - {fmt} <&-")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "standard input closed" in run.stderr


@pytest.mark.parametrize("fmt", ["", "--json"])
def test_a_full_disk_is_exit_2_with_one_line(fmt):
    run = _shell(f"cnncalc act --kind relu -x '1 2' {fmt} >/dev/full")
    assert run.returncode == 2 and run.stderr == ("cnncalc: error: standard output: could not write the result "
                                                  "(No space left on device)\n")


@pytest.mark.parametrize("fmt", ["", "--json"])
def test_a_closed_stdout_is_exit_2_with_one_line(fmt):
    run = _shell(f"cnncalc act --kind relu -x '1 2' {fmt} >&-")
    assert run.returncode == 2 and run.stderr == "cnncalc: error: standard output is closed: nowhere to write the result\n"


@pytest.mark.parametrize("fmt", ["", "--json"])
def test_a_reader_that_goes_away_ends_the_run_quietly_with_0(fmt):
    run = _shell(f"set -o pipefail; cnncalc act --kind relu -x '{{fill: 1, shape: [300, 300]}}' {fmt} | head -c 10")
    assert run.returncode == 0 and run.stderr == "" and len(run.stdout) == 10


# Class 1: any inf or NaN in an output, from finite inputs, is named in a warning.

def nonfinite_tensors(document: dict) -> dict[str, int]:
    """Canonical name → count of the entries JSON writes as "inf", "-inf" or "nan"."""
    def count(data) -> int:
        if isinstance(data, list):
            return sum(count(item) for item in data)
        return int(data in ("inf", "-inf", "nan"))

    return {name: count(tensor["data"]) for section in ("forward", "backward", "extras")
            for name, tensor in document.get(section, {}).items() if count(tensor["data"])}


NONFINITE_CASES = [
    (("loss", "-y", "1e200 1", "-t", "0 0"), {"L": "overflow"}),
    (("loss", "-y", "1e155 1e155 1e155", "-t", "0 0 0", "--reduction", "mean"), {"L": "overflow"}),
    (("softmax", "-z", "0 10000 -10000", "-t", "2"), {"dp": "division by 0 or the log of 0"}),
    (("softmax", "-z", "[[0, 800], [1, 2]]", "-t", "0 1", "--jacobian"), {"dp": "division by 0"}),
    (("fc", "-x", "1e300 1e300", "-w", "[[1e10, 1e10]]"), {"y": "overflow"}),
    (("conv", "-x", "1e300 1e300; 1 1", "-w", "1e10 -1e10", "--dy", "{fill: 1}"), {"y": "0·inf or inf − inf"}),
    (("act", "--kind", "leaky_relu", "--slope", "1e300", "-x", "-1e300 1", "--dy", "1 1"), {"y": "overflow"}),
]


@pytest.mark.parametrize("args, expected", NONFINITE_CASES)
def test_every_nonfinite_output_is_named_with_its_cause(args, expected):
    run = cnncalc(*args, "--json")
    assert run.code == 0, run.err
    document = run.json()
    counted = nonfinite_tensors(document)
    assert set(expected) <= set(counted)
    for name, count in counted.items():
        shown = {"dp": "dL/dp", "dx": "dL/dx", "dw": "dL/dw", "dz": "dL/dz", "dy": "dL/dy"}.get(name, name)
        said = [w for w in document["warnings"] if w.startswith(f"{shown}: {count:,} of ")]
        assert said, (name, document["warnings"])
        assert expected.get(name, "") in said[0]
        assert f"warning: {said[0]}" in run.err
    assert "RuntimeWarning" not in run.err


def test_the_table_shows_the_warning_too():
    run = cnncalc("loss", "-y", "1e200 1", "-t", "0 0")
    assert run.code == 0 and "  warning: L: 1 of 1 entry is not finite (1 inf); likely cause: overflow" in run.out


def test_a_pipeline_whose_fc_overflows_names_every_tensor(tmp_path):
    problem = tmp_path / "net.yaml"
    problem.write_text("input: [1e200, 1e200]\nlayers:\n - {type: fc, weight: [[1e200, 1e200], [1, 1]]}\n"
                       " - softmax\nloss: cross_entropy\ntarget: 0\n")
    run = cnncalc("pipeline", str(problem), "--json")
    document = run.json()
    counted = nonfinite_tensors(document)
    assert {"fc_1", "p", "L", "dL/dfc_1.weight"} <= set(counted)
    named = {w.split(":")[0] for w in document["warnings"]}
    assert set(counted) <= named and "RuntimeWarning" not in run.err


def test_numpy_runtime_warnings_never_reach_the_user(recwarn):
    run = cnncalc("fc", "-x", "1e300 1e300", "-w", "[[1e10, 1e10], [1e300, -1e300]]", "--dy", "1 1")
    assert run.code == 0 and "RuntimeWarning" not in run.err
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_finite_results_have_no_such_warning():
    run = cnncalc("softmax", "-z", "0 1000 -1000", "-t", "1", "--json")
    assert run.code == 0 and run.json()["warnings"] == [] and run.err == ""


@pytest.mark.parametrize("args", [
    ("pool", "--kind", "max", "-x", "1 2; 3 4", "--kernel-size", "2", "--dilation", "3", "--padding", "1"),
    ("pool", "--kind", "max", "-x", "[[1, 2, 3, 4, 5]]", "--kernel-size", "1,2", "--dilation", "1,6",
     "--padding", "0,1", "--stride", "1,3"),
])
def test_a_max_pool_window_wholly_in_the_padding_is_refused(args):
    run = cnncalc(*args)
    assert run.code == 2 and "windows that each cover at least one input cell" in run.err


def test_a_pipeline_max_pool_window_wholly_in_the_padding_is_refused(tmp_path):
    problem = tmp_path / "net.yaml"
    problem.write_text("input: [[1, 2], [3, 4]]\nlayers:\n - {type: maxpool, kernel_size: 2, dilation: 3, "
                       "padding: 1}\nloss: mse\ntarget: 0\n")
    run = cnncalc("pipeline", str(problem))
    assert run.code == 2 and "layers[0] (pool_1).dilation" in run.err


def test_a_dilated_max_pool_whose_windows_meet_the_input_still_runs():
    run = cnncalc("pool", "--kind", "max", "-x", "1 2 3; 3 4 5; 1 1 1", "--kernel-size", "2", "--dilation", "2",
                  "--padding", "1", "--stride", "1", "--json")
    assert run.code == 0 and not nonfinite_tensors(run.json())
    # window (i, j) reads rows {i-1, i+1} × cols {j-1, j+1} (by hand; tests/reference_layers.max_pool agrees)
    assert run.json()["forward"]["y"]["data"] == [[4, 5, 4], [2, 3, 2], [4, 5, 4]]


@pytest.mark.parametrize("only, found", [("{a: b}", "only: expected names of tensors"),
                                         ("[L, {a: 1}]", "only[2]: expected names of tensors"),
                                         ("1", "only: expected a name of this problem")])
def test_pipeline_only_takes_names_alone(tmp_path, only, found):  # found by tests/test_fuzz.py
    run = _pipeline(tmp_path, " - relu\n", f"loss: mse\ntarget: 0\nonly: {only}\n")
    assert run.code == 2 and found in run.err


@pytest.mark.parametrize("args, y", [
    (("conv", "-x", "1 2 3; 4 5 6; 7 8 9", "-w", "1 0; 0 1", "-b", "{fill: 0.5}"), [[6.5, 8.5], [12.5, 14.5]]),
    (("fc", "-x", "1 2", "-w", "1 2; 3 4", "-b", "{fill: 1}"), [6.0, 12.0]),
])
def test_a_bias_fill_takes_one_entry_per_output(args, y):
    run = cnncalc(*args, "--json")
    assert run.code == 0, run.err
    assert run.json()["forward"]["y"]["data"] == y


def test_shape_takes_a_window_size_as_a_kernel_over_every_channel():
    run = cnncalc("shape", "--input", "3x32x32", "--kernel", "3x3", "--json")
    assert run.code == 0 and run.json()["parameters"]["output"] == [1, 30, 30]  # one filter; the channel axis as x has one
