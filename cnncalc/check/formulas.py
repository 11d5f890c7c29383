"""Formulas as answers, in the user's notation, plain or in LaTeX as the seeds write it.

  dL/dO_11*W_12 + dL/dO_12·W_11              plain; '*', '·', '×' or nothing between factors
  dC/dy_{2,1}*(k_2 + k_1)                    a product of sums is expanded
  \\frac{\\partial L}{\\partial O_{11}} \\cdot W_{22}   LaTeX: \\frac, \\partial, \\delta, d, \\cdot,
  \\frac{\\delta C}{\\delta y_{2,1}} * (k_2 + k_1)      \\times, \\left( \\right), braces, $...$
  x_{1,1}k_1 + x_{2,1}k_2                    juxtaposition multiplies
  \\frac{1}{2} W_11, 0.5*W_11, W_11/2          numbers as coefficients
  dy_11                                      short for dL/dy_11 when dy is not itself a tensor

Symbols are entries of the problem's tensors: `axes` maps each name the user may write to its
number of indices. Indices written with commas (y_{2,1}, W[1,2]) or as separate subscripts
are split there; a run of digits (O_11) is split by `axes`: one digit per index for a 2-D O,
the whole number for a 1-index k (k_12 is k's entry 12). A pasted equation is read from its
last right-hand side.
"""

from __future__ import annotations

from fractions import Fraction

from cnncalc.check.polynomial import (  # the formula API in one place: see __all__
    FormulaDiff, Polynomial, Symbol, Term, TermPair, TooManyTerms, compare, describe_pair,
    format_polynomial, format_term, pair_terms, spell_symbol,
)
from cnncalc.check.formula_symbols import EXPECTED, CLOSERS, Resolver, Token, last_side, tokenize
from cnncalc.errors import CnnError
from cnncalc.inputs.literals import caret_line, short_text

__all__ = ["FormulaDiff", "Polynomial", "Symbol", "Term", "TermPair", "compare", "describe_pair",
           "format_polynomial", "format_term", "pair_terms", "parse_formula", "spell_symbol"]

MAX_LENGTH = 10_000
MAX_NESTING = 32
MAX_POWER = 8


