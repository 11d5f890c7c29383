"""One Step as text: the formula in the user's notation, the numbers put in, the result.

  sum/chain  O_11 = I_11·W_11 + I_12·W_12 + b = 1×1 + 0×(−1) + 1 = 2
  max        O_11 = max(I_11, I_12) = max(1, 3) = 3; dL/dO_11 goes to I_12 (ties: first)
  size       rows of O: ⌊(3 + 0 + 0 − 2) / 1⌋ + 1 = 2
"""

from __future__ import annotations

from fractions import Fraction

from cnncalc.render.numbers import format_number

SPECIAL = {"exp(z)": "exp({z})", "y − t": "({y} − {t})"}


class StepWriter:
    def __init__(self, naming, shapes: dict, precision: int, symbolic: bool):
        self.naming, self.shapes, self.precision, self.symbolic = naming, shapes, precision, symbolic

    # --- names and numbers -------------------------------------------------------------------
    def entry(self, name: str, index) -> str:
        """One entry in the user's notation: W_12, dL/dO_11, k_2 (a 2×1 kernel), exp(z_1)."""
        index = tuple(index)
        if name in SPECIAL:
            parts = {key: self.naming.subscript(key, index, self.shapes.get(key)) for key in ("z", "y", "t")}
            return SPECIAL[name].format(**parts)
        if name == "Σexp(z)":
            rows = (self.shapes.get("z") or (1,))[0] if len(self.shapes.get("z") or ()) == 2 else 1
            row = f"[{index[0] + self.naming.base}]" if index and rows > 1 else ""
            return f"Σ exp({self.naming.shown('z')}){row}"
        if name == "∂p/∂z":
            *row, i, j = index
            return f"∂{self.entry('p', (*row, i))}/∂{self.entry('z', (*row, j))}"
        return self.naming.subscript(name, index, self.shapes.get(name))

    def number(self, value: float) -> str:
        return format_number(value, self.precision)

    def _factor(self, factor) -> str:
        text = self.entry(factor.name, factor.index)
        if factor.function in ("exp",):
            return f"exp({text})"
        if factor.function == "ln":
            return f"ln {text}"
        return f"{factor.function}({text})" if factor.function else text

    def _factor_number(self, factor) -> str:
        text = self.number(factor.value)
        return f"({text})" if text.startswith("-") else text

    # --- terms -----------------------------------------------------------------------------
    def _term(self, term, numeric: bool) -> tuple[bool, str]:
        """(negative, text without its sign) of one term."""
        spell = self._factor_number if numeric else self._factor
        times = "×" if numeric else "·"
        top = [spell(f) + ("²" if f.power == 2 else "") for f in term.factors if f.power >= 0]
        bottom = [spell(f) for f in term.factors if f.power < 0]
        c = abs(Fraction(term.coefficient))
        if c.numerator != 1 or not top:
            top.insert(0, str(c.numerator))
        text = times.join(top)
        for part in bottom + ([str(c.denominator)] if c.denominator != 1 else []):
            text += f"/{part}"
        return term.coefficient < 0, text

    def terms(self, terms, numeric: bool) -> str:
        if not terms:
            return "0"
        pieces = [self._term(term, numeric) for term in terms]
        text = ("−" if pieces[0][0] else "") + pieces[0][1]
        for negative, piece in pieces[1:]:
            text += (" − " if negative else " + ") + piece
        return text

    def grid_title(self, grid) -> str:
        shown = self.naming.shown(grid.name)
        where = f" [{', '.join(str(i + self.naming.base) for i in grid.index)}]" if grid.index else ""
        return f"{shown}{where} {grid.role}".rstrip()

    # --- steps -----------------------------------------------------------------------------
    def lines(self, step) -> list[str]:
        from cnncalc.render.explanation_kinds import WRITERS

        return WRITERS[step.kind](self, step)

    def target(self, step) -> str:
        return self.entry(step.target.name, step.target.index)

    def equation(self, step) -> str:
        """target = formula [= numbers = value]."""
        text = f"{self.target(step)} = {self.terms(step.terms, False)}"
        if self.symbolic or step.value is None or not step.terms or \
                any(f.value is None for t in step.terms for f in t.factors):
            return text  # no terms: the formula is the value (dL/dx_12 = 0, not 0 = 0)
        numbers = self.terms(step.terms, True)
        value = self.number(step.value)
        return text + ("" if numbers == value else f" = {numbers}") + f" = {value}"
