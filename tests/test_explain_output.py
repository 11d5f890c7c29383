"""Explanations as printed and as JSON: expected text at a fixed width without colour, the
--max-steps cut, --entry errors, and every numeric step re-evaluated from the JSON alone."""

import io
import json
import math
import re

from rich.console import Console

from cli_helpers import cnncalc, example
from cnncalc.render.table import render_table
from explain_helpers import explained

SEED_002 = example("seed002_conv_bias.yaml")


def _table(result, width=72) -> str:
    out = io.StringIO()
    render_table(result, Console(file=out, width=width, force_terminal=True, no_color=True))
    return re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())


def test_entry_renders_as_expected_at_a_fixed_width():
    result, explanation = explained("conv", SEED_002, entries=("dL/dI[2,2]",))
    result.explanation = explanation
    text = _table(result, 72)
    expected = """\
Explanation
  dL/dI_22 = dL/dO_11·W_22 + dL/dO_12·W_21 + dL/dO_21·W_12 +
      dL/dO_22·W_11 = 1×0 + 2×2 + (-1)×(-1) + 1×1 = 6   (I_22 is read by
      O_11, O_12, O_21, O_22)
    dL/dO touched  (2×2)
      │    1     2
    ──┼───────────
    1 │  [1]   [2]
    2 │ [-1]   [1]
"""
    tail = text[text.index("Explanation"):]
    assert [line.rstrip() for line in tail.splitlines()] == [line.rstrip() for line in expected.splitlines()]


def test_window_grid_marks_padding_without_colour():
    result, explanation = explained("conv", x=[[1, 2], [3, 4]], w=[[1, 1], [1, 1]], padding=1, entries=("y[2,3]",))
    result.explanation = explanation
    text = _table(result, 80)
    assert "y_23 = x_12·w_11 + x_22·w_21 = 2×1 + 4×1 = 6" in text  # the right column is padding
    assert "1 │ ·   1   [2]   [·]" in text
    assert "2 │ ·   3   [4]   [·]" in text


def test_max_steps_says_how_many_were_left_out():
    run = cnncalc("conv", SEED_002, "--explain", "--max-steps", "3")
    assert run.code == 0
    assert "… 19 more steps left out (--max-steps 3; --max-steps 0 shows every step)" in run.out
    assert "O_12 =" not in run.out and "O_11 =" in run.out


def test_entry_errors_are_one_line_with_exit_2():
    bad_name = cnncalc("conv", SEED_002, "--entry", "dL/dII[1,2]")
    assert bad_name.code == 2 and bad_name.err.count("\n") == 1
    assert "did you mean 'dL/dI'?" in bad_name.err
    outside = cnncalc("conv", SEED_002, "--entry", "dx[3,3]", "--index-base", "0")
    assert outside.code == 2 and outside.err.count("\n") == 1
    assert "indices from 0 to [2,2], index base 0" in outside.err
    assert cnncalc("conv", SEED_002, "--entry", "dx[0,0]", "--index-base", "0").code == 0
    assert cnncalc("pool", "-x", "3x3", "--kernel-size", "2", "--symbolic").code == 2


def test_every_numeric_step_re_evaluates_from_the_json_alone():
    for args in (("conv", SEED_002), ("pool", example("seed002_maxpool_overlapping.yaml")),
                 ("softmax", "-z", "0 1 2", "--target", "2"), ("fc", example("fc_out_in.yaml")),
                 ("conv", example("seed004_stride2_correlation.yaml"))):
        data = cnncalc(*args, "--explain", "--max-steps", "0", "--json").json()
        steps = data["explanation"]["steps"]
        tensors = {name: t["data"] for section in ("inputs", "forward", "backward") for name, t in data[section].items()}
        checked = 0
        for step in steps:
            if step["kind"] not in ("sum", "chain", "max") or step["value"] in ("inf", "nan"):
                continue
            values = [_term(term) for term in step["terms"]]
            total = max(values) if step["kind"] == "max" else sum(values)
            assert math.isclose(total, step["value"], rel_tol=1e-12, abs_tol=1e-12), step
            if step["target"]["name"] in tensors:
                assert math.isclose(_at(tensors[step["target"]["name"]], step["target"]["index"]), step["value"],
                                    rel_tol=1e-12, abs_tol=1e-12)
            checked += 1
        assert checked > 0, args


def _term(term) -> float:
    coefficient = term.get("coefficient", 1)
    product = coefficient[0] / coefficient[1] if isinstance(coefficient, list) else coefficient
    for factor in term["factors"]:
        product *= factor["value"] ** factor.get("power", 1)
    return product


def _at(data, index):
    for i in index:
        data = data[i]
    return data


def test_json_is_valid_and_symbolic_values_are_null():
    data = json.loads(cnncalc("conv", "-x", "3x3", "-w", "2x1", "--symbolic", "--json").out)
    factors = [f for s in data["explanation"]["steps"] for t in s["terms"] for f in t["factors"]]
    assert factors and all(f["value"] is None for f in factors)
    assert data["explanation"]["schema"] == 1 and data["explanation"]["shapes"]["w"] == [2, 1]
