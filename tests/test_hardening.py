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
    assert run.code == 2 and "','" in run.err or "the end of the row" in run.err
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


# Class 2: output bounded from planned shapes; JSON streamed; big tensors summarised in tables.

STREAM_CASES = [
    ("conv", "-x", "{random: {shape: [2, 3, 5, 4], integers: true}}", "-w", "{fill: 0.5, shape: [2, 3, 2, 2]}",
     "--dy", "{fill: 1}", "--explain"),
    ("pool", "--kind", "max", "-x", "{random: {shape: [7, 9]}}", "--kernel-size", "2", "--dy", "{fill: 1}"),
    ("softmax", "-z", "[[0, 10000, -10000], [1, 2, 3]]", "-t", "2 0", "--jacobian"),
    ("loss", "-y", "1e200 1", "-t", "0 0"),
    ("act", "--kind", "tanh", "-x", "{random: {shape: [2, 3, 50]}}", "--dy", "{fill: 1}"),
    ("examples", "seed001_homework11", "--run"),
]


@pytest.mark.parametrize("args", STREAM_CASES)
def test_streamed_json_is_byte_identical_to_the_one_shot_form(monkeypatch, args):
    from cnncalc.cli import jsonstream

    whole = cnncalc(*args, "--json")
    monkeypatch.setattr(jsonstream, "STREAM_FROM", -1)
    monkeypatch.setattr(jsonstream, "BLOCK", 3)  # blocks of rows, and rows split further
    streamed = cnncalc(*args, "--json")
    assert whole.code == streamed.code == 0 and streamed.out == whole.out


MEASURE_PEAK = """
import resource, sys
from cnncalc.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
"""


