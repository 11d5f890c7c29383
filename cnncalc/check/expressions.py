"""Numbers a person writes by hand as answers: 1.609, 0.40, 1/5, -log(0.2), e^2/(1+e^2).

A small whitelisting evaluator over Python's `ast`, never `eval`:

  numbers     3, -0.5, .25, 1.6e-3
  operators   + - * / ^ ** and unary minus; '·', '×', '⋅' multiply, '÷' divides, '−' is minus
  functions   ln, log (natural, as in the course texts), log10, exp, sqrt (one argument each)
  constants   e, pi (also 'π')

'^' becomes '**' token by token before parsing, so -e^2 is -(e**2) and 2^3^2 is 2^(3^2).
An answer keeps what the user wrote: its kind, the decimals written (1.609 has 3, 0.40 has
2, for a precision-aware tolerance) and, when every operation was rational, its exact value.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs.literals import caret_line, short_text

MAX_LENGTH = 1000
MAX_EXPONENT = 1024
MAX_EXACT_BITS = 8192
MAX_NESTING = 64
MAX_LITERAL_EXPONENT = 400
EXPECTED = "a number or an expression like 1.609, 1/5 or -log(0.2)"

FUNCTIONS = {"ln": math.log, "log": math.log, "log10": math.log10, "exp": math.exp, "sqrt": math.sqrt}
CONSTANTS = {"e": math.e, "pi": math.pi, "π": math.pi}
_SPELLINGS = {"^": "**", "·": "*", "×": "*", "⋅": "*", "÷": "/", "−": "-", "π": "pi"}
_TOKEN_RE = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*|π)
  | (?P<op>\*\*|[-+*/^()·×⋅÷−])
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)
_DECIMAL_RE = re.compile(r"\d*(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?")


@dataclass(frozen=True)
class Answer:
    """A number as the user wrote it.

    kind: 'integer' (5), 'decimal' (0.40, 1.6e-3), 'fraction' (-1/5) or 'expression'.
    exact: the rational value when every operation was rational, else None.
    decimals: for a decimal, the decimal places written (0.40 -> 2, 1.6e-3 -> 4, 2e3 -> -3).
    """

    value: float
    exact: Fraction | None
    decimals: int | None
    kind: str
    text: str


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str  # as written
    start: int
    end: int

    @property
    def python(self) -> str:
        return " " if self.kind == "space" else _SPELLINGS.get(self.text, self.text)


@dataclass(frozen=True)
class _Num:
    value: float
    exact: Fraction | None


def parse_answer(text, field: str = "value") -> Answer:
    """Read one hand-written answer; a bad one raises CnnError with a caret under the culprit."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float, Fraction)):
        raise CnnError(field, EXPECTED, f"a {type(text).__name__}")
    if isinstance(text, int):
        return _from_integer(text, field)
    if isinstance(text, Fraction):
        return Answer(_finite(float(text), field, str(text)), text, None, "fraction", str(text))
    source = repr(text) if isinstance(text, float) else text
    if len(source) > MAX_LENGTH:
        raise CnnError(field, f"an answer of at most {MAX_LENGTH:,} characters", short_text(source))
    tokens = _tokenize(source, field)
    number = _evaluate(source, tokens, field)
    kind, decimals = _kind_of([t for t in tokens if t.kind != "space"])
    return Answer(number.value, number.exact, decimals, kind, source)


def _from_integer(value: int, field: str) -> Answer:
    text = str(value) if abs(value) < 10 ** 400 else f"an integer of {len(str(value)):,} digits"
    try:
        as_float = float(value)
    except OverflowError:
        as_float = math.inf
    return Answer(_finite(as_float, field, text), Fraction(value), None, "integer", text)


def _tokenize(text: str, field: str) -> list[_Token]:
    tokens, depth, previous = [], 0, None
    for match in _TOKEN_RE.finditer(text):
        token = _Token(match.lastgroup, match.group(), match.start(), match.end())
        _check_token(text, token, previous, field)
        depth += {"(": 1, ")": -1}.get(token.text, 0)
        if depth > MAX_NESTING:
            raise _error(field, text, token, f"at most {MAX_NESTING} nested parentheses", "deeper nesting")
        tokens.append(token)
        previous = token if token.kind != "space" else previous
    if previous is None:
        raise CnnError(field, EXPECTED, "an empty answer")
    return tokens


