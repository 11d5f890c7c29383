"""--show-code torch: checked against PyTorch by tools/show_code_check.py (tests/goldens/show_code.json);
here the golden is read, and the code's mapping of each convention is checked in the text."""

import ast
import json
from pathlib import Path

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
