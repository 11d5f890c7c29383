"""--show-code torch: checked against PyTorch by tools/show_code_check.py (tests/goldens/show_code.json);
here the golden is read, and the code's mapping of each convention is checked in the text."""

import ast
import importlib.util
import io
import json
import math
import subprocess
import sys
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
import yaml

from cli_helpers import cnncalc

ROOT = Path(__file__).parent.parent
GOLDEN = json.loads((ROOT / "tests/goldens/show_code.json").read_text())
CHECKED = ("conv", "pool", "fc", "act", "softmax", "loss", "pipeline")
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml")
                  if yaml.safe_load(p.read_text())["command"] in CHECKED and not p.name.startswith("check_"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_pytorch_ran_the_printed_code_and_agreed(path):
    recorded = GOLDEN["examples"][path.stem]
    assert "error" not in recorded, recorded.get("error")
    answer = cnncalc(recorded["command"], str(path), "--json").json()
    names = set(answer["forward"]) | set(answer["backward"])
    assert set(recorded["differences"]) == names  # every tensor of the answer was printed and compared
    assert all(d is not None and d <= 1e-9 for d in recorded["differences"].values()), recorded


def test_the_golden_covers_the_conventions_pytorch_lacks():
    for name in ("maxpool_ties_split", "maxpool_ties_all", "conv_same_stride2_groups", "leaky_relu", "fc_in_out_batch"):
        recorded = GOLDEN["examples"][name]
        assert recorded["max_difference"] <= 1e-9 and None not in recorded["differences"].values(), name


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_code_is_python_with_the_inputs_inlined(path):
    command = yaml.safe_load(path.read_text())["command"]
    code = cnncalc(command, str(path), "--show-code", "torch").out
    ast.parse(code)
    assert "torch.tensor(" in code and "show(" in code and "open(" not in code


@pytest.mark.parametrize("example, words", [
    ("seed003_convolution", ["torch.flip(", "dims=[2, 3]"]),
    ("seed004_convolution_anchor", ["the anchor", "F.pad(", "(left, right, top, bottom)"]),
    ("seed004_fc_in_out", ["F.linear takes (out, in): w.T"]),
    ("seed004_mse", ["reduction='sum') / 2", "no ½"]),
    ("seed001_softmax_cross_entropy", ["F.cross_entropy(", "takes z", "-t / p"]),
    ("seed002_maxpool_overlapping", ["F.max_pool2d(", "ties: first"]),
])
def test_each_convention_is_mapped_and_said(example, words):
    path = ROOT / "examples" / f"{example}.yaml"
    code = cnncalc(yaml.safe_load(path.read_text())["command"], str(path), "--show-code", "torch").out
    for word in words:
        assert word in code, (example, word)


def test_tie_rules_pytorch_lacks_are_said_and_written_out():
    code = cnncalc("pool", "-x", "[[1, 3], [3, 0]]", "--kind", "max", "--kernel-size", "2", "--ties", "split",
                   "--dy", "[[1]]", "--show-code", "torch").out
    assert "has no 'split' rule" in code and "F.unfold(" in code


def test_an_unknown_language_is_one_error_line():
    run = cnncalc("conv", str(ROOT / "examples/seed002_conv_bias.yaml"), "--show-code", "tensorflow")
    assert run.code == 2 and run.err.count("\n") == 1 and "torch" in run.err


# --- --show-code numpy: the printed program is run here (it needs numpy only) and what it prints is
# compared with cnncalc's JSON answer, every tensor, shape and values.

def _load_tool_cases() -> dict:
    spec = importlib.util.spec_from_file_location("show_code_check", ROOT / "tools/show_code_check.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool.CASES


def _random(shape, seed, low=-3, high=3):
    return f"{{random: {{shape: {shape}, seed: {seed}, low: {low}, high: {high}, integers: true}}}}"


# Conventions beyond the examples and the tool's cases: every padding form, dilation, groups, both
# modes, each tie rule, ceil mode, both avg divisors, batches, flattening, every activation, every target
# form and reduction, forward-only runs.
NUMPY_CASES = {
    "conv_asymmetric_dilated_convolution_scalar_bias": (
        "conv", "-x", _random([2, 2, 6, 7], 1), "-w", _random([3, 2, 2, 2], 2), "--padding", "[[1, 0], [2, 1]]",
        "--stride", "[2, 1]", "--dilation", "2", "--mode", "convolution", "-b", "0.5",
        "--dy", _random([2, 3, 3, 8], 3)),
    "conv_full_depthwise": ("conv", "-x", _random([2, 5, 5], 4), "-w", _random([4, 1, 2, 2], 5), "--padding", "full",
                            "--dilation", "[1, 2]", "--groups", "2", "-b", "[1, 2, 3, 4]", "--dy", "{fill: 1}"),
    "conv_anchor_correlation": ("conv", "-x", _random([4, 5], 6), "-w", _random([3, 3], 7), "--anchor", "[2, 1]",
                                "-b", "1", "--dy", _random([4, 5], 8)),
    "conv_same_stride3_convolution": ("conv", "-x", _random([1, 7, 8], 9), "-w", _random([2, 1, 3, 2], 10),
                                      "--padding", "same", "--stride", "3", "--dilation", "2", "--mode",
                                      "convolution", "--dy", _random([2, 3, 3], 11)),
    "conv_valid_forward_only": ("conv", "-x", _random([3, 4], 12), "-w", "[[1, -1]]", "--padding", "valid"),
    "maxpool_padding_dilation_ceil_first": (
        "pool", "-x", _random([2, 2, 7, 6], 13, -2, 2), "--kind", "max", "--kernel-size", "3", "--stride", "2",
        "--padding", "1", "--dilation", "2", "--ceil-mode", "true", "--dy", _random([2, 2, 3, 3], 14)),
    "maxpool_split_padding_ceil": ("pool", "-x", _random([5, 5], 15, 0, 2), "--kind", "max", "--kernel-size", "2",
                                   "--stride", "2", "--padding", "[1, 0]", "--ceil-mode", "true", "--ties", "split",
                                   "--dy", "{fill: 1}"),
    "maxpool_all_rectangular": ("pool", "-x", _random([2, 4, 7], 16, 0, 1), "--kind", "max", "--kernel-size",
                                "[2, 3]", "--stride", "[1, 2]", "--ties", "all", "--dy", "{fill: 1}"),
    "avgpool_include_pad_ceil": ("pool", "-x", _random([6, 5], 17), "--kind", "avg", "--kernel-size", "3",
                                 "--stride", "2", "--padding", "1", "--ceil-mode", "true", "--count-include-pad",
                                 "true", "--dy", _random([4, 3], 18)),
    "avgpool_exclude_pad_rectangular": ("pool", "-x", _random([2, 1, 4, 5], 19), "--kind", "avg", "--kernel-size",
                                        "[2, 3]", "--stride", "1", "--padding", "[1, 0]", "--count-include-pad",
                                        "false", "--dy", "{fill: 1}"),
    "pool_forward_only": ("pool", "-x", _random([4, 4], 20), "--kind", "max", "--kernel-size", "2"),
    "fc_out_in_batch": ("fc", "-x", _random([3, 4], 21), "-w", _random([2, 4], 22), "-b", "[1, -1]",
                        "--dy", _random([3, 2], 23)),
    "fc_flattens": ("fc", "-x", _random([2, 2, 3], 24), "-w", _random([2, 12], 25), "--dy", "[1, -1]"),
    "fc_in_out_forward_only": ("fc", "-x", "[1, 2]", "-w", "[[1, 0, 2], [0, 1, -1]]", "--weight-layout", "in-out"),
    "relu_batch_kinks": ("act", "-x", "[[-1, 0, 2], [3, -4, 0]]", "--kind", "relu", "--dy", "[[1, 2, 3], [4, 5, 6]]"),
    "leaky_relu_default_slope": ("act", "-x", "[-1, 0, 2]", "--kind", "leaky_relu", "--dy", "[1, 1, 1]"),
    "sigmoid": ("act", "-x", "[-3, 0, 0.5, 4]", "--kind", "sigmoid", "--dy", "[1, -1, 2, 0.5]"),
    "tanh": ("act", "-x", "[[-3, 0], [0.5, 4]]", "--kind", "tanh", "--dy", "[[1, -1], [2, 0.5]]"),
    "act_forward_only": ("act", "-x", "[-3, 0, 2]", "--kind", "tanh"),
    "softmax_class_index_mean": ("softmax", "-z", "[[1, 2, 3], [0, -1, 5]]", "--target", "[2, 0]",
                                 "--reduction", "mean"),
    "softmax_one_hot_sum": ("softmax", "-z", "[[1, 2, 3], [0, -1, 5]]", "--target", "[[0, 1, 0], [1, 0, 0]]",
                            "--reduction", "sum"),
    "softmax_soft_targets_mean": ("softmax", "-z", "[[1, 2, 3], [0, -1, 5]]", "--target",
                                  "[[0.2, 0.3, 0.5], [0.5, 0.5, 0]]", "--reduction", "mean"),
    "softmax_forward_only": ("softmax", "-z", "[1, 2, 3]"),
    "mse_sum": ("loss", "-y", "[0.8, 0.2, 0.6]", "-t", "[1, 0, 1]", "--reduction", "sum"),
    "mse_mean": ("loss", "-y", "[[0.8, 0.2], [0.6, 1.5]]", "-t", "[[1, 0], [1, 2]]", "--reduction", "mean"),
    "mse_half_sum": ("loss", "-y", "[[0.8, 0.2], [0.6, 1.5]]", "-t", "[[1, 0], [1, 2]]", "--reduction", "half_sum"),
}

# Pipelines (read from standard input): every layer type, both losses, both reductions, a batch,
# softmax fused with cross-entropy, cross-entropy on raw logits, softmax under MSE, fc on a map,
# and layers named like the program's own functions.
NUMPY_PIPELINES = {
    "pipeline_batch_groups_anchor_avgpool_softmax_mean": f"""
input: {_random([2, 2, 5, 6], 1)}
layers:
  - {{type: conv, weight: {_random([4, 1, 2, 3], 2, -2, 2)}, bias: [1, 0, -1, 0.5], groups: 2,
     mode: convolution, anchor: [1, 0]}}
  - {{type: leaky_relu, slope: 0.1}}
  - {{type: avgpool, kernel_size: 2, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false}}
  - {{type: fc, weight_layout: in-out, weight: {{random: {{shape: [48, 3], seed: 3}}}}, bias: [0.1, 0.2, 0.3]}}
  - softmax
loss: {{type: cross_entropy, reduction: mean}}
target: [2, 0]
""",
    "pipeline_same_dilated_sigmoid_maxpool_ties_tanh_mse_mean": f"""
input: {_random([1, 7, 7], 4, -2, 2)}
layers:
  - {{type: conv, weight: {_random([2, 1, 3, 3], 5, -1, 1)}, stride: 2, padding: same, dilation: 2}}
  - sigmoid
  - {{type: maxpool, kernel_size: 2, stride: 1, padding: 1, ties: split}}
  - {{type: maxpool, kernel_size: 2, stride: 2, ceil_mode: true, ties: all}}
  - flatten
  - {{type: fc, weight: {{random: {{shape: [2, 18], seed: 6}}}}}}
  - tanh
loss: {{type: mse, reduction: mean}}
target: [0.5, -0.5]
""",
    "pipeline_cross_entropy_of_logits_soft_targets": """
input: [[1, -2, 3], [0, 1, -1]]
layers:
  - {type: fc, weight: [[1, 0, -1], [0.5, 1, 0], [0, 0, 1], [-1, 1, 1]], bias: [0, 0.5, -0.5, 1]}
  - relu
  - {type: fc, weight: {random: {shape: [3, 4], seed: 7}}}
loss: {type: cross_entropy, reduction: sum}
target: [[0.2, 0.3, 0.5], [0, 1, 0]]
""",
    "pipeline_softmax_under_mse_sum": """
input: [0.5, -1, 2, 0]
layers:
  - {type: fc, weight: {random: {shape: [3, 4], seed: 8}}}
  - softmax
loss: {type: mse, reduction: sum}
target: [0, 1, 0]
""",
    "pipeline_layers_named_like_the_programs_names": """
input: [[1, 2, 0], [0, -1, 3], [2, 2, 1]]
layers:
  - {type: conv, weight: [[1, 0], [0, -1]], name: window}
  - {type: relu, name: t}
  - {type: conv, weight: [[1, 1], [0, 1]], name: softmax}
loss: {type: mse}
target: [[1]]
""",
}

RUNS = ({p.stem: ((yaml.safe_load(p.read_text())["command"], str(p)), None) for p in EXAMPLES}
        | {name: (case, None) for name, case in _load_tool_cases().items()}
        | {name: (case, None) for name, case in NUMPY_CASES.items()}
        | {name: (("pipeline", "-"), "command: pipeline\n" + text) for name, text in NUMPY_PIPELINES.items()})


def _printed(stdout: str) -> dict:
    """The program's `name = [...]` lines as arrays (numpy prints ±inf as inf)."""
    tensors = {}
    for line in stdout.splitlines():
        name, _, value = line.partition(" = ")
        tensors[name] = np.array(eval(value, {"__builtins__": {}}, {"inf": math.inf, "nan": math.nan}), dtype=float)
    return tensors


def _run_program(code: str) -> str:
    """Runs the program in a fresh namespace, any NumPy warning (overflow, 0/0) an error."""
    printed = io.StringIO()
    with warnings.catch_warnings(), redirect_stdout(printed):
        warnings.simplefilter("error")
        exec(compile(code, "<show-code numpy>", "exec"), {"__name__": "__main__"})
    return printed.getvalue()


@pytest.mark.parametrize("name", RUNS)
def test_the_numpy_program_prints_cnncalcs_answer(name):
    args, stdin = RUNS[name]
    solved = cnncalc(*args, "--json", stdin=stdin)
    assert solved.code == 0, solved.err
    answer = solved.json()
    code = cnncalc(*args, "--show-code", "numpy", stdin=stdin)
    assert code.code == 0, code.err
    printed = _printed(_run_program(code.out))
    expected = {name: t for section in ("forward", "backward") for name, t in answer[section].items()}
    assert set(printed) == set(expected)  # every tensor of the answer, and nothing else
    for tensor, want in expected.items():
        got = printed[tensor]
        assert got.shape == tuple(want["shape"]), tensor
        assert np.allclose(got, np.array(want["data"], dtype=float), rtol=1e-9, atol=1e-9, equal_nan=True), tensor


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_numpy_program_imports_numpy_only(path):
    code = cnncalc(yaml.safe_load(path.read_text())["command"], str(path), "--show-code", "numpy").out
    imports = [node for node in ast.walk(ast.parse(code)) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert [alias.name for node in imports for alias in node.names] == ["numpy"]
    assert "np.array(" in code and "open(" not in code


def test_the_numpy_program_runs_as_printed_in_a_python_of_its_own(tmp_path):
    path = ROOT / "examples/seed001_homework11.yaml"
    program = tmp_path / "homework11.py"
    program.write_text(cnncalc("pipeline", str(path), "--show-code", "numpy").out)
    ran = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    fc_1 = _printed(ran.stdout)["fc_1"]
    assert np.allclose(fc_1, 39.6)  # homework 11: every output of fc_1 is 198/5


@pytest.mark.parametrize("example, words", [
    ("seed003_convolution", ["np.flip(", "rotated 180°", "rotated back"]),
    ("seed004_convolution_anchor", ["the anchor (0, 0)", "padding top 1, bottom 0, left 1, right 0",
                                    "padding=((1, 0), (1, 0))"]),
    ("seed004_fc_in_out", ["(in-out layout)", "@ w + b", "dw = x_batch.T @ dy_batch"]),
    ("seed004_mse", ["0.5 * np.sum(", "PyTorch's has no ½"]),
    ("seed001_softmax_cross_entropy", ["log_softmax(", "dL/dp = −t/p", "p·Σt − t"]),
    ("seed002_maxpool_overlapping", ["max_pool2d_backward(", "ties='first'", "first maximum"]),
    ("relu_kink", ["np.maximum(", "> 0, dy", "gradient at exactly 0 is 0"]),
])
def test_each_convention_is_written_and_said_in_numpy(example, words):
    path = ROOT / "examples" / f"{example}.yaml"
    code = cnncalc(yaml.safe_load(path.read_text())["command"], str(path), "--show-code", "numpy").out
    for word in words:
        assert word in code, (example, word)


def test_the_numpy_program_defines_only_the_functions_it_calls():
    code = cnncalc("act", "-x", "[1, -1]", "--kind", "relu", "--dy", "[1, 1]", "--show-code", "numpy").out
    defined = [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]
    assert defined == ["show"]
    code = cnncalc("pool", "-x", "[[1, 3], [3, 0]]", "--kind", "max", "--kernel-size", "2", "--ties", "split",
                   "--dy", "[[1]]", "--show-code", "numpy").out
    defined = [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]
    assert defined == ["output_size", "pool_windows", "max_pool2d", "max_pool2d_backward", "show"]
    assert "ties='split'" in code and "PyTorch has no such rule" in code


def test_a_layer_named_like_the_torch_programs_own_names_is_renamed(tmp_path):
    problem = tmp_path / "clash.yaml"
    problem.write_text("input: [1, 2]\nlayers:\n - {type: fc, weight: [[1, 0], [0, 1]], name: t}\n"
                       " - {type: relu, name: F}\nloss: mse\ntarget: [0, 1]\n")
    code = cnncalc("pipeline", str(problem), "--show-code", "torch").out
    compile(code, "clash.py", "exec")
    assert "t_out = " in code and "F_out = " in code
    assert "show('t', t_out)" in code and "show('F', F_out)" in code
