"""Derivation steps in LaTeX math: the text StepWriter with every entry, number and sum spelt as math.

The step kinds' own wording (cnncalc.render.explanation_kinds) is reused as it is; the entries
and numbers it puts in come back marked as math (latex_names.math), so a line of a derivation is
words with math inside, ready for align* (LaTeX) or $`...`$ (Markdown). An equation's alignment
point and the places a long sum may break are marked (ALIGN, BREAK).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from cnncalc.render.explanation import explanation_view, grid_view
from cnncalc.render.explanation_kinds import TIES, WRITERS
from cnncalc.render.explanation_text import StepWriter
from cnncalc.render.latex_names import ALIGN, BREAK, TexNames, math
from cnncalc.render.latex_text import number as number_tex
from cnncalc.render.numbers import format_number

EQUATION_KINDS = ("sum", "chain", "max")
FUNCTIONS = {"exp": r"\exp", "ln": r"\ln"}


class TexStepWriter(StepWriter):
    """A StepWriter whose entries, numbers and sums are LaTeX math, marked inside the text."""

    def __init__(self, naming, shapes: dict, precision: int, symbolic: bool):
        super().__init__(naming, shapes, precision, symbolic)
        self.names = TexNames(naming)

    # --- names and numbers, as bare LaTeX -------------------------------------------------------
    def entry_tex(self, name: str, index, shape=None) -> str:
        index = tuple(index)
        if name == "exp(z)":
            return rf"\exp({self.entry_tex('z', index)})"
        if name == "y − t":
            return f"({self.entry_tex('y', index)} - {self.entry_tex('t', index)})"
        if name == "Σexp(z)":
            z_shape = self.shapes.get("z") or (1,)
            row = f"_{{[{index[0] + self.naming.base}]}}" if index and len(z_shape) == 2 and z_shape[0] > 1 else ""
            return rf"\textstyle\sum \exp({self.names.name('z')}){row}"
        if name == "∂p/∂z":
            *row, i, j = index
            return rf"\frac{{\partial {self.entry_tex('p', (*row, i))}}}{{\partial {self.entry_tex('z', (*row, j))}}}"
        return self.names.entry(name, index, self.shapes.get(name) if shape is None else shape)

    def number_tex(self, value) -> str:
        return number_tex(format_number(value, self.precision))

    def factor_tex(self, factor) -> str:
        text = self.entry_tex(factor.name, factor.index)
        if factor.function in FUNCTIONS:
            return rf"{FUNCTIONS[factor.function]}({text})" if factor.function == "exp" else rf"\ln {text}"
        if factor.function:
            base, primes = factor.function.rstrip("'"), "'" * (len(factor.function) - len(factor.function.rstrip("'")))
            return rf"\mathrm{{{base}}}{primes}({text})"
        return text

    def _value_tex(self, factor) -> str:
        text = self.number_tex(factor.value)
        return f"({text})" if text.startswith("-") else text

    def term_tex(self, term, numeric: bool) -> tuple[bool, str]:
        """(negative, LaTeX without its sign) of one term: products with · (symbols) or × (numbers)."""
        spell = self._value_tex if numeric else self.factor_tex
        top = [spell(f) + ("^{2}" if f.power == 2 else "") for f in term.factors if f.power >= 0]
        bottom = [spell(f) for f in term.factors if f.power < 0]
        c = abs(Fraction(term.coefficient))
        if c.numerator != 1 or not top:
            top.insert(0, str(c.numerator))
        text = (r" \times " if numeric else r" \cdot ").join(top)
        if c.denominator != 1:
            bottom.append(str(c.denominator))
        if bottom:
            below = r" \cdot ".join(bottom)
            text = rf"\frac{{{text}}}{{{below}}}"
        return term.coefficient < 0, text

    def terms_tex(self, terms, numeric: bool) -> str:
        if not terms:
            return "0"
        pieces = [self.term_tex(term, numeric) for term in terms]
        text = ("-" if pieces[0][0] else "") + pieces[0][1]
        for negative, piece in pieces[1:]:
            text += f"{BREAK} {'-' if negative else '+'} {piece}"
        return text

    # --- the text writer's interface, answering with marked math ---------------------------------
    def entry(self, name: str, index) -> str:
        return math(self.entry_tex(name, index))

    def number(self, value: float) -> str:
        return math(self.number_tex(value))

    def terms(self, terms, numeric: bool) -> str:
        return math(self.terms_tex(terms, numeric))

    def equation(self, step) -> str:
        """target = formula [= numbers = value], one math piece aligned at its first '='."""
        text = f"{self.entry_tex(step.target.name, step.target.index)} {ALIGN}= {self.terms_tex(step.terms, False)}"
        if step.terms and not (self.symbolic or step.value is None or
                               any(f.value is None for t in step.terms for f in t.factors)):
            numbers, value = self.terms_tex(step.terms, True), self.number_tex(step.value)
            text += ("" if numbers == value else f"{BREAK} = {numbers}") + f"{BREAK} = {value}"
        return math(text)

    def lines(self, step) -> list[str]:
        return TEX_WRITERS[step.kind](self, step)


def tex_max(writer: TexStepWriter, step) -> list[str]:
    """target = max(cells) = max(numbers) = value; where the upstream gradient goes, as in the text."""
    cells = [writer.entry_tex(t.factors[0].name, t.factors[0].index) for t in step.terms]
    text = rf"{writer.entry_tex(step.target.name, step.target.index)} {ALIGN}= \max({', '.join(cells)})"
    if not writer.symbolic:
        numbers = ", ".join(writer.number_tex(t.factors[0].value) for t in step.terms)
        text += rf"{BREAK} = \max({numbers}){BREAK} = {writer.number_tex(step.value)}"
    upstream = writer.entry_tex("dy", step.target.index, writer.shapes.get("dy") or writer.shapes.get("y"))
    share = step.detail["share"]
    amount = upstream if share == 1 else rf"\frac{{{upstream}}}{{{share.denominator}}}"
    chosen = [math(cells[k]) for k in step.chosen]
    where = chosen[0] if len(chosen) == 1 else "each of " + ", ".join(chosen)
    ties = step.detail["ties"]
    note = f", {step.detail['tied']} tied: {TIES[ties]}" if step.detail["tied"] > 1 else ""
    return [f"{math(text)}; {math(amount)} goes to {where} (ties: {ties}{note})"]


TEX_WRITERS = {**WRITERS, "max": tex_max}


@dataclass
class TexStep:
    lines: list[str]                 # words with marked math
    grids: list = field(default_factory=list)   # TensorViews whose cells may hold marked math
    equation: bool = False           # an equation (sum, chain, max): a line of align*


@dataclass
class TexExplanation:
    title: str
    steps: list[TexStep]
    omitted: str = ""


def tex_explanation(explanation, naming, precision: int = 4) -> TexExplanation:
    """The derivation's steps as marked lines; title and the left-out count as the text shows them."""
    writer = TexStepWriter(naming, explanation.shapes, precision, explanation.symbolic)
    steps = [TexStep(writer.lines(step), [grid_view(writer, grid) for grid in step.grids],
                     step.kind in EQUATION_KINDS) for step in explanation.steps]
    text = explanation_view(explanation, naming, precision)
    return TexExplanation(text.title, steps, text.omitted)
