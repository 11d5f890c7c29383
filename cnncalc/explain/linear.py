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
from cnncalc.explain.steps import Step, Target, Term
from cnncalc.explain.tensors import TensorRef

FORWARD_TARGETS = ("y",)


@dataclass(frozen=True)
class Section:
    """`count` steps, built one at a time by `steps()` only when they will be shown."""

    count: int
    steps: Callable[[], Iterator[Step]]


ONE = Fraction(1)


def person_order(names: tuple[str, ...], gradients: frozenset[str]) -> list[int]:
    """The order a person writes a product's factors in: gradients first, then as the map lists them."""
    return sorted(range(len(names)), key=lambda k: names[k] not in gradients)


def terms_step(terms: Terms, refs: dict[str, TensorRef], gradients: frozenset[str]) -> Step:
    """The step of one term-map entry: its products as Terms, its value when there are numbers."""
    order = person_order(terms.factors, gradients)
    columns = [refs[terms.factors[k]].factors(terms.indices[k]) for k in order]
    divisors = [1] * len(terms) if terms.divisor is None else terms.divisor.tolist()
    products = [Term(tuple(factors), ONE if d == 1 else Fraction(1, d))
                for factors, d in zip(zip(*columns), divisors)]
    keys = [tuple(f.index for f in term.factors) for term in products]
    if any(a > b for a, b in zip(keys, keys[1:])):  # the maps mostly list terms in this order already
        products = [term for _, term in sorted(zip(keys, products), key=lambda pair: pair[0])]
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
