"""Formulas as answers: the seeds' LaTeX read, compared with loop-built right answers, mistakes named."""

import random
from fractions import Fraction
from math import comb

import pytest

from cli_helpers import caret_span
from cnncalc.check.formulas import (
    FormulaDiff, Polynomial, Symbol, Term, compare, describe_pair, format_polynomial, pair_terms,
    parse_formula,
)
from cnncalc.errors import CnnError

SEED_002_AXES = {"I": 2, "W": 2, "O": 2, "b": 0}
SEED_000_AXES = {"x": 2, "k": 1, "y": 2}
value = Symbol.entry
grad = Symbol.grad


def seed_002_right_dl_di(i: int, j: int) -> Polynomial:
    """Loop reference: O_ab = sum_{p,q} I_(a+p-1)(b+q-1) W_pq (valid, 1-based), so
    dL/dI_ij = sum over (a, p) with a+p-1 = i and (b, q) with b+q-1 = j of dL/dO_ab * W_pq."""
    products = []
    for a in (1, 2):
        for b in (1, 2):
            p, q = i - a + 1, j - b + 1
            if 1 <= p <= 2 and 1 <= q <= 2:
                products.append([grad("O", (a, b)), value("W", (p, q))])
    return Polynomial.from_products(products, loss="L")


def seed_000_right_dc_dx(i: int, j: int) -> Polynomial:
    """Loop reference: y_rj = x_rj k_1 + x_(r+1)j k_2 for r = 1, 2, so dC/dx_ij = sum dC/dy_rj k_(i-r+1)."""
    products = [[grad("y", (r, j)), value("k", (i - r + 1,))] for r in (1, 2) if 1 <= i - r + 1 <= 2]
    return Polynomial.from_products(products, loss="C")


# Seed 002's dL/dI lines, pasted as written (the right-hand sides of its equations).
SEED_002_DL_DI = {
    (1, 1): r"\frac{\partial L}{\partial O_{11}} \cdot W_{11}",
    (1, 3): r"\frac{\partial L}{\partial O_{12}} \cdot W_{12}",
    (3, 1): r"\frac{\partial L}{\partial O_{21}} \cdot W_{21}",
    (3, 3): r"\frac{\partial L}{\partial O_{22}} \cdot W_{22}",
    (2, 2): r"\frac{\partial L}{\partial O_{11}} \cdot W_{22} + \frac{\partial L}{\partial O_{12}} \cdot W_{21} + "
            r"\frac{\partial L}{\partial O_{21}} \cdot W_{12} + \frac{\partial L}{\partial O_{22}} \cdot W_{11}",
    (1, 2): r"\frac{\partial L}{\partial O_{11}} \cdot W_{22} + \frac{\partial L}{\partial O_{12}} \cdot W_{11}",
    (2, 1): r"\frac{\partial L}{\partial O_{11}} \cdot W_{21} + \frac{\partial L}{\partial O_{21}} \cdot W_{11}",
    (2, 3): r"\frac{\partial L}{\partial O_{12}} \cdot W_{22} + \frac{\partial L}{\partial O_{22}} \cdot W_{12}",
    (3, 2): r"\frac{\partial L}{\partial O_{21}} \cdot W_{22} + \frac{\partial L}{\partial O_{22}} \cdot W_{21}",
}


def test_seed_002_flags_exactly_dl_di_12():
    wrong = {entry for entry, latex in SEED_002_DL_DI.items()
             if parse_formula(latex, f"dL/dI_{entry}", SEED_002_AXES) != seed_002_right_dl_di(*entry)}
    assert wrong == {(1, 2)}


