"""Bad pipeline files: one line naming the file, line, layer and field; exit code 2."""

import pytest

from cli_helpers import cnncalc

BASE = """input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
layers:
  - type: conv
    weight: [[1, 0], [0, 1]]
  - relu
  - flatten
  - type: fc
    out: 2
    weight: 1/10
  - softmax
loss: cross_entropy
target: 1
"""


def _run(tmp_path, text: str):
    path = tmp_path / "net.yaml"
    path.write_text(text)
    run = cnncalc("pipeline", str(path))
    assert run.code == 2, (run.out, run.err)
    assert "Traceback" not in run.err
    return run.err.splitlines()[0], str(path)


@pytest.mark.parametrize("old, new, needles", [
    ("  - relu", "  - rleu", (":5:", "layers[1]", "did you mean 'relu'")),
    ("target: 1\n", "", ("target", "cross_entropy")),
    ("target: 1", "target: [0, 1, 0]", (":12:", "target", "(1, 2)")),
    ("    out: 2\n    weight: 1/10", "    weight: [[1, 2], [3, 4], [5, 6]]\n    weight_layout: in-out",
     ("layers[3] (fc_1).weight", "4 inputs", "3×2")),
    ("    out: 2\n", "", ("layers[3] (fc_1).weight", "give out")),
    ("  - flatten\n", "  - flatten\n  - type: maxpool\n    kernel_size: 2\n",
     ("layers[3] (pool_1)", "feature map")),
    ("    weight: [[1, 0], [0, 1]]\n", "    weight: [[1, 0], [0, 1]]\n    strid: 2\n",
     (":5:", "layers[0] (conv_1).strid", "did you mean 'stride'")),
    ("loss: cross_entropy\n", "", ("loss", "cross_entropy or mse")),
    ("loss: cross_entropy", "loss: crossentropyy", ("loss", "did you mean 'cross_entropy'")),
    ("loss: cross_entropy\ntarget: 1", "loss: mse\ntarget: [1, 2, 3]", ("target", "the shape of the network's output, 2")),
    ("  - softmax\n", "  - softmax\n  - type: conv\n    weight: [[1]]\n", ("layers[5] (conv_2)", "feature map")),
    ("    weight: [[1, 0], [0, 1]]\n", "    weight: [[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]]\n",
     ("layers[0] (conv_1).weight", "fits")),
    ("  - relu", "  - type: relu\n    name: p", ("name", "'p' again")),
    ("layers:\n", "layer:\n", (":2:", "layer", "did you mean 'layers'")),
])
def test_bad_pipeline_files(tmp_path, old, new, needles):
    assert old in BASE
    line, path = _run(tmp_path, BASE.replace(old, new, 1))
    assert path in line
    for needle in needles:
        assert needle in line, (needle, line)


def test_only_with_an_unknown_name_suggests_one(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(BASE)
    run = cnncalc("pipeline", str(path), "--only", "fc1")
    assert run.code == 2
    assert "did you mean 'fc_1'" in run.err


def test_only_limits_what_is_shown(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(BASE)
    result = cnncalc("pipeline", str(path), "--only", "fc_1,L,dL/dconv_1.weight", "--json").json()
    assert list(result["forward"]) == ["fc_1", "L"]
    assert list(result["backward"]) == ["dL/dconv_1.weight"]
    assert result["inputs"] == {}
