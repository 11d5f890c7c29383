"""Numbers keep what the user wrote (texts, exact values, decimals), and big flow lists of
plain numbers are read by json's C parser, with the same values, lines and safety as libyaml."""

import json
from fractions import Fraction

import numpy as np
import pytest
import yaml

from cli_helpers import cnncalc
from cnncalc.inputs import flows
from cnncalc.inputs.tensors import Fill, literals_of, materialize, read_tensor, scalar_fill
from cnncalc.inputs.yamlfile import parse_document

F = Fraction


def _load(text: str, max_elements: int = 10_000):
    return parse_document(text, "problem.yaml", max_elements)


def _tensor(text: str, key: str = "x", shape=None):
    """The array for `key` of a YAML document, as the commands read it, and its literals."""
    array = materialize(read_tensor(_load(text).data[key], key), key, shape)
    return array, literals_of(array)


# 1. Texts as written.

@pytest.mark.parametrize("text", [
    "x: [[0.40, 1], [2.5e-3, -0]]\n",                      # a flow list (json reads it)
    "x:\n  - [0.40, 1]\n  - [2.5e-3, -0]\n",              # block list of flow rows
    "x:\n  -\n    - 0.40\n    - 1\n  -\n    - 2.5e-3\n    - -0\n",  # block list of block lists (libyaml)
    "x: [[0.40, 1], [2.5e-3, -0]]  # a comment [[[\n",
    "x: [[0.40, 1],\r\n    [2.5e-3, -0]]\r\n",
])
def test_texts_of_yaml_lists_are_kept(text):
    array, literals = _tensor(text)
    assert np.array_equal(array, np.array([[0.4, 1.0], [0.0025, 0.0]]))
    assert literals.texts == ("0.40", "1", "2.5e-3", "-0")
    assert literals.shape == (2, 2)


def test_yaml_spellings_keep_their_text_and_value():
    array, literals = _tensor("x: [.5, +1, 0x10, 010, 1_000, 1/3]\n")
    assert np.array_equal(array, np.array([0.5, 1.0, 16.0, 8.0, 1000.0, 1 / 3]))  # 010 is octal in YAML 1.1
    assert literals.texts == (".5", "+1", "0x10", "010", "1_000", "1/3")
    assert literals.exact().tolist() == [F(1, 2), F(1), F(16), F(8), F(1000), F(1, 3)]


def test_a_scalar_keeps_its_text():
    array, literals = _tensor("x: 0.40\nb: 0.5\n")
    assert array.shape == () and float(array) == 0.4
    assert literals.texts == ("0.40",)
    assert literals_of(materialize(read_tensor(_load("b: 0.5\n").data["b"], "b"), "b")).texts == ("0.5",)


@pytest.mark.parametrize("literal, texts, expected", [
    ("1 2; 3 4", ("1", "2", "3", "4"), [[1, 2], [3, 4]]),
    ("[[1,2],[3,4]]", ("1", "2", "3", "4"), [[1, 2], [3, 4]]),
    ("[[0.40, -2.5e-3], [1/10, 3]]", ("0.40", "-2.5e-3", "1/10", "3"), [[0.4, -0.0025], [0.1, 3]]),
    ("1/10", ("1/10",), 0.1),
    ("0.10 0.2", ("0.10", "0.2"), [0.1, 0.2]),
])
def test_inline_literals_keep_their_tokens(literal, texts, expected):
    array = materialize(read_tensor(literal, "x"), "x")
    assert np.array_equal(array, np.array(expected, dtype=float))
    assert literals_of(array).texts == texts


@pytest.mark.parametrize("spec, text, value", [
    ("{fill: 1/10, shape: [2, 3]}", "1/10", 0.1),
    ("{fill: 0.40, shape: [2, 3]}", "0.40", 0.4),
    ("{fill: 3, shape: [2, 3]}", "3", 3.0),
])
def test_fills_keep_the_fill_text(spec, text, value):
    for raw in (spec, _load(f"x: {spec}\n").data["x"]):  # an option's text and a YAML mapping
        array = materialize(read_tensor(raw, "x"), "x")
        literals = literals_of(array)
        assert np.array_equal(array, np.full((2, 3), value))
        assert literals.texts == (text,) * 6 and literals.shape == (2, 3)


def test_a_fill_sized_by_the_command_keeps_its_text():
    spec = read_tensor(_load("dy: {fill: 1/10}\n").data["dy"], "dy")
    assert literals_of(spec).texts == ("1/10",)
    literals = literals_of(materialize(spec, "dy", (2, 2)))
    assert literals.exact().tolist() == [[F(1, 10)] * 2] * 2