def test_seed_002_dl_di_12_names_w22_where_w12_belongs():
    given = parse_formula(SEED_002_DL_DI[(1, 2)], "dL/dI_12", SEED_002_AXES)
    diff = compare(seed_002_right_dl_di(1, 2), given)
    assert diff == FormulaDiff(
        missing_terms=(Term(Fraction(1), ((grad("O", (1, 1)), 1), (value("W", (1, 2)), 1))),),
        extra_terms=(Term(Fraction(1), ((grad("O", (1, 1)), 1), (value("W", (2, 2)), 1))),))
    (pair,) = pair_terms(diff)
    assert (pair.belongs, pair.written) == (value("W", (1, 2)), value("W", (2, 2)))
    assert describe_pair(pair) == "W_22 where W_12 belongs (in dL/dO_11·W_12)"
    assert format_polynomial(seed_002_right_dl_di(1, 2)) == "dL/dO_11·W_12 + dL/dO_12·W_11"


def test_seed_002_the_whole_pasted_equation_is_read_from_its_right_hand_side():
    line = (r"$$\frac{\partial L}{\partial I_{12}} = \frac{\partial L}{\partial O_{11}} \cdot W_{22} "
            r"+ \frac{\partial L}{\partial O_{12}} \cdot W_{11}$$")
    assert parse_formula(line, "dL/dI_12", SEED_002_AXES) == parse_formula(
        "dL/dO_11*W_22 + dL/dO_12*W_11", "dL/dI_12", SEED_002_AXES)


def test_seed_002_bias_gradient_is_a_sum_of_all_output_gradients():
    text = r"\frac{\partial L}{\partial O_{11}} + \frac{\partial L}{\partial O_{12}} + " \
           r"\frac{\partial L}{\partial O_{21}} + \frac{\partial L}{\partial O_{22}}"
    right = Polynomial.from_products([[grad("O", (a, b))] for a in (1, 2) for b in (1, 2)], loss="L")
    assert parse_formula(text, "dL/db", SEED_002_AXES) == right


# Seed 000's dC/dx lines, the last right-hand side of each as written (its row 1 is right,
# rows 2 and 3 are not: (k_2 + k_1) on one dC/dy, and a dropped dC/dy factor).
SEED_000_DC_DX = {
    (1, 1): r"\frac{\delta C}{\delta x_{1,1}} = \frac{\delta C}{\delta y_{1,1}} * "
            r"\frac{\delta y}{\delta x_{1,1}} = \frac{\delta C}{\delta y_{1,1}} * k_1",
    (1, 2): r"\frac{\delta C}{\delta y_{1,2}} * k_1",
    (1, 3): r"\frac{\delta C}{\delta y_{1,3}} * k_1",
    (2, 1): r"= \frac{\delta C}{\delta y_{2,1}} * (k_2 + k_1)",
    (2, 2): r"5) \frac{\delta C}{\delta x_{2,2}} = \frac{\delta C}{\delta y_{2,2}} * (k_2 + k_1)",
    (2, 3): r"6) \frac{\delta C}{\delta x_{2,3}} = \frac{\delta C}{\delta y_{2,3}} * (k_2 + k_1)",
    (3, 1): r"7) \frac{\delta C}{\delta x_{3,1}} = \frac{\delta C}{\delta y_{2,1}} * "
            r"\frac{\delta y}{\delta x_{3,1}} = \frac{\delta C}{\delta y_{2,1}} * "
            r"\frac{x_{2,1}k_1 + x_{3,1}k_2}{\delta x_{3,1}} = k_2",
    (3, 2): r"k_2",
    (3, 3): r"k_2",
}


def test_seed_000_flags_exactly_row_2_and_row_3():
    wrong = {entry for entry, latex in SEED_000_DC_DX.items()
             if parse_formula(latex, "dC/dx", SEED_000_AXES) != seed_000_right_dc_dx(*entry)}
    assert wrong == {(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)}


