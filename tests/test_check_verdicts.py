"""cnncalc check: every verdict kind, the precision-aware default, tolerance modes, names, formulas.

Right values are hand-computed: softmax of [1, 2, 3] with target 2 has L = −ln(e³/(e+e²+e³))
= 0.40760596…; seed 002's conv (I, W, b) is the bundled example's, checked by hand there.
"""

import math

import pytest

from cli_helpers import cnncalc, example
from cnncalc.check import grade
from cnncalc.check.tolerance import Tolerance, read_tolerance
from cnncalc.errors import CnnError

L_SOFTMAX = -math.log(math.exp(3) / (math.exp(1) + math.exp(2) + math.exp(3)))  # 0.4076059644
SEED002 = {"command": "conv", "names": {"x": "I", "w": "W", "y": "O"},
           "x": [[1, 0, 2], [3, 1, 0], [0, 2, 1]], "w": [[1, -1], [2, 0]], "b": 1, "dy": [[1, 2], [-1, 1]]}


def _softmax(answer, **extra):
    return grade({"command": "softmax", "z": [1, 2, 3], "target": 2, "expect": {"L": answer}, **extra})


def _status(g, name=0):
    return g.verdict.names[name].status


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# The precision written ---------------------------------------------------------------------

@pytest.mark.parametrize("answer, right", [
    ("0.41", True), ("0.4076", True), ("0.408", True), ("0.4", True),
    ("0.40", False),     # trailing zero: two decimals written, 0.4076 rounds to 0.41
    ("0.407", False), ("0.4077", False), ("0.41", True),
])
def test_decimals_written_decide(answer, right, tmp_path):
    path = _write(tmp_path, "p.yaml", f"command: softmax\nz: [1, 2, 3]\ntarget: 2\nexpect:\n  L: {answer}\n")
    assert (grade(path).verdict.names[0].status == "right") is right


@pytest.mark.parametrize("written, right", [("1.609", True), ("1.61", True), ("1.6", True), ("1.60", False),
                                             ("1.6094", True), ("1.6095", False), ("-log(0.2)", True),
                                             ("ln(5)", True), ("log10(5)", False), ("1.609437912434100", True)])
def test_homework_loss_both_sides_of_the_boundary(written, right, tmp_path):
    text = tmp_path / "hw.yaml"
    source = open(example("check_homework11_answers.yaml")).read().replace("L: -log(0.2)", f"L: {written}")
    text.write_text(source)
    names = {n.name: n.status for n in grade(str(text)).verdict.names}
    assert (names["L"] == "right") is right, written


def test_integers_fractions_and_expressions_match_to_float_precision():
    assert _status(_softmax(f"{L_SOFTMAX!r}")) == "right"
    assert _status(_softmax("-log(e^3/(e+e^2+e^3))")) == "right"
    assert _status(_softmax("-log(e^3/(e+e^2+e^3)) + 1e-9")) == "wrong"
    g = grade({**SEED002, "expect": {"db": "3/1", "y": [[8, 1], [3, 6]]}})
    assert [n.status for n in g.verdict.names] == ["right", "right"]
    g = grade({**SEED002, "expect": {"db": "3.0000001"}})  # a decimal of 7 places: 3 is within 5e-8? no
    assert _status(g) == "wrong"


def test_a_wrong_entry_carries_the_right_value_the_difference_and_the_interval(tmp_path):
    path = _write(tmp_path, "p.yaml", "command: softmax\nz: [1, 2, 3]\ntarget: 2\nexpect:\n  L: 0.40\n")
    entry = grade(path).verdict.names[0].entries[0]
    assert entry.status == "wrong" and entry.given == "0.40"
    assert entry.right == pytest.approx(L_SOFTMAX, abs=1e-15)
    assert entry.difference == pytest.approx(0.40 - L_SOFTMAX)
    low, high = entry.interval
    assert low == pytest.approx(L_SOFTMAX - 0.005) and high == pytest.approx(L_SOFTMAX + 0.005)
    run = cnncalc("check", path)
    assert run.code == 1 and "✗ L: wrong: given 0.40, right 0.407606" in run.out and "accepted [0.402606, 0.412606]" in run.out


# Tolerance modes (PrairieLearn's bounds) ---------------------------------------------------------

