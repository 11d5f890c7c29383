"""Formula answers: the user's formula for one entry against the right one, both as polynomials.

The right formula is read off the explanation of that entry (the core's term maps),
with every factor named as the user names it: display names, the index base, axes of length
1 dropped (a 2×1 kernel's k_2). Gradients are symbols of their own (dC/dy_21), whatever the
loss is called.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cnncalc.check.formulas import (
    Polynomial, Symbol, compare, describe_pair, format_polynomial, format_term, pair_terms, parse_formula,
    spell_symbol,
)
from cnncalc.check.verdicts import FormulaVerdict
from cnncalc.errors import CnnError

_SUMS = ("sum", "chain")


class FormulaJudge:
    """Parses formula answers in the problem's notation and compares them with the right formulas."""

    def __init__(self, result, naming):
        self.result, self.naming = result, naming
        self.shapes = {name: tuple(np.shape(result.tensor(name))) for name in result.tensor_names}
        self._explainer = None
        self.spelled, self.axes = self._notation()

    def _notation(self) -> tuple[dict[str, str], dict[str, int]]:
        """Every way a tensor may be written (its display and canonical names) → canonical, and its axes."""
        spelled: dict[str, str] = {}
        for name, shape in self.shapes.items():
            if name in self.naming.gradients:
                continue  # a gradient is written dL/d<its target>, not by its own name
            for written in (name, self.naming.shown(name)):
                spelled.setdefault(written, name)
        spelled = {written: name for written, name in spelled.items() if "/" not in written}
        axes = {written: sum(n != 1 for n in self.shapes[name]) for written, name in spelled.items()}
        return spelled, axes

    @property
    def explainer(self):
        if self._explainer is None:
            from cnncalc.explain import explainer_for

            # Numeric steps: only their factors' names and indices are read, and max pooling has no
            # symbolic explainer (its terms depend on the numbers).
            self._explainer = explainer_for(self.result, False)
        return self._explainer

    def right_formula(self, name: str, index: tuple[int, ...], field: str) -> Polynomial:
        """The entry's formula read off its derivation's factors; CnnError where it is not a sum of products."""
        step = self._sum_step(name, index)
        if step is None or any(f.function for term in step.terms for f in term.factors):
            raise CnnError(field, "a number (formula answers are read for entries that are sums of products: "
                                  "conv, fc and pooling entries, a max pool's output where its maximum is not tied)",
                           f"a formula for {self.naming.shown(name)}")
        products = [[term.coefficient] + [self.symbol(f.name, f.index) for f in term.factors for _ in range(f.power)]
                    for term in step.terms]
        polynomial = Polynomial.from_products(products, self.naming.loss)
        return Polynomial(polynomial.terms, polynomial.losses, [self.symbol(f.name, f.index).name
                                                                for term in step.terms for f in term.factors])

    def _sum_step(self, name: str, index: tuple[int, ...]):
        """The entry's step as a sum of products; a max-pool output is the one cell that is its window's
        maximum (None where the maximum is tied: which cell the user meant cannot be told)."""
        steps = self.explainer.entry(name, index) if name in self.explainer.entry_shapes() else []
        step = next((s for s in steps if s.kind in _SUMS + ("max",) and s.target and s.target.name == name), None)
        if step is None or step.kind != "max":
            return step
        return replace(step, terms=(step.terms[step.chosen[0]],)) if step.detail["tied"] == 1 else None

    def symbol(self, name: str, index: tuple[int, ...]) -> Symbol:
        """A factor as a Symbol: canonical tensor name, indices as the user writes them."""
        target = self.naming.gradients.get(name)
        shape = self.shapes.get(target or name, ())
        indices = self.naming.person_index(index, shape or None)
        return Symbol.grad(target, indices) if target else Symbol.entry(name, indices)

    def parse(self, text: str, field: str) -> Polynomial:
        """The user's formula with every symbol's name made canonical."""
        written = parse_formula(text, field, self.axes)
        terms = {tuple(sorted((self._canonical(symbol), power) for symbol, power in monomial)): coefficient
                 for monomial, coefficient in written.terms.items()}
        order = [self.spelled.get(name, name) for name in written.name_order]
        return Polynomial(terms, written.losses, order)

    def _canonical(self, symbol: Symbol) -> Symbol:
        return Symbol(symbol.kind, self.spelled.get(symbol.name, symbol.name), symbol.indices)

    def spell(self, style: str = "plain"):
        return lambda symbol: spell_symbol(symbol, self.naming.loss, style, self.naming)

    def judge(self, text: str, name: str, index: tuple[int, ...], field: str) -> tuple[bool, FormulaVerdict]:
        """(right?, the formula verdict) of one formula answer; a bad formula raises CnnError."""
        right = self.right_formula(name, index, field)
        given = self.parse(text, field)
        diff = compare(right, given)
        order = right.name_order + given.name_order
        spell = self.spell()
        verdict = FormulaVerdict(format_polynomial(right, spell), format_polynomial(right, self.spell("latex"), "latex"))
        if not diff.same:
            verdict.missing = [format_term(t, spell, name_order=order) for t in diff.missing_terms]
            verdict.extra = [format_term(t, spell, name_order=order) for t in diff.extra_terms]
            verdict.pairs = [describe_pair(pair, spell, order) for pair in pair_terms(diff)]
        return diff.same, verdict