def test_seed_000_mistakes_are_named():
    given = parse_formula(SEED_000_DC_DX[(2, 1)], "dC/dx_21", SEED_000_AXES)
    right = seed_000_right_dc_dx(2, 1)
    assert format_polynomial(right) == "dC/dy_11·k_2 + dC/dy_21·k_1"
    (pair,) = pair_terms(compare(right, given))
    assert describe_pair(pair, name_order=right.name_order, loss="C") == \
        "dC/dy_21 where dC/dy_11 belongs (in dC/dy_11·k_2)"
    (dropped,) = pair_terms(compare(seed_000_right_dc_dx(3, 1), parse_formula("k_2", "dC/dx_31", SEED_000_AXES)))
    assert (dropped.belongs, dropped.written) == (grad("y", (2, 1)), None)
    assert describe_pair(dropped, loss="C") == "the factor dC/dy_21 is missing (in dC/dy_21·k_2)"


def test_seed_000_forward_lines_with_juxtaposed_factors():
    for i in (1, 2):
        for j in (1, 2, 3):
            text = f"$$y_{{{i},{j}}} = x_{{{i},{j}}}k_1 + x_{{{i + 1},{j}}}k_2$$"
            right = Polynomial.from_products([[value("x", (i, j)), value("k", (1,))],
                                              [value("x", (i + 1, j)), value("k", (2,))]])
            assert parse_formula(text, "y", SEED_000_AXES) == right


def test_the_loss_name_is_recorded_but_does_not_change_equality():
    with_c = parse_formula(r"\frac{\delta C}{\delta y_{2,1}} * (k_2 + k_1)", "f", SEED_000_AXES)
    with_l = parse_formula("dL/dy_21*k_1 + dL/dy_21*k_2", "f", SEED_000_AXES)
    assert with_c.losses == {"C"} and with_l.losses == {"L"}
    assert with_c == with_l
    assert format_polynomial(with_c) == "dC/dy_21·k_1 + dC/dy_21·k_2"


@pytest.mark.parametrize("text", [
    "dL/dO_11*W_12 + dL/dO_12·W_11",
    "dL/dO_12·W_11 + dL/dO_11×W_12",
    "W_12 * dL/dO_11 + W_11 dL/dO_12",
    r"\frac{\partial L}{\partial O_{11}} \cdot W_{12} + \frac{\partial L}{\partial O_{12}} \cdot W_{11}",
    r"\dfrac{dL}{dO_{11}} \times W_{1,2} + \frac{\mathrm{d}L}{\mathrm{d}O_{1,2}} W_{1,1}",
    r"$\frac{\partial L}{\partial O_{11}}W_{12}+\frac{\partial L}{\partial O_{12}}W_{11}$",
    "∂L/∂O_11 W_12 + ∂L/∂O_12 W_11",
    "d L / d O_11 * W_12 + d L / d O_12 * W_11",
    "dL/dO[1,1]*W[1,2] + dL/dO_{1}_{2}*W_1_1",
    "dO_11*W_12 + dO_12*W_11",   # dO_11: short for dL/dO_11 when dO is not a tensor of the problem
    "2*dL/dO_11*W_12 - dL/dO_11*W_12 + dL/dO_12*W_11",
    r"\frac{1}{2} dL/dO_11 W_12 + dL/dO_11 W_12/2 + 0.5*dL/dO_12*W_11 + {dL/dO_12 W_11}/2",
])
def test_every_spelling_of_the_same_formula_is_equal(text):
    right = Polynomial.from_products([[grad("O", (1, 2)), value("W", (1, 1))],
                                      [grad("O", (1, 1)), value("W", (1, 2))]], loss="L")
    assert parse_formula(text, "dL/dI_12", SEED_002_AXES) == right


K_1, K_2, X_11, X_21 = value("k", (1,)), value("k", (2,)), value("x", (1, 1)), value("x", (2, 1))