@pytest.mark.parametrize("tolerance, given, right", [
    ("relabs:rtol=0.01,atol=0", 0.41, True), ("relabs:rtol=0.001,atol=0", 0.41, False),
    ("relabs:0,0.01", 0.41, True),
    ("sigfig:2", 0.41, True), ("sigfig:3", 0.41, False), ("sigfig:3", 0.408, True),
    ("decdig:1", 0.4, True), ("decdig:2", 0.40, False), ("decdig:2", 0.41, True),
    ("exact", 0.41, False),
])
def test_tolerance_modes(tolerance, given, right):
    g = grade({"command": "softmax", "z": [1, 2, 3], "target": 2, "expect": {"L": given}}, tolerance=tolerance)
    assert (_status(g) == "right") is right


def test_tolerance_bounds_are_prairielearns():
    assert Tolerance("sigfig", digits=3).interval(123.456, None) == pytest.approx((123.456 - 0.51, 123.456 + 0.51))
    assert Tolerance("decdig", digits=2).half_width(5.0, None) == pytest.approx(0.0051)
    assert Tolerance("relabs", rtol=0.1, atol=1).half_width(-20.0, None) == pytest.approx(3.0)
    assert Tolerance("exact").accepts(2.0, 2.0, None) and not Tolerance("exact").accepts(2.0 + 1e-15, 2.0, None)


def test_tolerance_in_the_file_and_overridden_by_the_command_line(tmp_path):
    path = _write(tmp_path, "p.yaml", "command: softmax\nz: [1, 2, 3]\ntarget: 2\n"
                                      "tolerance: {mode: relabs, rtol: 0.05}\nexpect:\n  L: 0.40\n")
    assert cnncalc("check", path).code == 0
    assert cnncalc("check", path, "--tolerance", "sigfig:3").code == 1


@pytest.mark.parametrize("raw, message", [("sigfg:2", "did you mean 'sigfig'"), ("sigfig:0", "from 1 to 17"),
                                          ({"mode": "relabs", "digits": 2}, "one of rtol, atol (for relabs)"),
                                          ("relabs:rtol=-1", "non-negative")])
def test_bad_tolerance_is_refused(raw, message):
    with pytest.raises(CnnError) as caught:
        read_tolerance(raw)
    assert message in caught.value.message()


# Every verdict kind ------------------------------------------------------------------------------

def test_every_verdict_kind_in_one_file(tmp_path):
    path = _write(tmp_path, "p.yaml", """command: conv
x: [[1, 0, 2], [3, 1, 0], [0, 2, 1]]
w: [[1, -1], [2, 0]]
b: 1
dy: [[1, 2], [-1, 1]]
points: {dw: 2}
expect:
  y: [[8, 1], [3, 6]]
  dx: {"1,1": 1, "1,2": 5, "3,3": null}
  db: [3, 3]
  x: "1,5"
""")
    verdict = grade(path).verdict
    status = {n.name: n.status for n in verdict.names}
    assert status == {"y": "right", "dx": "wrong", "db": "wrong_shape", "x": "unreadable", "dw": "missing"}
    dx = next(n for n in verdict.names if n.name == "dx")
    assert [(e.entry, e.status) for e in dx.entries] == [("dL/dx[1,1]", "right"), ("dL/dx[1,2]", "wrong"),
                                                          ("dL/dx[3,3]", "missing")]
    db = next(n for n in verdict.names if n.name == "db")
    assert db.given_shape == (2,) and db.right_shape == ()
    x = next(n for n in verdict.names if n.name == "x")
    assert "a decimal is written with a point" in x.entries[0].error and "^" in x.entries[0].error
    assert (verdict.points, verdict.max_points) == (1, 6)
    run = cnncalc("check", path, "--json")
    assert run.code == 1
    data = run.json()
    assert data["names"][3]["entries"][0]["status"] == "unreadable" and data["names"][1]["diagnosis"] is None


