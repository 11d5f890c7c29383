"""Formulas as polynomials over tensor entries: built, compared and written back as a person would.

A symbol is one entry: ('value', 'W', (1, 2)) is W_12 and ('grad', 'O', (1, 1)) is dL/dO_11
(the loss's name is kept beside the polynomial, not in the symbol, so dC/dy and dL/dy compare
equal). A polynomial maps each monomial (a sorted tuple of (symbol, power)) to a Fraction.
Products of sums are expanded on the way, so grouped and reordered answers compare equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from numbers import Rational
from typing import NamedTuple

from cnncalc.naming import Naming

MAX_TERMS = 4096
MAX_DEGREE = 32


class Symbol(NamedTuple):
    kind: str  # 'value' (an entry of a tensor) or 'grad' (an entry of the loss's gradient)
    name: str
    indices: tuple[int, ...]

    @classmethod
    def entry(cls, name: str, indices: Iterable[int] = ()) -> "Symbol":
        return cls("value", name, tuple(indices))

    @classmethod
    def grad(cls, name: str, indices: Iterable[int] = ()) -> "Symbol":
        return cls("grad", name, tuple(indices))


Monomial = tuple[tuple[Symbol, int], ...]


class Term(NamedTuple):
    coefficient: Fraction
    monomial: Monomial

    @property
    def factors(self) -> tuple[Symbol, ...]:
        """The symbols of the term, each repeated by its power."""
        return tuple(symbol for symbol, power in self.monomial for _ in range(power))


class TooManyTerms(ValueError):
    """Expanding would pass MAX_TERMS terms or MAX_DEGREE factors in a term (a product of many sums)."""


class Polynomial:
    """A sum of terms; equal when the expanded terms are equal, whatever the order they were written in.

    `losses` (loss names seen in gradients) and `name_order` (tensor names in the order first
    written, for writing the polynomial back) are carried along but take no part in equality.
    """

    __slots__ = ("terms", "losses", "name_order")

    def __init__(self, terms: Mapping[Monomial, Rational] | None = None,
                 losses: Iterable[str] = (), name_order: Iterable[str] = ()):
        self.terms = {monomial: Fraction(c) for monomial, c in (terms or {}).items() if c != 0}
        self.losses = frozenset(losses)
        self.name_order = tuple(dict.fromkeys(name_order))

    @classmethod
    def constant(cls, value: Rational) -> "Polynomial":
        return cls({(): Fraction(value)})

    @classmethod
    def of_symbol(cls, symbol: Symbol, loss: str | None = None) -> "Polynomial":
        return cls({((symbol, 1),): Fraction(1)}, [loss] if loss else [], [symbol.name])

    @classmethod
    def from_products(cls, products: Iterable[Iterable[Symbol | Rational]], loss: str | None = None) -> "Polynomial":
        """The sum of the products: [[dO_11, W_12], [dO_12, W_11]] is dO_11·W_12 + dO_12·W_11.

        A product may hold numbers (int or Fraction) as coefficients; gradients get `loss`.
        """
        total = cls(losses=[loss] if loss else [])
        for product in products:
            term = cls.constant(1)
            for factor in product:
                term = term * (cls.of_symbol(factor, loss) if isinstance(factor, Symbol) else cls.constant(factor))
            total = total + term
        return total

    def _with(self, terms: dict, other: "Polynomial") -> "Polynomial":
        return Polynomial(terms, self.losses | other.losses, self.name_order + other.name_order)

    def __add__(self, other: "Polynomial") -> "Polynomial":
        terms = dict(self.terms)
        for monomial, coefficient in other.terms.items():
            terms[monomial] = terms.get(monomial, 0) + coefficient
        return self._with(terms, other)

    def __neg__(self) -> "Polynomial":
        return Polynomial({m: -c for m, c in self.terms.items()}, self.losses, self.name_order)

    def __sub__(self, other: "Polynomial") -> "Polynomial":
        return self + (-other)

    def __mul__(self, other: "Polynomial") -> "Polynomial":
        if len(self.terms) * len(other.terms) > MAX_TERMS:
            raise TooManyTerms(f"at most {MAX_TERMS} terms once expanded")
        if self.degree() + other.degree() > MAX_DEGREE:
            raise TooManyTerms(f"at most {MAX_DEGREE} factors in a term once expanded")
        terms: dict[Monomial, Fraction] = {}
        for left, a in self.terms.items():
            for right, b in other.terms.items():
                monomial = _multiply(left, right)
                terms[monomial] = terms.get(monomial, 0) + a * b
        return self._with(terms, other)

    def __pow__(self, exponent: int) -> "Polynomial":
        result = Polynomial.constant(1)
        for _ in range(exponent):
            result = result * self
        return Polynomial(result.terms, self.losses, self.name_order)

    def __eq__(self, other) -> bool:
        return isinstance(other, Polynomial) and self.terms == other.terms

    def __hash__(self) -> int:
        return hash(frozenset(self.terms.items()))

    def __repr__(self) -> str:
        return f"Polynomial({format_polynomial(self)!r})"

    def degree(self) -> int:
        """The most factors in one term (W_11^2·k_1 has 3)."""
        return max((sum(power for _, power in monomial) for monomial in self.terms), default=0)

    def constant_value(self) -> Fraction | None:
        """The polynomial's value if it has no symbol, else None."""
        if any(self.terms.keys() - {()}):
            return None
        return self.terms.get((), Fraction(0))

    def symbols(self) -> set[Symbol]:
        return {symbol for monomial in self.terms for symbol, _ in monomial}

    def evaluate(self, values: Mapping[Symbol, float]) -> float:
        """The polynomial's value with each symbol replaced by values[symbol]."""
        total = 0.0
        for monomial, coefficient in self.terms.items():
            product = float(coefficient)
            for symbol, power in monomial:
                product *= values[symbol] ** power
            total += product
        return total

    def ordered_terms(self) -> list[Term]:
        """The terms in a person's order: by the gradient's indices, then the other factors'."""
        return sorted((Term(c, m) for m, c in self.terms.items()), key=lambda t: _term_key(t, self.name_order))