@pytest.mark.parametrize("grouped, expanded, products", [
    ("dC/dy_21*(k_2+k_1)", "dC/dy_21*k_1 + k_2*dC/dy_21", [[grad("y", (2, 1)), K_1], [grad("y", (2, 1)), K_2]]),
    (r"\left( k_1 + k_2 \right)^2", "k_1^2 + 2*k_1*k_2 + k_2*k_2", [[K_1, K_1], [2, K_1, K_2], [K_2, K_2]]),
    ("(k_1 + k_2)(k_1 - k_2)", "k_1^2 - k_2^2", [[K_1, K_1], [-1, K_2, K_2]]),
    ("-(k_1 - k_2)", "k_2 - k_1", [[K_2], [-1, K_1]]),
    ("k_1 - k_1", "0", []),
    ("x_11*k_1 + x_21*k_2", "k_2 x_{2,1} + k_1 x_{1,1}", [[X_11, K_1], [X_21, K_2]]),
    (r"{x_{1,1} + x_{2,1}}(k_1)", "x_11 k_1 + x_21 k_1", [[X_11, K_1], [X_21, K_1]]),
])
def test_grouped_and_reordered_terms_are_equal(grouped, expanded, products):
    by_hand = Polynomial.from_products(products, loss="C")
    assert parse_formula(grouped, "f", SEED_000_AXES) == by_hand
    assert parse_formula(expanded, "f", SEED_000_AXES) == by_hand


def test_a_different_formula_is_not_equal():
    assert parse_formula("dC/dy_21*(k_2+k_1)", "f", SEED_000_AXES) != \
        parse_formula("dC/dy_11*k_2 + dC/dy_21*k_1", "f", SEED_000_AXES)
    assert parse_formula("2*k_1", "f", SEED_000_AXES) != parse_formula("k_1", "f", SEED_000_AXES)


@pytest.mark.parametrize("text, axes, symbol", [
    ("O_11", {"O": 2}, value("O", (1, 1))),
    ("O_01", {"O": 2}, value("O", (0, 1))),           # 0-based users keep their indices
    ("k_2", {"k": 1}, value("k", (2,))),
    ("k_12", {"k": 1}, value("k", (12,))),            # one index: the whole number
    ("O_{1,12}", {"O": 2}, value("O", (1, 12))),
    ("O_{1, 12}", {"O": 2}, value("O", (1, 12))),
    ("O_1_12", {"O": 2}, value("O", (1, 12))),
    ("O[1,12]", {"O": 2}, value("O", (1, 12))),
    ("y_2,1", {"y": 2}, value("y", (2, 1))),
    ("h_{1,2,3,3}", {"h": 4}, value("h", (1, 2, 3, 3))),
    ("h_1233", {"h": 4}, value("h", (1, 2, 3, 3))),
    ("b", {"b": 0}, value("b", ())),
    ("fc_1_3", {"fc_1": 1}, value("fc_1", (3,))),
    ("dL/dfc_1_3", {"fc_1": 1}, grad("fc_1", (3,))),
    (r"\frac{\partial L}{\partial \mathrm{fc\_1}_{3}}", {"fc_1": 1}, grad("fc_1", (3,))),
    ("dx_21", {"x": 2}, grad("x", (2, 1))),
    ("dx_21", {"x": 2, "dx": 2}, value("dx", (2, 1))),  # a tensor named dx is that tensor
    ("dL/db", {"b": 0}, grad("b", ())),
    # a pipeline's parameters, written as Naming.subscript writes them
    ("conv_1.weight_{1,1,2,1}", {"conv_1.weight": 4}, value("conv_1.weight", (1, 1, 2, 1))),
    ("dL/dconv_1.weight_{1,1,2,1}", {"conv_1.weight": 4}, grad("conv_1.weight", (1, 1, 2, 1))),
    ("dfc_2.bias_3", {"fc_2.bias": 1}, grad("fc_2.bias", (3,))),
    (r"\frac{\partial L}{\partial fc_2.weight_{3,1}}", {"fc_2.weight": 2}, grad("fc_2.weight", (3, 1))),
])
def test_subscripts_resolved_with_the_axes_map(text, axes, symbol):
    assert parse_formula(text, "f", axes).symbols() == {symbol}