def _check_token(text: str, token: _Token, previous: _Token | None, field: str) -> None:
    if token.kind == "bad":
        comma = token.text == "," and previous is not None and previous.kind == "number"
        raise _error(field, text, token, f"{EXPECTED} (digits, + - * / ^, parentheses, "
                     f"{', '.join(FUNCTIONS)}, e, pi)", repr(token.text),
                     hint="a decimal is written with a point: 1.5" if comma else "")
    if token.kind == "name" and token.text not in FUNCTIONS and token.text not in CONSTANTS:
        raise _error(field, text, token, f"a known function ({', '.join(FUNCTIONS)}) or constant (e, pi)",
                     repr(token.text), hint=did_you_mean(token.text, [*FUNCTIONS, "e", "pi"]))
    if token.kind == "number" and _literal_exponent(token.text) > MAX_LITERAL_EXPONENT:
        raise _error(field, text, token, "a number within the float range (about ±1.8e308)", repr(token.text))
    if previous is not None and _ends_operand(previous) and _starts_operand(token) \
            and not (previous.kind == "name" and token.text == "("):
        raise _error(field, text, token, f"an operator between {previous.text!r} and {token.text!r}",
                     repr(token.text), hint=f"write {previous.text}*{token.text} for a product")


def _literal_exponent(number: str) -> int:
    exponent = _DECIMAL_RE.fullmatch(number).group("exp")
    return abs(int(exponent)) if exponent else 0


def _ends_operand(token: _Token) -> bool:
    return token.kind in ("number", "name") or token.text == ")"


def _starts_operand(token: _Token) -> bool:
    return token.kind in ("number", "name") or token.text == "("


def _error(field: str, text: str, token: _Token, expected: str, found: str, hint: str = "") -> CnnError:
    return CnnError(field, expected, found, hint=hint, caret=caret_line(text, token.start, token.end))


def _kind_of(tokens: list[_Token]) -> tuple[str, int | None]:
    """The answer's kind from its tokens, and the decimals written for a plain decimal."""
    texts = [t.python for t in tokens]
    if texts and texts[0] in "+-" and len(texts) > 1:
        tokens, texts = tokens[1:], texts[1:]
    if len(tokens) == 1 and tokens[0].kind == "number":
        return _number_kind(tokens[0].text)
    if len(tokens) == 3 and texts[1] == "/" and all(t.kind == "number" and t.text.isdigit() for t in tokens[::2]):
        return "fraction", None
    return "expression", None


def _number_kind(number: str) -> tuple[str, int | None]:
    if number.isdigit():
        return "integer", None
    parts = _DECIMAL_RE.fullmatch(number)
    return "decimal", len(parts.group("frac") or "") - int(parts.group("exp") or 0)


def _evaluate(text: str, tokens: list[_Token], field: str) -> _Num:
    source, origins = _python_source(tokens)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise _syntax_error(text, tokens, origins, error, field) from None
    except (RecursionError, MemoryError, ValueError):
        raise CnnError(field, EXPECTED, "an expression nested too deeply") from None
    return _Evaluator(text, field, origins).number(tree.body, 0)


def _python_source(tokens: list[_Token]) -> tuple[str, dict[int, _Token]]:
    """The Python spelling of the tokens, and which token starts and ends at each offset."""
    pieces, origins, offset = [], {}, 0
    for token in tokens:
        if token.kind == "space" and offset == 0:
            continue  # Python refuses leading blanks as an indent
        python = token.python
        origins.setdefault(offset, token)
        origins[-(offset + len(python))] = token  # negative keys: ends
        pieces.append(python)
        offset += len(python)
    return "".join(pieces), origins


def _syntax_error(text, tokens, origins, error: SyntaxError, field: str) -> CnnError:
    offset = (error.offset or 0) - 1  # 0 or None: Python ran out of text
    token = origins.get(offset)
    if token is None or offset < 0 or offset >= sum(len(t.python) for t in tokens):
        end = len(text.rstrip())
        return CnnError(field, EXPECTED, "the end of the text", caret=caret_line(text, end, end + 1))
    return _error(field, text, token, EXPECTED, repr(token.text))


def _finite(value: float, field: str, text: str) -> float:
    if not math.isfinite(value):
        raise CnnError(field, "a finite number within the float range (about ±1.8e308)", short_text(text))
    return value


