"""Every bundled example runs and matches the answer written in it (hand-checked)."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from cli_helpers import cnncalc

# check_*.yaml hold a person's answers, some of them wrong on purpose: tests/test_check_batch.py
# holds the verdict each must give. Every other example's expect: block is the right answer.
EXAMPLES = sorted(p for p in (Path(__file__).parent.parent / "examples").glob("*.yaml")
                  if not p.name.startswith("check_"))


def _tensor(result: dict, name: str):
    for section in ("forward", "backward", "inputs", "extras"):
        if name in result[section]:
            return np.array(result[section][name]["data"])
    raise AssertionError(f"{name} not in the result")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_matches_its_expected_answer(path):
    problem = yaml.safe_load(path.read_text())
    run = cnncalc(problem["command"], str(path), "--json")
    assert run.code == 0, run.err
    result = run.json()
    for name, expected in problem["expect"].items():
        np.testing.assert_allclose(_tensor(result, name), np.array(expected, dtype=float), rtol=1e-12, atol=1e-12,
                                   err_msg=f"{path.name}: {name}")


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_renders_as_a_table(path):
    problem = yaml.safe_load(path.read_text())
    run = cnncalc(problem["command"], str(path))
    assert run.code == 0, run.err
    assert "Forward" in run.out


def test_every_seed_has_an_example():
    stems = {p.stem.split("_")[0] for p in EXAMPLES}
    assert {"seed000", "seed001", "seed002", "seed003", "seed004"} <= stems