def test_from_products_accepts_coefficients_and_repeated_factors():
    built = Polynomial.from_products([[2, value("k", (1,)), value("k", (1,))], [Fraction(1, 2), value("k", (2,))]])
    assert built == parse_formula("2 k_1^2 + k_2/2", "f", {"k": 1})
    assert format_polynomial(built) == "2·k_1^2 + 1/2·k_2"
    assert format_polynomial(built, style="latex") == r"2 \cdot k_{1}^{2} + \frac{1}{2} \cdot k_{2}"


def test_written_back_in_a_persons_order():
    shuffled = Polynomial.from_products([[value("W", (1, 1)), grad("O", (1, 2))],
                                         [value("W", (1, 2)), grad("O", (1, 1))]], loss="L")
    assert format_polynomial(shuffled) == "dL/dO_11·W_12 + dL/dO_12·W_11"
    assert format_polynomial(shuffled, style="latex") == (
        r"\frac{\partial L}{\partial O_{11}} \cdot W_{12} + \frac{\partial L}{\partial O_{12}} \cdot W_{11}")
    forward = Polynomial.from_products([[value("x", (2, 1)), value("k", (2,))], [value("x", (1, 1)), value("k", (1,))]])
    assert format_polynomial(forward) == "x_11·k_1 + x_21·k_2"  # first-written tensor first
    assert format_polynomial(Polynomial.from_products([[-1, value("k", (1,))], [value("k", (2,))]])) == "-k_1 + k_2"
    assert format_polynomial(Polynomial()) == "0"
    wide = Polynomial.from_products([[value("O", (1, 12))]])
    assert format_polynomial(wide) == "O_{1,12}"
    assert parse_formula(format_polynomial(wide), "f", {"O": 2}) == wide


def test_a_custom_spelling_for_the_users_notation():
    right = seed_002_right_dl_di(1, 2)
    spell = lambda s: f"{'g' if s.kind == 'grad' else ''}{s.name}[{','.join(str(i - 1) for i in s.indices)}]"  # noqa: E731
    assert format_polynomial(right, spell) == "gO[0,0]·W[0,1] + gO[0,1]·W[0,0]"


def test_coefficient_and_added_factor_differences_pair_up():
    axes = {"k": 1}
    (pair,) = pair_terms(compare(parse_formula("2 k_1", "f", axes), parse_formula("k_1", "f", axes)))
    assert (pair.belongs, pair.written) == (None, None)
    assert describe_pair(pair) == "the coefficient 1 where 2 belongs (in 2·k_1)"
    (pair,) = pair_terms(compare(parse_formula("k_1", "f", axes), parse_formula("k_1 k_2", "f", axes)))
    assert (pair.belongs, pair.written) == (None, value("k", (2,)))
    # Terms differing in two factors are not paired: no guess.
    assert pair_terms(compare(parse_formula("k_1 k_2", "f", axes), parse_formula("k_3 k_4", "f", axes))) == ()


def test_compare_of_equal_formulas_is_empty():
    diff = compare(seed_002_right_dl_di(2, 2), parse_formula(SEED_002_DL_DI[(2, 2)], "f", SEED_002_AXES))
    assert diff.same and pair_terms(diff) == ()


def test_expansion_agrees_with_float_evaluation():
    rng = random.Random(7)
    axes = {"a": 1}
    text = "(a_1 + 2 a_2)(a_1 - a_2/3)^2 - (a_3 + 1)(a_1 a_2 - 4)"
    polynomial = parse_formula(text, "f", axes)
    for _ in range(20):
        a1, a2, a3 = (rng.uniform(-3, 3) for _ in range(3))
        direct = (a1 + 2 * a2) * (a1 - a2 / 3) ** 2 - (a3 + 1) * (a1 * a2 - 4)
        values = {value("a", (1,)): a1, value("a", (2,)): a2, value("a", (3,)): a3}
        assert polynomial.evaluate(values) == pytest.approx(direct, rel=1e-12, abs=1e-12)


def _error(text, axes=SEED_002_AXES) -> CnnError:
    with pytest.raises(CnnError) as caught:
        parse_formula(text, "dL/dI_12", axes)
    return caught.value


