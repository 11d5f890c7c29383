"""Output: tables at a fixed width, JSON and YAML schema, versions, --help examples."""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
import yaml

from cli_helpers import cnncalc
from cnncalc.cli.app import app

ROOT = Path(__file__).parent.parent
EXPECTED = Path(__file__).parent / "expected"


@pytest.mark.parametrize("args, expected", [
    (("conv", "examples/seed002_conv_bias.yaml", "--precision", "2", "--names", "x=X,L=C", "--index-base", "0"),
     "seed002_conv_table.txt"),
    (("pool", "examples/seed004_maxpool_argmax.yaml"), "seed004_maxpool_table.txt"),
])
def test_table_matches_expected_text(args, expected, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    run = cnncalc(*args)
    assert run.code == 0, run.err
    assert run.out == (EXPECTED / expected).read_text()
    assert "\x1b[" not in run.out  # no colour when not on a terminal


def test_table_uses_display_names_index_base_and_precision(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = cnncalc("conv", "-x", "1 2; 3 4", "-w", "1/3", "--dy", "1 1; 1 1", "--names", "x=I,w=K,y=O,L=C",
                  "--precision", "3", "--index-base", "0").out
    assert "dC/dI  (2×2)" in out and "dC/dK" in out and "O  (2×2)" in out
    assert "0.333" in out and "0.3333" not in out
    assert re.search(r"^\s+│\s+0\s+1\s*$", out, re.M)  # column labels from 0, after the row-label separator


def test_json_schema_and_full_precision():
    result = cnncalc("conv", "-x", "1/3 2/3 1; 1/7 0.1 3; 7 8 9", "-w", "1 0; 0 0", "--dy", "{fill: 1}",
                     "-b", "0", "--json").json()
    assert set(result) == {"schema", "command", "parameters", "conventions", "rules", "names", "inputs", "forward",
                           "backward", "extras", "notes", "warnings"}
    assert result["schema"] == 2 and result["command"] == "conv"
    assert result["parameters"]["padding"] == [[0, 0], [0, 0]]
    y = result["forward"]["y"]
    assert y["shape"] == [2, 2]
    assert y["data"] == [[1 / 3, 2 / 3], [1 / 7, 0.1]]  # the float64 values themselves, not roundings
    assert result["backward"]["dw"]["shape"] == [2, 2] and result["backward"]["db"]["shape"] == []


def test_json_keeps_the_dimensions_written():
    as_3d = cnncalc("conv", "-x", "[[[1,2],[3,4]]]", "-w", "1", "--json").json()
    as_2d = cnncalc("conv", "-x", "1 2; 3 4", "-w", "1", "--json").json()
    assert as_3d["forward"]["y"]["shape"] == [1, 2, 2]
    assert as_2d["forward"]["y"]["shape"] == [2, 2]


def test_yaml_output_is_the_json_object():
    args = ("softmax", "-z", "1 2 3", "--target", "2")
    from_json = cnncalc(*args, "--json").json()
    from_yaml = yaml.safe_load(cnncalc(*args, "--format", "yaml").out)
    assert from_yaml == from_json


def test_json_is_never_wrapped(monkeypatch):
    monkeypatch.setenv("COLUMNS", "20")
    out = cnncalc("shape", "--input", "3x32x32", "--kernel", "16x3x4x4", "--padding", "same", "--json").out
    assert out.count("\n") == 1
    json.loads(out)


def test_version_and_module_entry_point():
    assert cnncalc("--version").out.strip().startswith("cnncalc ")
    run = subprocess.run([sys.executable, "-m", "cnncalc", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "conv" in run.stdout


def _help_examples():
    group = typer.main.get_command(app)
    return [(name, command.epilog.split("Example: ", 1)[1]) for name, command in group.commands.items()]


@pytest.mark.parametrize("name, example", _help_examples(), ids=[n for n, _ in _help_examples()])
def test_every_help_example_runs(name, example, monkeypatch):
    monkeypatch.chdir(ROOT)
    args = shlex.split(example)
    assert args[:2] == ["cnncalc", name]
    run = cnncalc(*args[1:])
    assert run.code == 0, run.err