class _Evaluator:
    """Walks the whitelisted nodes; anything else is refused with a caret under it."""

    def __init__(self, text: str, field: str, origins: dict[int, _Token]):
        self.text, self.field, self.origins = text, field, origins

    def fail(self, node: ast.AST, expected: str, found: str = "", hint: str = "") -> CnnError:
        first = self.origins.get(node.col_offset)
        last = self.origins.get(-node.end_col_offset, first)
        start, end = (first.start, last.end) if first and last else (0, len(self.text))
        found = found or repr(self.text[start:end])
        return CnnError(self.field, expected, found, hint=hint, caret=caret_line(self.text, start, end))

    def number(self, node: ast.AST, depth: int) -> _Num:
        if depth > MAX_NESTING:
            raise self.fail(node, f"at most {MAX_NESTING} nested operations", "deeper nesting")
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return self.constant(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.number(node.operand, depth + 1)
            return _Num(-operand.value, _negate(operand.exact)) if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            return self.chain(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail(node, EXPECTED, hint="only numbers, + - * / ^, parentheses, "
                        f"{', '.join(FUNCTIONS)}, e and pi")

    def chain(self, node: ast.BinOp, depth: int) -> _Num:
        """a + b - c + ...: the left spine walked in a loop, so a long sum is not deep nesting."""
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp) and type(spine[-1].left.op) in _ARITHMETIC:
            spine.append(spine[-1].left)
        total = self.number(spine[-1].left, depth + 1)
        for operation in reversed(spine):
            right = self.number(operation.right, depth + 1)
            total = self.checked(operation, _ARITHMETIC[type(operation.op)](self, operation, total, right))
        return total

    def literal(self, node: ast.Constant) -> _Num:
        written = self.origins[node.col_offset].text
        return self.rational(node, Fraction(written))

    def constant(self, node: ast.Name) -> _Num:
        if node.id not in CONSTANTS:
            raise self.fail(node, "a known constant (e, pi) or function (" + ", ".join(FUNCTIONS) + ")",
                            hint=f"{node.id!r} is not one")
        return _Num(CONSTANTS[node.id], None)

    def call(self, node: ast.Call, depth: int) -> _Num:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise self.fail(node.func, "a known function (" + ", ".join(FUNCTIONS) + ")")
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise self.fail(node, f"{name}(x) with one argument")
        argument = self.number(node.args[0], depth + 1)
        if name in ("ln", "log", "log10") and argument.value <= 0:
            raise self.fail(node.args[0], f"a positive number inside {name}()", f"{argument.value:g}",
                            hint="the logarithm of zero or a negative number is undefined")
        if name == "sqrt" and argument.value < 0:
            raise self.fail(node.args[0], "a non-negative number inside sqrt()", f"{argument.value:g}")
        try:
            return self.checked(node, _Num(FUNCTIONS[name](argument.value), None))
        except OverflowError:
            raise self.too_large(node) from None

    def checked(self, node: ast.AST, number: _Num) -> _Num:
        if not math.isfinite(number.value):
            raise self.too_large(node)
        return number

    def too_large(self, node: ast.AST) -> CnnError:
        return self.fail(node, "a result within the float range (about ±1.8e308)")

    def divide(self, node: ast.BinOp, left: _Num, right: _Num) -> _Num:
        if right.value == 0 or right.exact == 0:
            raise self.fail(node.right, "a non-zero divisor", hint="division by zero")
        if left.exact is not None and right.exact is not None:
            return self.rational(node, left.exact / right.exact)
        return _Num(left.value / right.value, None)

    def power(self, node: ast.BinOp, base: _Num, exponent: _Num) -> _Num:
        if abs(exponent.value) > MAX_EXPONENT and abs(base.value) != 1:
            raise self.fail(node.right, f"an exponent of at most {MAX_EXPONENT} in size", f"{exponent.value:g}")
        if base.value == 0 and exponent.value < 0:
            raise self.fail(node, "a non-zero base for a negative power", hint="division by zero")
        if exponent.exact is not None and exponent.exact.denominator == 1 and base.exact is not None:
            return self.exact_power(node, base.exact, int(exponent.exact))
        if base.value < 0 and not float(exponent.value).is_integer():
            raise self.fail(node, "a real result", hint="a negative number to a fractional power is not real")
        try:
            return _Num(math.pow(base.value, exponent.value), None)
        except OverflowError:
            raise self.too_large(node) from None

    def exact_power(self, node: ast.BinOp, base: Fraction, exponent: int) -> _Num:
        size = max(base.numerator.bit_length(), base.denominator.bit_length())
        if base in (0, 1, -1) or abs(exponent) * size <= MAX_EXACT_BITS:
            return self.rational(node, base ** exponent)
        try:  # too long to keep exact (1.001^1000): its float is still a fine answer
            return _Num(math.pow(float(base), exponent), None)
        except OverflowError:
            raise self.too_large(node) from None

    def rational(self, node: ast.AST, exact: Fraction) -> _Num:
        try:
            return _Num(float(exact), exact)
        except OverflowError:
            raise self.too_large(node) from None


def _negate(exact: Fraction | None) -> Fraction | None:
    return None if exact is None else -exact


def _combine(operation):
    def apply(evaluator: _Evaluator, node: ast.BinOp, left: _Num, right: _Num) -> _Num:
        if left.exact is not None and right.exact is not None:
            return evaluator.rational(node, operation(left.exact, right.exact))
        return _Num(operation(left.value, right.value), None)
    return apply


_ARITHMETIC = {
    ast.Add: _combine(lambda a, b: a + b),
    ast.Sub: _combine(lambda a, b: a - b),
    ast.Mult: _combine(lambda a, b: a * b),
    ast.Div: _Evaluator.divide,
    ast.Pow: _Evaluator.power,
}