def test_a_number_made_a_fill_keeps_its_text():
    fill = scalar_fill(materialize(read_tensor(_load("b: 0.40\n").data["b"], "b"), "b"))
    assert fill == Fill(0.4, None, "0.40")


def test_random_symbolic_and_foreign_arrays_have_no_text():
    random = materialize(read_tensor("{random: {shape: [2, 2], seed: 0}}", "x"), "x")
    assert literals_of(random) is None
    assert literals_of(read_tensor("3x3", "x")) is None
    assert literals_of(np.ones(3)) is None


# 2. Exact values and decimals.

@pytest.mark.parametrize("text, exact, decimals", [
    ("0.1", F(1, 10), 1), ("0.40", F(2, 5), 2), ("1/3", F(1, 3), None), ("2.5e-3", F(1, 400), 4),
    ("-2.5E-3", F(-1, 400), 4), ("3", F(3), 0), ("-7", F(-7), 0), ("1.2e3", F(1200), -2),
    ("1.5/0.5", F(3), None), ("12345678901234567890", F(12345678901234567890), 0),
])
def test_exact_values_and_decimals_written(text, exact, decimals):
    literals = literals_of(materialize(read_tensor(f"[{text}, 1]", "x"), "x"))
    assert literals.exact()[0] == exact and isinstance(literals.exact()[0], Fraction)
    assert literals.decimals()[0] == decimals
    assert literals.is_rational


def test_trailing_zeros_matter():
    _, literals = _tensor("x: [0.40, 0.4]\n")
    assert literals.texts == ("0.40", "0.4")
    assert literals.decimals().tolist() == [2, 1]
    assert literals.exact().tolist() == [F(2, 5), F(2, 5)]


def test_exact_arrays_have_the_tensor_shape():
    _, literals = _tensor("x: [[[1/10, 0.25]], [[1, 2]]]\n")
    assert literals.exact().shape == literals.decimals().shape == (2, 1, 2)
    assert literals.exact()[0, 0, 0] == F(1, 10)


def test_floats_identical_on_both_paths():
    """The same numbers through json (flow) and libyaml (block), and yaml.safe_load's values."""
    numbers = [0.1, -2.5, 1e-05, 3, 0, -0.0, 123456789, 1.5e-300, 0.30000000000000004]
    flow = _tensor(f"x: {json.dumps(numbers)}\n")[0]
    block = _tensor("x:\n" + "".join(f"  - {json.dumps(n)}\n" for n in numbers))[0]
    expected = np.array(numbers, dtype=float)
    assert np.array_equal(flow, expected) and np.array_equal(block, expected)
    assert np.array_equal(np.signbit(flow), np.signbit(expected))


# 3. Big flow lists go through json; what json cannot read goes to libyaml as before.

def _count_json_reads(monkeypatch) -> list:
    calls = []
    original = flows._DECODER.raw_decode

    def counted(text, start):
        calls.append(start)
        return original(text, start)
    monkeypatch.setattr(flows._DECODER, "raw_decode", counted)
    return calls


def _composed_texts(monkeypatch) -> list:
    seen = []
    original = yaml.compose

    def compose(text, Loader):
        seen.append(text)
        return original(text, Loader=Loader)
    monkeypatch.setattr(yaml, "compose", compose)
    return seen


def test_a_big_flow_list_is_read_by_json_not_libyaml(monkeypatch):
    calls, composed = _count_json_reads(monkeypatch), _composed_texts(monkeypatch)
    rows = [[(r * 300 + c) / 8 for c in range(300)] for r in range(300)]
    document = _load(f"w: [[1]]\nx: {json.dumps(rows)}\n", 1_000_000)
    assert len(calls) == 2  # one parse for w, one for x
    assert len(composed) == 1 and len(composed[0]) < 200  # libyaml saw the scaffolding only
    array = read_tensor(document.data["x"], "x")
    assert np.array_equal(array, np.arange(90_000).reshape(300, 300) / 8)


def test_a_list_json_refuses_goes_to_libyaml_row_by_row(monkeypatch):
    composed = _composed_texts(monkeypatch)
    array, literals = _tensor("x: [[1, 2], [.5, 3], [4, 5]]\n")
    assert np.array_equal(array, np.array([[1, 2], [0.5, 3], [4, 5]]))
    assert literals.texts == ("1", "2", ".5", "3", "4", "5")
    assert ".5" in composed[0] and "4, 5" not in composed[0]