@pytest.mark.parametrize("text, span, words", [
    ("dL/dO_11*Q_12", (9, 13), "tensor of this problem"),
    ("dL/dO_11*W12", (9, 12), "write W_12"),
    ("dL/dO_11*w_12", (9, 13), "did you mean 'W'"),
    ("dL/dO_111*W_12", (3, 9), "2 indices for O"),
    ("dL/dO_{1,1,1}", (3, 13), "2 indices for O"),
    ("dL/dO_{ij} W_12", (7, 9), "numbers as indices"),
    ("I_{i+a-1, j+b-1}", (3, 4), "numbers as indices"),
    ("dL/dO_11*W_12 +", (15, 16), "the end of the formula"),
    ("(dL/dO_11*W_12", (14, 15), "')' to close"),
    ("dL/dO_11*W_12)", (13, 14), "an operator"),
    ("W_12 / W_11", (7, 11), "division by a non-zero number"),
    ("W_12 / (1 - 1)", (7, 14), "division by a non-zero number"),
    (r"\alpha W_12", (0, 6), "a LaTeX command"),
    (r"\frac{\partial L}{\partial} W_12", (18, 26), "the entry the loss is differentiated by"),
    (r"\partial L", (0, 8), "a gradient like"),
    ("W_12^9", (5, 6), "a whole power"),
    ("W_12 ; W_11", (5, 6), "a formula like"),
    ("b_1", (0, 3), "b with no index"),
    ("W", (0, 1), "2 indices for W"),
    (r"\frac{\partial O}{\partial W_{12}}", (15, 16), "the loss in the numerator"),  # a chain-rule factor
    ("dO/dW_12", (0, 2), "the loss in the numerator"),
    ("dL/dO_11.W_12", (8, 9), "write * for a product"),  # no name of this problem holds a '.'
])
def test_bad_formulas_are_named_with_a_caret(text, span, words):
    error = _error(text)
    assert error.field == "dL/dI_12"
    assert words in error.message()
    assert error.caret.splitlines()[0] == text
    assert caret_span(error) == span


def test_a_dot_after_an_entry_is_a_layer_name_only_where_the_problem_has_dotted_names():
    error = _error("W_{1,2}.bias", {"W": 2, "fc_1.bias": 1})
    assert "a layer name before '.'" in error.message() and caret_span(error) == (0, 7)
    error = _error("W_12.W_11", {"W": 2})
    assert "write * for a product" in error.message() and caret_span(error) == (4, 5)


def test_refused_sizes():
    assert "at most 10,000 characters" in _error("W_11+" * 20_000 + "W_11").message()
    assert "an empty formula" in _error("  $$ $$ ").message()
    assert "nested groups or signs" in _error("(" * 40 + "W_11" + ")" * 40).message()
    many_sums = "*".join(f"(a_{2 * i} + a_{2 * i + 1})" for i in range(13))  # 8,192 terms once expanded
    assert "terms once expanded" in _error(many_sums, {"a": 1}).message()
    # collected as it goes: (k_1² − k_2²)^8 = sum over j of C(8, j)·(−1)^j·k_1^(16−2j)·k_2^(2j), 9 terms
    k_1, k_2 = value("k", (1,)), value("k", (2,))
    binomial = Polynomial.from_products([[comb(8, j) * (-1) ** j] + [k_1] * (16 - 2 * j) + [k_2] * (2 * j)
                                         for j in range(9)])
    collected = parse_formula("(k_1 + k_2)^8 (k_1 - k_2)^8", "f", {"k": 1})
    assert len(collected.terms) == 9 and collected == binomial
    assert "32 factors in a term" in _error("(k_1 + k_2)" + "*(k_1 + k_2)" * 800, {"k": 1}).message()
    assert "nested groups or signs" in _error("-" * 5000 + "W_11").message()  # no recursion error
    with pytest.raises(CnnError):
        parse_formula(12, "f", {})
