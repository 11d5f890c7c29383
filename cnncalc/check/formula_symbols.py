"""The words of a formula: tokens (plain and LaTeX), and how a written name becomes a Symbol.

Used by cnncalc.check.formulas; see there for the notation read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cnncalc.check.polynomial import Symbol
from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs.literals import caret_line

EXPECTED = "a formula like dL/dO_11*W_12 + dL/dO_12*W_11"

TOKEN_RE = re.compile(r"""
    (?P<space>\s+|\$|&|\\[,;:!> ]|\\q?quad(?![A-Za-z])|\\(?:left|right|[bB]ig{1,2}[lr]?)(?![A-Za-z]))
  | (?P<frac>\\[dt]?frac(?![A-Za-z]))
  | (?P<diff>\\partial(?![A-Za-z])|\\delta(?![A-Za-z])|∂|δ|\\(?:mathrm|text|mathit|operatorname)\s*\{\s*d\s*\})
  | (?P<wrapped>\\(?:mathrm|text|mathit|operatorname|mathbf|boldsymbol|bm)\s*\{\s*(?P<inner>[A-Za-z](?:[A-Za-z0-9]|\\?_)*)\s*\})
  | (?P<times>\\cdot(?![A-Za-z])|\\times(?![A-Za-z])|\\ast(?![A-Za-z])|[*·×⋅])
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<name>[A-Za-z][A-Za-z0-9]*)
  | (?P<open>[(\[]|\\\{)
  | (?P<close>[)\]]|\\\})
  | (?P<op>[-+−/^_{},=])
  | (?P<member>\.(?=[A-Za-z]))
  | (?P<bad>\\[A-Za-z]+|.)
""", re.VERBOSE | re.DOTALL)
CLOSERS = {"(": ")", "[": "]", "\\{": "\\}", "{": "}"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        """What the token stands for: '-' for '−', 'd' for any differential, the name inside \\mathrm{..}."""
        if self.kind == "wrapped":
            return TOKEN_RE.fullmatch(self.text).group("inner").replace("\\_", "_")
        return {"−": "-"}.get(self.text, self.text)


def tokenize(text: str, field: str) -> list[Token]:
    tokens = []
    for match in TOKEN_RE.finditer(text):
        token = Token(match.lastgroup, match.group(), match.start(), match.end())
        if token.kind == "bad":
            expected = "a LaTeX command cnncalc reads (\\frac, \\partial, \\delta, \\cdot, \\times, " \
                       "\\left, \\right)" if token.text.startswith("\\") else EXPECTED
            raise CnnError(field, expected, repr(token.text), caret=caret_line(text, token.start, token.end))
        if token.kind != "space":
            tokens.append(token)
    return tokens


def last_side(tokens: list[Token]) -> list[Token]:
    """A pasted equation 'dL/dI_12 = ... = answer': the answer after the last '='."""
    equals = [i for i, token in enumerate(tokens) if token.text == "="]
    return tokens[equals[-1] + 1:] if equals else tokens


class Resolver:
    """Splits a written name and its index groups into a tensor of `axes` and its indices."""

    def __init__(self, parser, first: Token, last: Token):
        self.parser, self.first, self.last = parser, first, last

    def fail(self, expected: str, hint: str = "") -> CnnError:
        written = self.parser.text[self.first.start:self.last.end]
        return self.parser.fail(expected, self.first, repr(written), hint=hint, end=self.last.end)

    def symbol(self, base: str, groups: list[list[Token]], kind: str) -> Symbol:
        axes = self.parser.axes
        for joined in range(len(groups), -1, -1):  # fc_1_3: tensor 'fc_1', entry 3
            name = base + "".join(f"_{group[0].text}" for group in groups[:joined])
            if name in axes and all(len(group) == 1 for group in groups[:joined]):
                return Symbol(kind, name, self.indices(name, axes[name], groups[joined:]))
        if kind == "value" and base.startswith("d") and len(base) > 1:
            try:  # dy_11, the short way to write dL/dy_11
                return self.symbol(base[1:], groups, "grad")
            except CnnError:
                pass
        raise self.fail(f"an entry of a tensor of this problem ({', '.join(axes) or 'none'})",
                        hint=_name_hint(base, axes))

    def indices(self, name: str, count: int, groups: list[list[Token]]) -> tuple[int, ...]:
        runs = [run for group in groups for run in group]
        if len(runs) == 1 and len(groups) == 1 and count > 1:
            digits = runs[0].text
            if len(digits) != count:
                raise self.fail(f"{count} indices for {name}", hint=f"write them with commas, "
                                f"like {name}_{{{','.join(['1'] * count)}}}")
            return tuple(int(digit) for digit in digits)
        if runs and not count:
            raise self.fail(f"{name} with no index (it holds one number)")
        if len(runs) != count:
            example = f"{name}_{'1' * count}" if count else name
            raise self.fail(f"{count} {'index' if count == 1 else 'indices'} for {name}, like {example}")
        return tuple(int(run.text) for run in runs)


def _name_hint(written: str, axes: dict[str, int]) -> str:
    run_together = re.fullmatch(r"([A-Za-z]+)(\d+)", written)
    if run_together and run_together.group(1) in axes:
        return f"write {run_together.group(1)}_{run_together.group(2)}, with '_' before the indices"
    other_case = [name for name in axes if name.lower() == written.lower()]
    return f"did you mean '{other_case[0]}'?" if other_case else did_you_mean(written, axes)