def parse_formula(text: str, field: str, axes: dict[str, int]) -> Polynomial:
    """The user's formula as an expanded polynomial over the entries of the tensors in `axes`.

    `axes` maps a tensor name as the user writes it (W, O, k, fc_1) to its number of indices.
    A bad formula raises CnnError with a caret under the culprit.
    """
    if not isinstance(text, str):
        raise CnnError(field, EXPECTED, f"a {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise CnnError(field, f"a formula of at most {MAX_LENGTH:,} characters", short_text(text))
    tokens = last_side(tokenize(text, field))
    return _Parser(text, tokens, field, axes).formula()


class _Parser:
    """Recursive descent: sum := product (± product)*, product := factor ([*/]? factor)*."""

    def __init__(self, text: str, tokens: list[Token], field: str, axes: dict[str, int]):
        self.text, self.tokens, self.field, self.axes = text, tokens, field, axes
        self.pos, self.depth = 0, 0

    # Tokens ------------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token | None:
        token = self.peek()
        self.pos += 1
        return token

    def at(self, *words: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.word in words

    def fail(self, expected: str, token: Token | None = None, found: str = "", hint: str = "",
             end: int | None = None) -> CnnError:
        if token is None:
            stop = len(self.text.rstrip())
            return CnnError(self.field, expected, found or "the end of the formula", hint=hint,
                            caret=caret_line(self.text, stop, stop + 1))
        return CnnError(self.field, expected, found or repr(token.text), hint=hint,
                        caret=caret_line(self.text, token.start, end or token.end))

    def expect(self, word: str, expected: str) -> Token:
        token = self.take()
        if token is None or token.word != word:
            raise self.fail(expected, token)
        return token

    # Grammar -----------------------------------------------------------------------------

    def formula(self) -> Polynomial:
        if not self.tokens:
            raise CnnError(self.field, EXPECTED, "an empty formula")
        polynomial = self.sum()
        stray = self.peek()
        if stray is not None:
            hint = "write * for a product (a '.' only joins a pipeline layer to its parameter: " \
                   "fc_1.weight_11)" if stray.kind == "member" else ""
            raise self.fail("an operator (+ - * /) or the end of the formula", stray, hint=hint)
        return polynomial

    def sum(self) -> Polynomial:
        total = self.product()
        while self.at("+", "-"):
            sign = self.take().word
            term = self.product()
            total = total + term if sign == "+" else total - term
        return total

    def product(self) -> Polynomial:
        result = self.factor()
        while True:
            operator = self.peek()
            if operator is not None and operator.kind == "times":
                self.take()
                result = self.multiply(result, self.factor(), operator)
            elif self.at("/"):
                self.take()
                result = self.divide(result, operator)
            elif self.starts_factor(operator):
                result = self.multiply(result, self.factor(), operator)
            else:
                return result

    def starts_factor(self, token: Token | None) -> bool:
        """A factor written right after another one (x_{1,1}k_1): an implicit product."""
        return token is not None and (token.kind in ("name", "wrapped", "diff", "frac", "open")
                                      or token.text == "{")

    def multiply(self, left: Polynomial, right: Polynomial, operator: Token) -> Polynomial:
        try:
            return left * right
        except TooManyTerms as error:
            raise self.fail(f"a formula of {error}", operator, "more") from None

    def divide(self, numerator: Polynomial, operator: Token) -> Polynomial:
        start = self.peek()
        denominator = self.factor()
        value = denominator.constant_value()
        if value is None or value == 0:
            last = self.tokens[self.pos - 1]
            found = "zero" if value == 0 else "a symbol"
            raise self.fail("division by a non-zero number only", start or operator, found, end=last.end,
                            hint="a gradient is written dL/dO_11 or \\frac{\\partial L}{\\partial O_{11}}")
        return numerator * Polynomial.constant(1 / value)

    def factor(self) -> Polynomial:
        if self.at("+", "-"):
            sign = self.take()
            self.nest(sign)
            inner = self.factor()
            self.depth -= 1
            return -inner if sign.word == "-" else inner
        base = self.atom()
        if self.at("^"):
            caret = self.take()
            base = self.multiply_power(base, self.exponent(), caret)
        return base

    def multiply_power(self, base: Polynomial, exponent: int, caret: Token) -> Polynomial:
        try:
            return base ** exponent
        except TooManyTerms as error:
            raise self.fail(f"a formula of {error}", caret, "more") from None

    def exponent(self) -> int:
        braced = self.at("{")
        if braced:
            self.take()
        token = self.take()
        if token is None or token.kind != "number" or not token.text.isdigit() or int(token.text) > MAX_POWER:
            raise self.fail(f"a whole power from 0 to {MAX_POWER}", token)
        if braced:
            self.expect("}", "'}'")
        return int(token.text)

    def atom(self) -> Polynomial:
        token = self.peek()
        if token is None:
            raise self.fail("a number, an entry like W_12 or a gradient like dL/dO_11")
        if token.kind == "number":
            self.take()
            return Polynomial.constant(Fraction(token.text))
        if token.kind == "frac":
            return self.fraction()
        if token.kind in ("open",) or token.text == "{":
            return self.group()
        if token.kind in ("diff", "name", "wrapped"):
            gradient = self.gradient()
            if gradient is None and token.kind == "diff":
                raise self.fail("a gradient like dL/dO_11 or \\frac{\\partial L}{\\partial O_{11}}", token)
            return gradient if gradient is not None else self.entry()
        raise self.fail("a number, an entry like W_12 or a gradient like dL/dO_11", token)

    def group(self) -> Polynomial:
        opener = self.take()
        self.nest(opener)
        inner = self.sum()
        closer = CLOSERS[opener.text]
        if not self.at(closer):
            raise self.fail(f"{closer!r} to close the {opener.text!r}", self.peek())
        self.take()
        self.depth -= 1
        return inner

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(f"at most {MAX_NESTING} nested groups or signs", token, "deeper nesting")

    def fraction(self) -> Polynomial:
        """\\frac{\\partial L}{\\partial O_{11}} is a gradient; \\frac{1}{2} and \\frac{W_11}{2} are quotients."""
        frac = self.take()
        if not self.at("{"):
            raise self.fail("'{' after \\frac (\\frac{a}{b})", self.peek())
        gradient = self.braced_gradient()
        if gradient is not None:
            return gradient
        numerator = self.group()
        if not self.at("{"):
            raise self.fail("'{' for the denominator of \\frac", self.peek())
        return self.divide(numerator, frac)

    # Symbols -----------------------------------------------------------------------------

    def differential(self, ahead: int = 0) -> tuple[str, Token, int] | None:
        """A differential at `ahead`: (name, its token, tokens used) for ∂L, \\partial L, d L or dL."""
        token = self.peek(ahead)
        if token is None:
            return None
        following = self.peek(ahead + 1)
        if token.kind == "diff" or (token.word == "d" and token.kind in ("name", "wrapped")):
            if following is not None and following.kind in ("name", "wrapped"):
                return following.word, following, 2
            return None
        if token.kind == "name" and token.text.startswith("d") and len(token.text) > 1:
            return token.text[1:], token, 1
        return None

    def gradient(self) -> Polynomial | None:
        """dL/dO_11 or ∂L/∂O_{11}: a loss's differential, '/', an entry's differential."""
        numerator = self.differential()
        if numerator is None or not self.at("/", ahead=numerator[2]):
            return None
        denominator = self.differential(numerator[2] + 1)
        if denominator is None:
            return None
        self.pos += numerator[2] + 1
        return self.gradient_entry(numerator, denominator)

    def braced_gradient(self) -> Polynomial | None:
        numerator = self.differential(1)
        if numerator is None or not self.at("}", ahead=1 + numerator[2]):
            return None
        self.pos += 2 + numerator[2]
        self.expect("{", "'{' for the denominator of \\frac")
        denominator = self.differential()
        if denominator is None:
            raise self.fail("the entry the loss is differentiated by, like \\partial O_{11}", self.peek())
        gradient = self.gradient_entry(numerator, denominator)
        self.expect("}", "'}' to close the denominator of \\frac")
        return gradient

    def gradient_entry(self, numerator: tuple[str, Token, int], denominator: tuple[str, Token, int]) -> Polynomial:
        loss, loss_token, _ = numerator
        if self.axes.get(loss, 0) > 0:
            raise self.fail("the loss in the numerator of a gradient, like dL/dO_11", loss_token, repr(loss),
                            hint=f"d{loss}/d... is a chain-rule factor: write the formula with entries")
        name, token, used = denominator
        self.pos += used
        symbol = self.resolve(name, token, "grad")
        return Polynomial.of_symbol(symbol, loss)

    def entry(self) -> Polynomial:
        token = self.take()
        return Polynomial.of_symbol(self.resolve(token.word, token, "value"))

    def resolve(self, base: str, token: Token, kind: str) -> Symbol:
        groups = self.subscripts(token)
        while self.at_member():  # a pipeline parameter: conv_1.weight_{1,1,1,1}
            base = self.member_of(base, groups, token)
            groups = self.subscripts(token)
        last = self.tokens[self.pos - 1]
        return Resolver(self, token, last).symbol(base, groups, kind)

    def at_member(self) -> bool:
        dot, after = self.peek(), self.peek(1)
        return (dot is not None and dot.kind == "member" and after is not None and after.kind == "name"
                and dot.start == self.tokens[self.pos - 1].end and after.start == dot.end
                and any("." in name for name in self.axes))  # else '.' is a mistake for '*'; see formula()

    def member_of(self, base: str, groups: list[list[Token]], first: Token) -> str:
        """'conv', [[1]], '.weight' -> 'conv_1.weight': the groups before a '.' are part of the name."""
        if any(len(group) != 1 for group in groups):
            written = self.text[first.start:self.peek().start]
            raise self.fail("a layer name before '.', like conv_1", first, repr(written), end=self.peek().start)
        self.take()
        part = self.take()
        return base + "".join(f"_{group[0].text}" for group in groups) + "." + part.text

    def subscripts(self, token: Token) -> list[list[Token]]:
        """Index groups after a name: _11, _{2,1}, _1_3, [1,2]; each group a list of digit runs."""
        groups = []
        while self.at("_") or (self.at("[") and self.peek().start == self.tokens[self.pos - 1].end):
            opener = self.take()
            braced = opener.text == "[" or self.at("{")
            if opener.text == "_" and braced:
                self.take()
            groups.append(self.index_runs(braced, "]" if opener.text == "[" else "}"))
        return groups

    def index_runs(self, braced: bool, closer: str) -> list[Token]:
        runs = [self.index_digits()]
        while self.at(","):
            self.take()
            runs.append(self.index_digits())
        if braced:
            self.expect(closer, f"{closer!r} after the indices")
        return runs

    def index_digits(self) -> Token:
        token = self.take()
        if token is None or token.kind != "number" or not token.text.isdigit():
            raise self.fail("numbers as indices, like W_12 or y_{2,1}", token,
                            hint="a formula answer names concrete entries, not i, j")
        return token
