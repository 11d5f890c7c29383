"""Hand-written answers: values checked against hand-computed numbers, kinds and decimals, refusals."""

import math
from fractions import Fraction

import pytest

from cli_helpers import caret_span
from cnncalc.check.expressions import Answer, parse_answer
from cnncalc.errors import CnnError


@pytest.mark.parametrize("text, value", [
    ("-log(0.2)", 1.6094379124341003),          # homework 11's L = -log 0.2 = ln 5
    ("1/5", 0.2),
    ("e^2/(1+e^2)", 7.38905609893065 / 8.38905609893065),
    ("sqrt(2)/2", 0.7071067811865476),
    ("2·3", 6.0),
    ("2×3", 6.0),
    ("2*3", 6.0),
    ("ln(5)", 1.6094379124341003),
    ("log10(1000)", 3.0),
    ("exp(0)", 1.0),
    ("2**10", 1024.0),
    ("2^10", 1024.0),
    ("-2^2", -4.0),              # -(2^2): '^' binds tighter than unary minus, as in maths
    ("2^3^2", 512.0),            # right-associative: 2^(3^2)
    ("2^-1", 0.5),
    ("(1 + 2) * 3", 9.0),
    ("1 + 2 * 3", 7.0),
    ("10 - 4 - 3", 3.0),         # left-associative
    ("12 / 2 / 3", 2.0),
    ("−0.5", -0.5),              # the Unicode minus sign
    ("π/2", 1.5707963267948966),
    ("pi", 3.141592653589793),
    ("e", 2.718281828459045),
    ("  0.25  ", 0.25),
    ("1+" * 400 + "1", 401.0),   # a long sum is not deep nesting
])
def test_values_match_hand_computation(text, value):
    assert parse_answer(text, "L").value == pytest.approx(value, rel=1e-15, abs=0)


def test_log_is_the_natural_logarithm_as_in_the_course_texts():
    assert parse_answer("log(e)").value == pytest.approx(1.0, rel=1e-15)
    assert parse_answer("log(0.2)").value == parse_answer("ln(0.2)").value == math.log(0.2)


@pytest.mark.parametrize("text, kind, decimals, exact", [
    ("1.609", "decimal", 3, Fraction(1609, 1000)),
    ("1.61", "decimal", 2, Fraction(161, 100)),
    ("0.40", "decimal", 2, Fraction(2, 5)),       # trailing zeros count
    ("-0.40", "decimal", 2, Fraction(-2, 5)),
    ("1.6", "decimal", 1, Fraction(8, 5)),
    ("1.", "decimal", 0, Fraction(1)),
    (".5", "decimal", 1, Fraction(1, 2)),
    ("1.6e-3", "decimal", 4, Fraction(16, 10000)),  # 0.0016: four decimal places
    ("2e3", "decimal", -3, Fraction(2000)),         # written to the thousands
    ("5", "integer", None, Fraction(5)),
    ("-3", "integer", None, Fraction(-3)),
    ("+2", "integer", None, Fraction(2)),
    ("1/5", "fraction", None, Fraction(1, 5)),
    ("-1/5", "fraction", None, Fraction(-1, 5)),
    ("3 / 6", "fraction", None, Fraction(1, 2)),
    ("1.0/5", "expression", None, Fraction(1, 5)),
    ("0.1 + 0.2", "expression", None, Fraction(3, 10)),  # rational throughout: exact
    ("2^-2", "expression", None, Fraction(1, 4)),
    ("(1/3)^2", "expression", None, Fraction(1, 9)),
    ("2·3", "expression", None, Fraction(6)),
])
def test_kind_decimals_and_exact_value(text, kind, decimals, exact):
    answer = parse_answer(text)
    assert (answer.kind, answer.decimals, answer.exact) == (kind, decimals, exact)
    assert answer.value == float(exact)
    assert answer.text == text


@pytest.mark.parametrize("text", ["-log(0.2)", "sqrt(4)", "e^2/(1+e^2)", "2^0.5", "1/3 + pi"])
def test_irrational_operations_give_no_exact_value(text):
    answer = parse_answer(text)
    assert answer.kind == "expression" and answer.exact is None and answer.decimals is None