@pytest.mark.parametrize("text", [
    'title: "a, [1, 2]"\nx: [1]\n',
    "description: |\n  x: [1, 2]\n  y: [3]\nx: [1]\n",
    "# x: [1, 2]\nx: [1] # , [2]\n",
    "title: 'it, [1, 2] says'\nx: [1]\n",
])
def test_lists_inside_strings_and_comments_are_left_alone(text):
    assert _load(text).data == yaml.safe_load(text)


@pytest.mark.parametrize("text", [
    "x: [1, 2, 3]\nw: {a: [4, 5], b: [[6]]}\n",
    "layers:\n  - type: fc\n    w: [[1, 2], [3, 4]]\n  - {type: relu}\n",
    "x: [1.0e+3, 1.5E-3, 2.5]\n",
    "x: [true, 1, null]\n",
    '"x": [1, 2]\n\'y\': [3]\n',
    "x: [[], [1]]\n",
    "a: &a [1, 2]\nb: *a\nc: [*a, [3]]\n",
])
def test_same_data_as_yaml_safe_load(text):
    assert _load(text).data == yaml.safe_load(text)


def test_exponents_yaml_reads_as_text_give_the_same_tensor():
    """YAML 1.1 reads 1e3 and 1.5e3 (no dot, or no exponent sign) as text, which a tensor then
    parses; json reads them as numbers at once. The tensor and its texts are the same."""
    text = "x: [1e3, 1E-3, 1.5e3, 2.5]\n"
    flow = _tensor(text)
    block = _tensor("x:\n  - 1e3\n  - 1E-3\n  - 1.5e3\n  - 2.5\n")
    assert yaml.safe_load(text)["x"][0] == "1e3"
    assert np.array_equal(flow[0], np.array([1000.0, 0.001, 1500.0, 2.5])) and np.array_equal(flow[0], block[0])
    assert flow[1].texts == block[1].texts == ("1e3", "1E-3", "1.5e3", "2.5")


def test_small_integer_lists_stay_plain_lists():
    data = _load("stride: [2, 2]\nx: [0.5, 1]\n").data
    assert type(data["stride"]) is list
    assert yaml.safe_dump(data) == yaml.safe_dump({"stride": [2, 2], "x": [0.5, 1]})
    assert json.dumps(data) == '{"stride": [2, 2], "x": [0.5, 1]}'


def test_values_that_keep_text_dump_as_plain_values():
    data = _load("b: 0.40\nn: +3\nx: [0.40, 1]\ny:\n  - 0.50\n").data
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for dump in (yaml.safe_dump, lambda d: yaml.dump(d, Dumper=dumper)):
        assert yaml.safe_load(dump(data)) == {"b": 0.4, "n": 3, "x": [0.4, 1], "y": [0.5]}
    assert json.loads(json.dumps(data)) == {"b": 0.4, "n": 3, "x": [0.4, 1], "y": [0.5]}


def test_lines_after_a_multi_line_list_are_kept(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("x: [[1, 2],\n    [3, 4],\n    [5, 6]]\nw: [[1]]\nstride: 0\n")
    run = cnncalc("conv", str(path))
    assert run.code == 2 and f"{path}:5:" in run.err.splitlines()[0]


def test_command_results_unchanged_by_the_json_path(tmp_path):
    """The conv of a flow-list problem equals the conv of the same problem in block style."""
    flow, block = tmp_path / "flow.yaml", tmp_path / "block.yaml"
    flow.write_text("x: [[1, 2, 3], [4, 5, 6], [7, 8, 9.5]]\nw: [[1, 0], [0, -1]]\n")
    block.write_text("x:\n" + "".join(f"  - [{r}]\n" for r in ("1, 2, 3", "4, 5, 6", "7, 8, 9.5"))
                     + "w:\n  - - 1\n    - 0\n  - - 0\n    - -1\n")
    first, second = cnncalc("conv", str(flow), "--format", "json"), cnncalc("conv", str(block), "--format", "json")
    assert first.code == second.code == 0
    assert first.json()["forward"] == second.json()["forward"]
    assert first.json()["forward"]["y"]["data"] == [[-4.0, -4.0], [-4.0, -4.5]]  # y = x[i,j] - x[i+1,j+1]


def test_values_that_keep_text_survive_copies():
    import copy
    import pickle

    data = _load("b: 0.40\nn: +3\nx: [0.40, 1]\ny:\n  - 0.50\n").data
    for clone in (copy.deepcopy(data), pickle.loads(pickle.dumps(data))):
        assert clone == data
        assert _tensor_of(clone["b"]).texts == ("0.40",) and _tensor_of(clone["y"]).texts == ("0.50",)
        assert _tensor_of(clone["n"]).texts == ("+3",)


def _tensor_of(raw):
    return literals_of(materialize(read_tensor(raw, "v"), "v"))
