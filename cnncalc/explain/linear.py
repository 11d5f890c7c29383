"""Steps of the linear layers (conv, fc, avg-pool), read off the core's term maps.

One mechanism for every entry: the map lists the products that make the entry, each
product's factors become Factors (the user's indices, the numbers when there are any),
and the terms are put in a person's order (gradient first, then by index), so
dL/dI_12 = dL/dO_11·W_12 + dL/dO_12·W_11.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from cnncalc.core.terms import Terms
from cnncalc.explain.steps import Factor, Step, Target, Term
from cnncalc.explain.tensors import TensorRef

FORWARD_TARGETS = ("y",)


@dataclass(frozen=True)
class Section:
    """`count` steps, built one at a time by `steps()` only when they will be shown."""

    count: int
    steps: Callable[[], Iterator[Step]]


def person_order(terms: list[Term], gradients: frozenset[str]) -> list[Term]:
    """Each term's gradient factors first; terms by their factors' (name, index), gradient first."""
    order: dict[str, int] = {}
    for term in terms:
        for factor in term.factors:
            order.setdefault(factor.name, len(order))

    def factor_key(factor: Factor) -> tuple:
        return (factor.name not in gradients, order[factor.name], factor.index)

    arranged = [Term(tuple(sorted(term.factors, key=factor_key)), term.coefficient) for term in terms]
    return sorted(arranged, key=lambda term: [factor_key(f) for f in term.factors])


def terms_step(terms: Terms, refs: dict[str, TensorRef], gradients: frozenset[str]) -> Step:
    """The step of one term-map entry: its products as Terms, its value when there are numbers."""
    products = []
    for k in range(len(terms)):
        factors = tuple(refs[name].factor(idx[k]) for name, idx in zip(terms.factors, terms.indices))
        coefficient = Fraction(1) if terms.divisor is None else Fraction(1, int(terms.divisor[k]))
        products.append(Term(factors, coefficient))
    products = person_order(products, gradients)
    if terms.bias is not None:
        products.append(Term((refs["b"].factor(terms.bias),)))
    target = refs[terms.target]
    value = None if target.values is None else float(target.values[terms.entry])
    forward = terms.target in FORWARD_TARGETS
    return Step("sum" if forward else "chain", Target(terms.target, target.user_index(terms.entry)),
                tuple(products), value, "forward" if forward else "backward")


@dataclass(frozen=True, eq=False)
class LinearSteps:
    """Steps of every entry a term map explains, for the targets present in `refs`."""

    term_map: object
    refs: dict[str, TensorRef]
    gradients: frozenset[str] = frozenset({"dy"})
    options: dict | None = None   # passed to the map's dx (max-pool's tie rule)

    def targets(self) -> list[str]:
        return [name for name in self.term_map.shapes() if name in self.refs]

    def step(self, target: str, index) -> Step:
        options = self.options if target == "dx" and self.options else {}
        return terms_step(self.term_map.entry(target, index, **options), self.refs, self.gradients)

    def section(self, target: str) -> Section:
        shape = self.term_map.shapes()[target]
        return Section(int(np.prod(shape)), lambda: (self.step(target, i) for i in np.ndindex(*shape)))