def test_names_canonical_and_displayed_and_refused_with_did_you_mean():
    g = grade({**SEED002, "expect": {"O": [[8, 1], [3, 6]], "dL/dI": [[1, 1, -2], [1, 6, -1], [-2, 2, 0]],
                                     "dw": [[-1, 3], [7, 0]]}})
    assert [n.status for n in g.verdict.names] == ["right"] * 3
    bad = grade({**SEED002, "expect": {"dLdI": 1}})
    assert bad.verdict.status == "bad" and "did you mean 'dL/dI'?" in bad.feedback
    pipeline = grade(example("check_homework11_answers.yaml")).verdict
    assert {"conv_1", "dL/dconv_1.weight", "L"} <= {n.name for n in pipeline.names}


def test_entry_keys_in_the_files_index_base():
    one = grade({**SEED002, "expect": {"dx": {"2,2": 6}}})
    zero = grade({**SEED002, "index_base": 0, "expect": {"dx": {"1,1": 6}}})
    assert _status(one) == _status(zero) == "right"
    assert zero.verdict.names[0].entries[0].entry == "dL/dI[1,1]"
    out_of_range = grade({**SEED002, "expect": {"dx": {"4,1": 6}}})
    assert "indices from 1 to [3,3], index base 1" in out_of_range.feedback


def test_a_column_kernel_entry_may_leave_out_its_unit_axis():
    problem = {"command": "conv", "x": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "w": [[1], [2]],
               "dy": [[1, 2, 3], [4, 5, 6]], "expect": {"dw": {"1": 91, "2,1": 154}}}
    assert _status(grade(problem)) == "right"


# Formulas ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("formula", [
    "dL/dO_11*W_12 + dL/dO_12*W_11",
    "W_11·dL/dO_12 + W_12 * dL/dO_11",                             # reordered
    r"\frac{\partial L}{\partial O_{12}} \cdot W_{11} + W_{12} \frac{\partial L}{\partial O_{11}}",
    "dL/dI_12 = dO_11*W_12 + dO_12*W_11",                            # a pasted equation, short gradients
    "(dL/dO_11 + dL/dO_12)*(W_12 + W_11) - dL/dO_11*W_11 - dL/dO_12*W_12",  # grouped
])
def test_formulas_reordered_or_grouped_are_right(formula):
    g = grade({**SEED002, "expect": {"dx": {"1,2": formula}}})
    assert _status(g) == "right", g.feedback


def test_a_wrong_formula_names_the_term_and_gives_the_right_one():
    g = grade({**SEED002, "expect": {"dL/dI": {"1,2": "dL/dO_11*W_22 + dL/dO_12*W_11"}}})
    formula = g.verdict.names[0].entries[0].formula
    assert formula.pairs == ["W_22 where W_12 belongs (in dL/dO_11·W_12)"]
    assert formula.right == "dL/dO_11·W_12 + dL/dO_12·W_11"
    assert formula.missing == ["dL/dO_11·W_12"] and formula.extra == ["dL/dO_11·W_22"]


FC_PIPELINE = {"command": "pipeline", "input": [1, 2],
               "layers": [{"type": "fc", "weight": [[1, 2], [3, 4]], "bias": [0, 1]}],
               "loss": {"type": "mse", "reduction": "half_sum"}, "target": [0, 0]}


def test_formulas_name_a_pipelines_parameters_as_naming_writes_them():
    g = grade({**FC_PIPELINE, "expect": {
        "fc_1": {"2": "fc_1.weight_{2,1}*input_1 + fc_1.weight_{2,2}*input_2 + fc_1.bias_2"},
        "dL/dfc_1.weight": {"2,1": "dL/dfc_1_2 * input_1"}}})
    assert _status(g) == "right", g.feedback
    wrong = grade({**FC_PIPELINE, "expect": {"dL/dfc_1.weight": {"2,1": "dL/dfc_1_2 * input_2"}}})
    assert wrong.verdict.names[0].entries[0].formula.pairs == [
        "input_2 where input_1 belongs (in dL/dfc_1_{2}·input_1)"]  # as the derivation writes fc_1's entry


COLUMN_KERNEL_11 = {"command": "conv", "names": {"w": "k", "L": "C"}, "x": "12x1", "w": "11x1"}


