"""Inline literals typed on the command line: numbers, tensors, shapes.

  "[[1,2],[3,4]]"   nested lists, as in YAML/JSON
  "1 2; 3 4"        matrix rows, MATLAB/NumPy style (no ';' gives a vector)
  "1/10", "-2.5e-3" numbers: integers, decimals, scientific, fractions
  "3x3", "2x4x4"    a shape alone: a symbolic tensor

A bad token is reported with a caret under it.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from cnncalc.errors import CnnError, printable, window

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
NUMBER_RE = re.compile(rf"(?P<num>{_NUMBER})(?:\s*/\s*(?P<den>{_NUMBER}))?")
SHAPE_RE = re.compile(r"^\s*\d+(?:\s*[x×]\s*\d+)+\s*$")
MAX_DEPTH = 64
_TOKEN_RE = re.compile(rf"\s*(?:(?P<open>\[)|(?P<close>\])|(?P<comma>,)|(?P<number>{NUMBER_RE.pattern})|(?P<bad>\S+?(?=[\s,\[\]]|$)))")


def caret_line(text: str, start: int, end: int) -> str:
    """A short window of `text` (control characters escaped) and a caret line under text[start:end]."""
    quoted, start, end = window(text, start, end)
    return f"{quoted}\n{' ' * start}{'^' * max(1, end - start)}"


def parse_number(text: str, field: str = "value"):
    """A number from text: int, float, scientific or a fraction a/b (kept exact)."""
    match = NUMBER_RE.fullmatch(text.strip())
    if not match:
        raise CnnError(field, "a number (like 3, -0.5, 1e-3 or 1/10)", repr(text))
    return _number_value(match, field, text)


def _number_value(match: re.Match, field: str, text: str):
    num = _plain_number(match.group("num"), field)
    if num == 0 and re.search(r"[1-9]", re.split(r"[eE]", match.group("num"))[0]):
        raise CnnError(field, "a number float64 can hold (down to about 4.9e-324 in size)",
                       f"{short_text(text)} (it rounds to 0)")
    if match.group("den") is None:
        return num
    den = _plain_number(match.group("den"), field)
    if den == 0 and re.search(r"[1-9]", match.group("den").split("e")[0].split("E")[0]):
        raise CnnError(field, "a denominator within the float range (at least about 4.9e-324 in size)",
                       f"{short_text(text)} (the denominator rounds to 0)")
    if den == 0:
        raise CnnError(field, "a fraction with a non-zero denominator", short_text(text))
    if isinstance(num, int) and isinstance(den, int):
        return Fraction(num) / Fraction(den)
    return _in_float_range(num / den, field, text)


def _plain_number(text: str, field: str):
    try:
        value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except ValueError:  # more digits than Python converts
        value = math.inf
    return _in_float_range(value, field, text)


BOOL_HINT = "YAML reads yes, no, on, off, true and false as booleans"


def number_from(value, field: str):
    """A number from a YAML value or text: int, float or Fraction, finite within the float range.
    The one reader of a single number, for tensor entries, fills and number options alike."""
    if isinstance(value, bool):
        raise CnnError(field, "a number", str(value).lower(), hint=BOOL_HINT)
    if isinstance(value, str):
        return parse_number(value, field)
    if value is None or not isinstance(value, (int, float, Fraction)):
        raise CnnError(field, "a number", repr(value) if value is None else type(value).__name__)
    return _in_float_range(value, field, str(value))


def _in_float_range(value, field: str, text: str):
    """`value` if it converts to a finite float; `text` is what the user wrote."""
    try:
        finite = math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        raise CnnError(field, "a finite number within the float range (about ±1.8e308)", short_text(text))
    return value


def short_text(text: str, width: int = 24) -> str:
    """repr(text), cut to `width` characters for a message."""
    shown = repr(text) if len(text) <= width else f"{text[:width]!r}... ({len(text):,} characters)"
    return printable(shown)


def is_shape_text(text: str) -> bool:
    return bool(SHAPE_RE.match(text))


def parse_shape(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.split(r"\s*[x×]\s*", text.strip()))


def parse_literal(text: str, field: str):
    """Inline tensor text as nested Python lists of numbers (or one number)."""
    stripped = text.strip()
    if not stripped:
        raise CnnError(field, "a number or a tensor", "an empty value")
    if stripped.startswith("["):
        return _NestedParser(text, field).parse()
    if ";" in stripped or re.search(r"[\s,]", stripped):
        return _parse_rows(text, field)
    return _single_number(text, field)


def _single_number(text: str, field: str):
    if NUMBER_RE.fullmatch(text.strip()):
        return parse_number(text, field)
    start = len(text) - len(text.lstrip())
    raise CnnError(field, "a number, a tensor like [[1,2],[3,4]] or '1 2; 3 4', or a shape like 3x3",
                   repr(text.strip()), caret=caret_line(text, start, len(text.rstrip())))


def _parse_rows(text: str, field: str):
    rows, offset = [], 0
    for chunk in text.split(";"):
        rows.append(_parse_row(text, chunk, offset, field))
        offset += len(chunk) + 1
    if ";" not in text:
        return rows[0]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise CnnError(field, "rows of equal length", f"row lengths {[len(r) for r in rows]}")
    return rows


def _parse_row(text: str, chunk: str, offset: int, field: str) -> list:
    """Numbers separated by spaces or by one comma each: '1,,2' and a dangling ',' are refused."""
    row, after_number = [], False
    for match in re.finditer(r"[^\s,]+|,", chunk):
        token, start = match.group(), offset + match.start()
        if token == ",":
            if not after_number:
                raise CnnError(field, "a number before each ','", "','", caret=caret_line(text, start, start + 1))
            after_number = False
            continue
        number = NUMBER_RE.fullmatch(token)
        if not number:
            raise CnnError(field, "a number", repr(token), caret=caret_line(text, start, start + len(token)))
        row.append(_number_value(number, field, token))
        after_number = True
    if row and not after_number:
        end = offset + chunk.rstrip().rindex(",")
        raise CnnError(field, "a number after each ','", "the end of the row", caret=caret_line(text, end, end + 1))
    if not row:
        raise CnnError(field, "at least one number in every row", "an empty row",
                       caret=caret_line(text, offset, offset + len(chunk)))
    return row


class _NestedParser:
    """Recursive descent over '[', ']', ',' and numbers, remembering positions for carets."""

    def __init__(self, text: str, field: str):
        self.text, self.field = text, field
        self.tokens = [(m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup), m.end(m.lastgroup))
                       for m in _TOKEN_RE.finditer(text) if m.lastgroup]
        self.pos, self.depth = 0, 0

    def fail(self, expected: str, token=None) -> CnnError:
        if token is None:
            end = len(self.text.rstrip())
            return CnnError(self.field, expected, "the end of the text", caret=caret_line(self.text, end, end + 1))
        _, value, start, end = token
        return CnnError(self.field, expected, repr(value), caret=caret_line(self.text, start, end))

    def next(self):
        token = self.tokens[self.pos] if self.pos < len(self.tokens) else None
        self.pos += 1
        return token

    def parse(self):
        value = self.value()
        if self.pos < len(self.tokens):
            raise self.fail("the end of the tensor", self.tokens[self.pos])
        return value

    def value(self):
        token = self.next()
        if token is None:
            raise self.fail("a number or '['")
        kind, text, _, _ = token
        if kind == "number":
            return _number_value(NUMBER_RE.fullmatch(text), self.field, text)
        if kind == "open":
            return self.items(token)
        raise self.fail("a number or '['", token)

    def items(self, opener) -> list:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CnnError(self.field, f"at most {MAX_DEPTH} levels of '['", "deeper nesting",
                           caret=caret_line(self.text, opener[2], opener[3]))
        items = self._items()
        self.depth -= 1
        return items

    def _items(self) -> list:
        items = []
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "close":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            token = self.next()
            if token is not None and token[0] == "close":
                return items
            if token is None or token[0] != "comma":
                raise self.fail("',' or ']'", token)