def _multiply(left: Monomial, right: Monomial) -> Monomial:
    powers = dict(left)
    for symbol, power in right:
        powers[symbol] = powers.get(symbol, 0) + power
    return tuple(sorted(powers.items()))


def _factor_key(symbol: Symbol, name_order: tuple[str, ...]) -> tuple:
    place = name_order.index(symbol.name) if symbol.name in name_order else len(name_order)
    return (symbol.kind != "grad", place, symbol.name, symbol.indices)


def _ordered_factors(monomial: Monomial, name_order: tuple[str, ...]) -> list[tuple[Symbol, int]]:
    return sorted(monomial, key=lambda item: _factor_key(item[0], name_order))


def _term_key(term: Term, name_order: tuple[str, ...]) -> tuple:
    factors = [_factor_key(symbol, name_order) for symbol, _ in _ordered_factors(term.monomial, name_order)]
    return (not factors, factors, term.coefficient)


class FormulaDiff(NamedTuple):
    """What the given formula lacks (missing_terms, as expected) and has too much (extra_terms, as given)."""

    missing_terms: tuple[Term, ...]
    extra_terms: tuple[Term, ...]

    @property
    def same(self) -> bool:
        return not self.missing_terms and not self.extra_terms


def compare(expected: Polynomial, given: Polynomial) -> FormulaDiff:
    """Terms whose coefficient differs: missing with the expected one, extra with the given one."""
    order = expected.name_order + given.name_order
    missing = [Term(c, m) for m, c in expected.terms.items() if given.terms.get(m) != c]
    extra = [Term(c, m) for m, c in given.terms.items() if expected.terms.get(m) != c]
    by_order = lambda term: _term_key(term, order)  # noqa: E731
    return FormulaDiff(tuple(sorted(missing, key=by_order)), tuple(sorted(extra, key=by_order)))


class TermPair(NamedTuple):
    """A missing and an extra term that differ in one factor at most.

    belongs/written: the expected and the written factor (W_12 and W_22); belongs alone is a
    dropped factor, written alone an extra one; both None means only the coefficient differs.
    """

    missing: Term
    extra: Term
    belongs: Symbol | None
    written: Symbol | None


def pair_terms(diff: FormulaDiff) -> tuple[TermPair, ...]:
    """Pairs of a missing and an extra term that differ in one factor, each term used once.

    Among candidates, a one-for-one swap with the same coefficient is preferred.
    """
    pairs, used = [], set()
    for missing in diff.missing_terms:
        options = [(_pair_rank(missing, extra), i) for i, extra in enumerate(diff.extra_terms) if i not in used]
        options = [(rank, i) for rank, i in options if rank is not None]
        if options:
            _, chosen = min(options)
            used.add(chosen)
            pairs.append(_pair(missing, diff.extra_terms[chosen]))
    return tuple(pairs)


def _factor_difference(missing: Term, extra: Term) -> tuple[list[Symbol], list[Symbol]]:
    expected, written = Counter(missing.factors), Counter(extra.factors)
    return list((expected - written).elements()), list((written - expected).elements())