def test_a_formula_verdict_spells_entries_as_the_derivation_does():
    # x 12×1, k 11×1: y_1 = Σ x_i·k_i (i = 1..11), y_2 = Σ x_(i+1)·k_i, so dC/dx_12 = dC/dy_2·k_11,
    # written k_{11} (one index past one digit, as Naming.subscript writes it), not k_11 (x_1, k_1).
    g = grade({**COLUMN_KERNEL_11, "expect": {"dx": {"12": "dC/dy_2*k_10"}}})
    formula = g.verdict.names[0].entries[0].formula
    assert formula.right == "dC/dy_2·k_{11}"
    assert formula.right_latex == r"\frac{\partial C}{\partial y_{2}} \cdot k_{11}"
    assert formula.pairs == ["k_{10} where k_{11} belongs (in dC/dy_2·k_{11})"]
    run = cnncalc("check", "-", "--explain", stdin="command: conv\nnames: {w: k, L: C}\nx: 12x1\nw: 11x1\n"
                                                   "expect: {dx: {'12': 'dC/dy_2*k_10'}}\n")
    assert "right  dC/dy_2·k_{11}" in run.out and "dC/dx_{12} = dC/dy_2·k_{11}" in run.out, run.out
    assert _status(grade({**COLUMN_KERNEL_11, "expect": {"dx": {"12": "dC/dy_2*k_{11}"}}})) == "right"


def test_a_bad_formula_is_unreadable_with_a_caret():
    g = grade({**SEED002, "expect": {"dx": {"1,2": "dL/dO_11*Q_12"}}})
    entry = g.verdict.names[0].entries[0]
    assert entry.status == "unreadable" and "^" in entry.error


def test_numbers_for_a_problem_of_shapes_alone_are_unreadable():
    g = grade({"command": "conv", "x": "3x3", "w": "2x2", "expect": {"dx": {"1,1": 5, "1,2": "dy_11*w_12 + dy_12*w_11"}}})
    entries = g.verdict.names[0].entries
    assert entries[0].status == "unreadable" and "shapes alone" in entries[0].error
    assert entries[1].status == "right"


def test_partial_credit_per_entry():
    problem = {**SEED002, "points": {"dx": 9}, "expect": {"dx": [[1, 1, -2], [1, 6, -1], [-2, 2, 5]]}}
    assert grade(problem).points == 0
    assert grade(problem, partial=True).points == pytest.approx(8)


def test_points_per_entry():
    problem = {**SEED002, "points": {"dx": {"1,1": 2, "2,2": 3}}, "expect": {"dx": {"1,1": 1, "2,2": 0}}}
    g = grade(problem)
    assert (g.points, g.max_points) == (2, 5)


# Seed 002's overlapping max pool (examples/seed002_maxpool_overlapping.yaml), maxima by hand:
# O_11 = max(1, 5, 3, 4) = I_12, O_12 = max(5, 2, 4, 8) = I_23, O_21 = max(3, 4, 6, 0) = I_31,
# O_22 = max(4, 8, 0, 7) = I_23; so dL/dI_23 = dL/dO_12 + dL/dO_22 and dL/dI_12 = dL/dO_11.
MAXPOOL = {"command": "pool", "names": {"x": "I", "y": "O"}, "kind": "max", "kernel_size": 2, "stride": 1,
           "x": [[1, 5, 2], [3, 4, 8], [6, 0, 7]], "dy": [[1, 2], [3, 4]]}


def test_formula_answers_for_a_max_pool_with_numbers():
    right = grade({**MAXPOOL, "expect": {"dx": {"2,3": "dL/dO_22 + dL/dO_12", "1,2": "dL/dO_11"},
                                         "y": {"1,1": "I_12", "2,2": "I_23"}}})
    assert right.verdict.status == "right", right.feedback
    wrong = grade({**MAXPOOL, "expect": {"dx": {"1,2": "dL/dO_12"}, "y": {"1,2": "I_22"}}})
    dx, y = (names.entries[0] for names in wrong.verdict.names)
    assert dx.status == y.status == "wrong"
    assert dx.formula.right == "dL/dO_11" and dx.formula.pairs == ["dL/dO_12 where dL/dO_11 belongs (in dL/dO_11)"]
    assert y.formula.right == "I_23" and y.formula.pairs == ["I_22 where I_23 belongs (in I_23)"]


def test_a_tied_max_has_no_one_formula():
    tied = grade({**MAXPOOL, "x": [[1, 1], [0, 0]], "dy": [[1]], "expect": {"y": {"1,1": "I_11"}}})
    entry = tied.verdict.names[0].entries[0]
    assert entry.status == "unreadable" and "maximum is not tied" in entry.error