def test_big_json_streams_within_a_bounded_memory():
    """1500×1500 relu with dy: 4 tensors of 18 MB. The one-shot JSON peaks near 450 MB; streamed, the
    process stays under 250 MB (the issue's 3000×3000 case ends in MemoryError on a small machine)."""
    import subprocess
    import sys

    args = ["act", "--kind", "relu", "-x", "{fill: 1, shape: [1500, 1500]}", "--dy", "{fill: 1}", "--json"]
    done = subprocess.run([sys.executable, "-c", MEASURE_PEAK, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    code, peak_mib = map(int, done.stderr.split())
    assert code in (0, None) and peak_mib < 250, peak_mib


def test_a_pipeline_past_the_total_cap_is_refused_at_the_layer_that_crosses_it(tmp_path):
    layers = "".join(" - {type: fc, weight: {fill: 0.001, shape: [300, 300]}}\n" for _ in range(12))
    problem = tmp_path / "net.yaml"
    problem.write_text(f"input: {{fill: 1, shape: [300]}}\nlayers:\n{layers}loss: mse\ntarget: {{fill: 0}}\n")
    run = cnncalc("pipeline", str(problem), "--max-elements", "100000")
    assert run.code == 2 and "layers[11] (fc_12): expected at most 2,000,000 entries in all the tensors" in run.err
    assert cnncalc("pipeline", str(problem), "--max-elements", "200000", "--json").code == 0


@pytest.mark.parametrize("source", ["/dev/zero", "binary"])
def test_a_binary_problem_file_is_refused_at_once(tmp_path, source):
    if source == "binary":
        source = tmp_path / "blob.yaml"
        source.write_bytes(b"x: [1, 2]\n\0\0\0")
    run = cnncalc("pipeline", str(source), "--max-elements", "100000000000")
    assert run.code == 2 and "a NUL byte (binary data)" in run.err


def test_a_tensor_past_free_memory_is_refused_whatever_the_cap():
    run = cnncalc("act", "--kind", "relu", "-x", "{fill: 1, shape: [1000000, 1000000]}", "--max-elements", str(10**13))
    assert run.code == 2 and "the free memory" in run.err and "holds no more" in run.err


def test_a_huge_tensor_is_summarised_in_a_table_and_says_how_to_get_it_all():
    import time

    started = time.perf_counter()
    run = cnncalc("act", "--kind", "relu", "-x", "{random: {shape: [1000, 1000], integers: true}}", "--dy", "{fill: 2}")
    assert time.perf_counter() - started < 5
    assert run.code == 0 and len(run.out.splitlines()) < 40
    assert "1,000,000 entries, too many for a table: min -5, max 5, mean" in run.out
    assert "dL/dy  (1000×1000)\n  1,000,000 entries, too many for a table: min 2, max 2, mean 2\n" in run.out
    assert "every entry is in --json (or --format yaml)" in run.out


def test_a_pipeline_summary_suggests_only(tmp_path):
    problem = tmp_path / "net.yaml"
    problem.write_text("input: {fill: 1, shape: [200]}\nlayers:\n - {type: fc, weight: {fill: 0.5, shape: [100, 200]}}\n"
                       "loss: mse\ntarget: {fill: 0}\n")
    run = cnncalc("pipeline", str(problem))
    assert run.code == 0 and "--only fc_1.weight" in run.out and "20,000 entries, too many" in run.out


def test_a_tensor_at_the_table_limit_is_printed_whole():
    from cnncalc.render.view import TABLE_ENTRIES

    run = cnncalc("act", "--kind", "relu", "-x", f"{{fill: 3, shape: [{TABLE_ENTRIES}]}}")
    assert run.code == 0 and "too many for a table" not in run.out


# Many files in one process.

def _conv_files(folder, count: int = 3):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(count):
        path = folder / f"p{k}.yaml"
        path.write_text(f"command: conv\nx: [[1, {k}], [3, 4]]\nw: [[1, -1]]\nb: {k}\n")
        paths.append(str(path))
    return paths


def test_several_files_give_json_lines_each_naming_its_file(tmp_path):
    paths = _conv_files(tmp_path / "set")
    run = cnncalc("conv", *paths, "--json")
    lines = run.out.splitlines()
    assert run.code == 0 and len(lines) == 3
    for path, line in zip(paths, lines):
        document = json.loads(line)
        assert list(document)[0] == "file" and document.pop("file") == path
        assert document == cnncalc("conv", path, "--json").json()  # each as if run alone


def test_several_files_give_one_table_section_each_under_a_heading(tmp_path):
    paths = _conv_files(tmp_path / "set", 2)
    run = cnncalc("conv", *paths)
    alone = [cnncalc("conv", path).out for path in paths]
    assert run.code == 0 and run.out == f"=== {paths[0]} ===\n{alone[0]}\n=== {paths[1]} ===\n{alone[1]}"


def test_a_folder_is_searched_recursively_for_yaml_in_sorted_order(tmp_path):
    _conv_files(tmp_path / "b", 2)
    _conv_files(tmp_path / "a" / "deep", 1)
    (tmp_path / "a" / "notes.txt").write_text("not a problem")
    (tmp_path / "c.yml").write_text("x: [[1]]\nw: [[2]]\n")
    run = cnncalc("conv", str(tmp_path), "--json")
    files = [json.loads(line)["file"] for line in run.out.splitlines()]
    assert run.code == 0 and files == [str(tmp_path / "a/deep/p0.yaml"), str(tmp_path / "b/p0.yaml"),
                                       str(tmp_path / "b/p1.yaml"), str(tmp_path / "c.yml")]


def test_a_bad_file_gets_its_one_line_and_the_others_still_run(tmp_path):
    paths = _conv_files(tmp_path / "set", 3)
    (tmp_path / "set" / "p1.yaml").write_text("x: [[1, 2], [3, 4]]\nw: [[1, oops]]\n")
    run = cnncalc("conv", *paths, str(tmp_path / "missing.yaml"), "--json")
    assert run.code == 2
    assert [json.loads(line)["file"] for line in run.out.splitlines()] == [paths[0], paths[2]]
    errors = run.err.splitlines()
    assert len(errors) == 2 and paths[1] in errors[0] and "missing.yaml" in errors[1]
    assert all(line.startswith("cnncalc: error: ") for line in errors)


def test_options_apply_to_every_file_and_yaml_separates_documents(tmp_path):
    paths = _conv_files(tmp_path / "set", 2)
    run = cnncalc("conv", *paths, "-b", "10", "--format", "yaml")
    assert run.code == 0 and run.out.startswith(f"--- # {paths[0]}\n") and f"\n--- # {paths[1]}\n" in run.out
    import yaml

    documents = list(yaml.safe_load_all(run.out))
    assert len(documents) == 2 and all(d["inputs"]["b"]["data"] == 10 for d in documents)


def test_one_file_prints_exactly_as_before(tmp_path):
    path = _conv_files(tmp_path / "set", 1)[0]
    run, piped = cnncalc("conv", path, "--json"), cnncalc("conv", "-", "--json", stdin=open(path).read())
    assert run.out == piped.out and not run.out.startswith('{"file"')
    assert not cnncalc("conv", path).out.startswith("===")


def test_an_empty_folder_is_refused(tmp_path):
    run = cnncalc("pipeline", str(tmp_path))
    assert run.code == 2 and "no .yaml file" in run.err and str(tmp_path) in run.err


def test_warnings_of_several_files_name_their_file(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("y: [1e200, 1]\ntarget: [0, 0]\n")
    second.write_text("y: [1, 1]\ntarget: [0, 0]\n")
    run = cnncalc("loss", str(first), str(second))
    assert run.code == 0 and run.err.startswith(f"warning: {first}: L: 1 of 1 entry is not finite")


@pytest.mark.parametrize("only, found", [("{a: b}", "only: expected names of tensors"),
                                         ("[L, {a: 1}]", "only[2]: expected names of tensors"),
                                         ("1", "only: expected a name of this problem")])
def test_pipeline_only_takes_names_alone(tmp_path, only, found):  # found by tests/test_fuzz.py
    run = _pipeline(tmp_path, " - relu\n", f"loss: mse\ntarget: 0\nonly: {only}\n")
    assert run.code == 2 and found in run.err


def test_file_names_with_control_characters_are_escaped_in_headings_json_and_errors(tmp_path):
    good, bad = tmp_path / "a\x1b[31m\u2028.yaml", tmp_path / "b\x07.yaml"
    good.write_text("x: [[1, 2]]\nw: [[1]]\n")
    bad.write_text("x: [[1, oops]]\nw: [[1]]\n")
    for flags in ((), ("--json",)):
        run = cnncalc("conv", str(good), str(bad), *flags)
        assert run.code == 2 and _printable_lines(run.out) and _printable_lines(run.err)
        assert "b\\x07.yaml" in run.err
        if flags:
            assert json.loads(run.out)["file"] == str(good)  # JSON escapes it, and reads back exactly
        else:
            assert "\\x1b[31m\\u2028.yaml ===" in run.out