def _pair_rank(missing: Term, extra: Term) -> tuple | None:
    only_expected, only_written = _factor_difference(missing, extra)
    if len(only_expected) > 1 or len(only_written) > 1:
        return None
    return (missing.coefficient != extra.coefficient, len(only_expected) != len(only_written))


def _pair(missing: Term, extra: Term) -> TermPair:
    only_expected, only_written = _factor_difference(missing, extra)
    return TermPair(missing, extra, (only_expected or [None])[0], (only_written or [None])[0])


# Writing back --------------------------------------------------------------------------

def spell_symbol(symbol: Symbol, loss: str = "L", style: str = "plain", naming: Naming | None = None) -> str:
    """W_12, dL/dO_11 (plain) or W_{12}, \\frac{\\partial L}{\\partial O_{11}} (latex).

    The symbol's indices are as the user writes them. `naming` (the user's names and index base;
    default: names as they are) writes the entry by Naming.subscript, the one spelling of an entry
    that derivations and verdicts share: W_12, k_{11}, conv_1_{1}, x_{1,12}.
    """
    naming = naming or Naming()
    written = naming.subscript(symbol.name, tuple(i - naming.base for i in symbol.indices))
    if style == "latex":
        written = _latex_entry(naming.shown(symbol.name), written)
    if symbol.kind != "grad":
        return written
    return f"\\frac{{\\partial {loss}}}{{\\partial {written}}}" if style == "latex" else f"d{loss}/d{written}"


def _latex_entry(shown: str, written: str) -> str:
    """Naming's plain entry (k_{11}, W_12) in LaTeX: the name upright past one letter, the indices braced."""
    indices = written[len(shown) + 1:].strip("{}")
    name = "\\mathrm{" + shown.replace("_", "\\_") + "}" if len(shown) > 1 else shown
    return name + (f"_{{{indices}}}" if indices else "")


def format_polynomial(polynomial: Polynomial, spell: Callable[[Symbol], str] | None = None,
                      style: str = "plain") -> str:
    """The polynomial as a person writes it: dL/dO_11·W_12 + dL/dO_12·W_11 (or in LaTeX).

    `spell` writes one symbol (the user's names and index base); by default spell_symbol with
    the polynomial's loss name.
    """
    loss = next(iter(polynomial.losses)) if len(polynomial.losses) == 1 else "L"
    spell = spell or (lambda symbol: spell_symbol(symbol, loss, style))
    terms = polynomial.ordered_terms()
    if not terms:
        return "0"
    pieces = [format_term(term, spell, style, polynomial.name_order) for term in terms]
    text = pieces[0]
    for piece in pieces[1:]:
        text += f" - {piece[1:]}" if piece.startswith("-") else f" + {piece}"
    return text


def format_term(term: Term, spell: Callable[[Symbol], str], style: str = "plain",
                name_order: tuple[str, ...] = ()) -> str:
    times = " \\cdot " if style == "latex" else "·"
    factors = [_power_text(spell(symbol), power, style) for symbol, power in
               _ordered_factors(term.monomial, name_order)]
    magnitude = abs(term.coefficient)
    if magnitude != 1 or not factors:
        factors.insert(0, _coefficient_text(magnitude, style))
    return ("-" if term.coefficient < 0 else "") + times.join(factors)


def _power_text(text: str, power: int, style: str) -> str:
    if power == 1:
        return text
    return f"{text}^{{{power}}}" if style == "latex" else f"{text}^{power}"


def _coefficient_text(value: Fraction, style: str) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}" if style == "latex" else str(value)


def describe_pair(pair: TermPair, spell: Callable[[Symbol], str] | None = None,
                  name_order: tuple[str, ...] = (), loss: str = "L") -> str:
    """One line for a paired mistake: 'W_22 where W_12 belongs (in dL/dO_11·W_12)'.

    `spell` writes a symbol in the user's notation (default: spell_symbol with `loss`).
    """
    spell = spell or (lambda symbol: spell_symbol(symbol, loss))
    right = format_term(pair.missing, spell, name_order=name_order)
    if pair.belongs and pair.written:
        return f"{spell(pair.written)} where {spell(pair.belongs)} belongs (in {right})"
    if pair.belongs:
        return f"the factor {spell(pair.belongs)} is missing (in {right})"
    if pair.written:
        return f"an extra factor {spell(pair.written)} (in {format_term(pair.extra, spell, name_order=name_order)}, which should be {right})"
    return f"the coefficient {_coefficient_text(pair.extra.coefficient, 'plain')} " \
           f"where {_coefficient_text(pair.missing.coefficient, 'plain')} belongs (in {right})"