def test_the_answers_given_are_printed_with_control_characters_escaped(tmp_path):
    # y = x·1 + 0 = [[1, 2], [3, 4]]; dL/dW = Σ dL/dO_ij·I_ij. Each answer below carries a control
    # character: an ESC in a whole-tensor grid, a vertical tab inside a readable number and formula.
    path = _write(tmp_path, "esc.yaml", 'command: conv\nnames: {x: I, w: W, y: O}\nx: [[1, 2], [3, 4]]\n'
                                        'w: [[1]]\nb: 0\ndy: [[1, 1], [1, 1]]\nexpect:\n'
                                        '  y: [[1, "2\\e[2J"], [3, "1 +\\v4"]]\n  dw: {"1,1": "dL/dO_11*\\vI_11"}\n')
    run = cnncalc("check", path)
    assert run.code == 1
    assert "\x1b" not in run.out and "\x0b" not in run.out
    assert "✗2\\x1b[2J" in run.out                                     # the grid's cell
    assert "given 1 +\\x0b4, right 4, difference 1" in run.out        # a wrong number
    assert "given  dL/dO_11*\\x0bI_11" in run.out                      # a wrong formula


def test_an_entry_of_a_whole_tensor_answer_is_named_by_its_index_in_the_files_base():
    # SEED002's dx is 3×3: the fifth answer in the list is dx[2,2] (base 1) or dx[1,1] (base 0),
    # the eighth dx[3,2]; a 2×1 column kernel's second entry is dw[2], as Naming writes it.
    answers = [[1, 1, -2], [1, "6 +", -1], [-2, "dL/dO_11*Q_12", 5]]
    errors = [e.error for e in grade({**SEED002, "expect": {"dx": answers}}).verdict.names[0].entries if e.error]
    assert [error.split(":")[0] for error in errors] == ["expect.dx[2,2]", "expect.dx[3,2]"]
    zero = grade({**SEED002, "index_base": 0, "expect": {"dx": answers}}).verdict.names[0].entries
    assert [e.error.split(":")[0] for e in zero if e.error] == ["expect.dx[1,1]", "expect.dx[2,1]"]
    column = grade({"command": "conv", "x": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "w": [[1], [2]],
                    "dy": [[1, 2, 3], [4, 5, 6]], "expect": {"dw": [[91], ["154 +"]]}})
    assert column.verdict.names[0].entries[1].error.startswith("expect.dw[2]: ")


@pytest.mark.parametrize("field, message", [
    ("max_steps: -1", "max_steps: expected an integer from 0 to 2147483647, found -1"),
    ("symbolic: maybe", "symbolic: expected true or false, found 'maybe'"),
])
def test_check_refuses_a_bad_output_field_as_the_layer_commands_do(tmp_path, field, message):
    path = _write(tmp_path, "show.yaml", f"command: conv\nx: [[1, 2], [3, 4]]\nw: [[1]]\n{field}\n"
                                         "expect: {y: [[1, 2], [3, 4]]}\n")
    check, conv = cnncalc("check", path), cnncalc("conv", path)
    assert (check.code, conv.code) == (2, 2)
    assert f"{path}:4: {message}" in check.err and f"{path}:4: {message}" in conv.err


def test_explain_derives_a_wrong_max_pool_formula_answer(tmp_path):
    # A max pool has no symbolic derivation; the wrong entry's numeric one is shown (O_12 = max(5, 2, 4, 8)
    # = 8 at I_23, by hand), where a swallowed --symbolic refusal used to leave it out.
    path = _write(tmp_path, "pool.yaml", "command: pool\nnames: {x: I, y: O}\nkind: max\nkernel_size: 2\nstride: 1\n"
                                         "x: [[1, 5, 2], [3, 4, 8], [6, 0, 7]]\ndy: [[1, 2], [3, 4]]\n"
                                         "expect: {y: {'1,2': I_22}, dx: {'1,2': dL/dO_12}}\n")
    run = cnncalc("check", path, "--explain")
    assert run.code == 1
    assert "O_12 = max(I_12, I_13, I_22, I_23) = max(5, 2, 4, 8) = 8" in run.out, run.out
    assert "dL/dI_12 = dL/dO_11 = 1" in run.out
