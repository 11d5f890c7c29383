"""cnncalc check names the mistake behind a wrong tensor, when one reproduces it, and nothing else."""

import pytest

from cli_helpers import cnncalc, example


def test_the_kernel_not_rotated_example_is_diagnosed():
    run = cnncalc("check", example("check_kernel_not_rotated.yaml"), "--json")
    assert run.code == 1
    names = {name["name"]: name for name in run.json()["names"]}
    assert names["dx"]["diagnosis"]["rule"] == "kernel_not_rotated"
    assert "w not rotated 180°" in names["dx"]["diagnosis"]["message"]
    assert names["y"]["diagnosis"] is None
    text = cnncalc("check", example("check_kernel_not_rotated.yaml")).out
    assert "diagnosis: Your dL/dx matches the answer with w not rotated 180°" in text


@pytest.mark.parametrize("answer, rule", [
    ("[[1, 1, -2], [5, 5, -4], [6, 8, 0]]", None),           # the right dx
    ("[[1, 2, -2], [5, 5, -4], [6, 8, 0]]", None),           # one entry off by one: no mistake makes it
])
def test_a_right_or_a_random_wrong_answer_gets_no_diagnosis(answer, rule, tmp_path):
    text = open(example("check_kernel_not_rotated.yaml")).read()
    start = text.index("  dx:")
    end = text.index("\n  dw:") if "\n  dw:" in text else len(text)
    problem = tmp_path / "p.yaml"
    problem.write_text(text[:start] + f"  dx: {answer}" + text[end:])
    run = cnncalc("check", str(problem), "--json")
    names = {name["name"]: name for name in run.json()["names"]}
    assert names["dx"]["diagnosis"] is rule