def test_minus_log_of_a_fifth():
    answer = parse_answer("-log(0.2)", "L")
    assert answer == Answer(1.6094379124341003, None, None, "expression", "-log(0.2)")


def test_numbers_that_are_not_text():
    assert parse_answer(5) == Answer(5.0, Fraction(5), None, "integer", "5")
    assert parse_answer(Fraction(1, 5)).exact == Fraction(1, 5)
    assert parse_answer(1.609).decimals == 3  # a float's shortest repr; trailing zeros are already lost
    with pytest.raises(CnnError):
        parse_answer(True)
    with pytest.raises(CnnError):
        parse_answer(10 ** 400)


def test_a_long_exact_power_falls_back_to_the_float():
    answer = parse_answer("1.001^1000")
    assert answer.exact is None
    assert answer.value == pytest.approx(1.001 ** 1000, rel=1e-12)


def _error(text, field="dx[2,1]") -> CnnError:
    with pytest.raises(CnnError) as caught:
        parse_answer(text, field)
    return caught.value


@pytest.mark.parametrize("text, span", [
    ("__import__('os')", (0, 10)),           # the unknown name itself
    ("x.y", (0, 1)),
    ("log(0.2).real", (8, 9)),               # attribute access: the dot
    ("lambda: 1", (0, 6)),
    ("[1, 2][0]", (0, 1)),                   # subscripts and lists
    ("[x for x in (1,)]", (0, 1)),           # comprehensions
    ("open('f')", (0, 4)),
    ("2pi", (1, 3)),                         # a missing operator
    ("2 (3)", (2, 3)),
    ("1/0", (2, 3)),                         # division by zero, under the divisor
    ("1/(2-2)", (3, 6)),
    ("log(0)", (4, 5)),                      # the logarithm of a non-positive number, under the argument
    ("-ln(-1 + 0.5)", (4, 12)),
    ("sqrt(-4)", (5, 7)),
    ("1 +* 2", (3, 4)),
    ("1 +", (3, 4)),                         # the end of the text
    ("log(2, 3)", (5, 6)),
    ("2 $ 3", (2, 3)),
])
def test_refused_input_is_named_with_a_caret_under_it(text, span):
    error = _error(text)
    assert error.field == "dx[2,1]"
    assert error.caret.splitlines()[0] == text
    assert caret_span(error) == span


def test_unknown_names_suggest_a_known_one():
    error = _error("sqr(2)")
    assert "did you mean 'sqrt'" in error.message()


def test_a_decimal_comma_gets_a_hint():
    error = _error("1,609")
    assert "a decimal is written with a point" in error.message()
    assert caret_span(error) == (1, 2)


@pytest.mark.parametrize("text, expected", [
    ("9**9**9", "exponent of at most 1024"),   # refused before 9**387420489 is computed
    ("9^9^9", "exponent of at most 1024"),
    ("2^1024", "float range"),
    ("10**400", "float range"),
    ("1e999", "float range"),
    ("1e-99999999", "float range"),             # not turned into a 10**99999999 denominator
    ("exp(1000)", "float range"),
    ("e^1000", "float range"),
    ("(-8)^(1/3)", "a real result"),
    ("0^-1", "non-zero base"),
    ("(" * 70 + "1" + ")" * 70, "nested parentheses"),
    ("-" * 900 + "1", "nested operations"),
    ("", "an empty answer"),
])
def test_refused_values(text, expected):
    assert expected in _error(text).message()


def test_a_100_kB_expression_is_refused_before_it_is_read():
    error = _error("1+" * 50_000 + "1")
    assert "at most 1,000 characters" in error.message()
    assert "100,001 characters" in error.message()


def test_huge_input_is_refused_quickly():
    import time
    start = time.perf_counter()
    for text in ("9**9**9", "9" * 999, "(" * 999, "1+" * 499 + "1"):
        with pytest.raises(CnnError):
            parse_answer(text + ("+" if text.startswith("1+") else ""))
    assert time.perf_counter() - start < 10  # refused before computing: milliseconds, bounded generously
