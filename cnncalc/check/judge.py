"""Judging the answers under `expect:` against a solved Result: one NameVerdict per name.

Names may be canonical or the user's (y, O, dL/dI, conv_1, fc_1.weight); a name the problem
does not produce is refused with a did-you-mean. Entry keys are in the file's index base.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.core.residue import without_residue

from cnncalc.check.answers import Given, MISSING, TensorAnswer, entry_field, read_given, read_tensor_answer
from cnncalc.check.points import PointsPlan
from cnncalc.check.tolerance import Tolerance
from cnncalc.check.verdicts import EntryVerdict, NameVerdict, Numeric, name_status
from cnncalc.errors import CnnError

SHAPES_ONLY = "this problem gives shapes alone, so its answers are formulas (like dL/dO_11*W_12)"


@dataclass
class Judge:
    result: object
    tolerance: Tolerance
    shapes_only: bool = False
    _formulas: object = None
    _spellings: dict | None = None

    @property
    def naming(self):
        return self.result.naming

    def known_names(self) -> list[str]:
        """Every tensor the result holds, with extras (a Jacobian) and positions (argmax, 0-based as in JSON)."""
        names = list(self.result.tensor_names)
        return names + [n for section in (self.result.extras, self.result.positions) for n in section
                        if n not in names]

    def canonical(self, written, field: str) -> str:
        if self._spellings is None:
            known = self.known_names()
            self._spellings = {name: name for name in known} | {self.naming.shown(name): name for name in known}
        found = self._spellings.get(str(written))
        return found if found is not None else self.naming.canonical(str(written), self.known_names(), field)

    def formulas(self):
        if self._formulas is None:
            from cnncalc.check.formula_answers import FormulaJudge

            self._formulas = FormulaJudge(self.result, self.naming)
        return self._formulas

    def right_array(self, name: str) -> np.ndarray:
        """The right answer, its rounding residue as the 0 it is (a table shows it ≈0)."""
        return without_residue(self.result.tensor(name), self.result.magnitudes.get(name))

    # One name ------------------------------------------------------------------------------

    def name(self, written, raw, points: PointsPlan, field: str) -> NameVerdict:
        name = self.canonical(written, field)
        right = self.right_array(name)
        verdict = NameVerdict(name, self.naming.shown(name), "right", right_shape=right.shape, total=right.size,
                              naming=self.naming)
        if raw is None:
            verdict.status = "missing"
        elif isinstance(raw, dict):
            verdict.total = 0
            verdict.entries = self.entries(name, right, raw, field)
            verdict.status = name_status(verdict.entries)
        else:
            self.whole(verdict, right, raw, field)
        shape = right.shape
        points.award(verdict, lambda index: self.naming.entry(name, index, shape))
        return verdict

    def whole(self, verdict: NameVerdict, right: np.ndarray, raw, field: str) -> None:
        try:
            answer = read_tensor_answer(raw, field, self.naming)
        except CnnError as error:
            verdict.status, verdict.error = "unreadable", error.message()
            return
        given = self.fit(answer, right.shape)
        if given is None:
            verdict.status, verdict.given_shape = "wrong_shape", answer.shape
            return
        if answer.numbers is not None and not self.shapes_only:
            verdict.entries = self.numbers(verdict.name, right, answer, len(given) != len(answer.given))
        else:
            verdict.entries = [self.entry(verdict.name, index, one, right[index],
                                          entry_field(field, index, right.shape, self.naming))
                               for index, one in zip(np.ndindex(*right.shape), given)]
        verdict.status = name_status(verdict.entries)

    def numbers(self, name: str, right: np.ndarray, answer: TensorAnswer, repeated: bool) -> list[EntryVerdict]:
        """The fast path of a tensor of plain numbers: no expression parsed, entries spelt only when wrong."""
        values, texts, decimals = answer.numbers
        if repeated:
            values, texts, decimals = values * right.size, texts * right.size, decimals * right.size
        accepts, width = self.tolerance.accepts, self.tolerance.half_width
        entries = []
        for index, value, text, places, correct in zip(np.ndindex(*right.shape), values, texts, decimals,
                                                       right.ravel().tolist()):
            if accepts(value, correct, places):
                entries.append(EntryVerdict(index, "", "right", text, correct, answer=Numeric(value, places)))
                continue
            half = width(correct, places)
            entries.append(EntryVerdict(index, self.spell(name, index), "wrong", text, correct, value - correct,
                                        (correct - half, correct + half), answer=Numeric(value, places)))
        return entries

    def spell(self, name: str, index: tuple[int, ...]) -> str:
        return self.naming.entry(name, index, np.shape(self.result.tensor(name)))

    @staticmethod
    def fit(answer: TensorAnswer, shape: tuple[int, ...]) -> list[Given] | None:
        """The answers laid on `shape`: the same shape, or the same once axes of length 1 are dropped,
        or one answer for every entry; None when the shapes differ."""
        size = int(np.prod(shape, dtype=int))
        if answer.shape == tuple(shape) or (len(answer.given) == size and
                                            [n for n in answer.shape if n != 1] == [n for n in shape if n != 1]):
            return answer.given
        if answer.shape == ():
            return answer.given * size
        return None

    def entries(self, name: str, right: np.ndarray, raw: dict, field: str) -> list[EntryVerdict]:
        verdicts = []
        for key, value in raw.items():
            index = self.naming.read_index(key, name, right.shape, f"{field}.{key}")
            verdicts.append(self.entry(name, index, read_given(value, f"{field}[{key}]"), right[index],
                                       f"{field}[{key}]"))
        return verdicts

    # One entry -----------------------------------------------------------------------------

    def entry(self, name: str, index: tuple[int, ...], given: Given, right: float, field: str) -> EntryVerdict:
        verdict = EntryVerdict(index, self.spell(name, index), "right", given.text)
        if given is MISSING or given.kind == "missing":
            verdict.status = "missing"
        elif given.kind == "unreadable":
            verdict.status, verdict.error = "unreadable", given.error
        elif given.kind == "formula":
            self.formula_entry(verdict, name, index, given.text, field)
        elif self.shapes_only:
            verdict.status, verdict.error = "unreadable", f"{field}: {SHAPES_ONLY}"
        else:
            self.number_entry(verdict, given, float(right))
        return verdict

    def number_entry(self, verdict: EntryVerdict, given: Given, right: float) -> None:
        answer = given.answer
        verdict.right, verdict.answer = right, Numeric(answer.value, answer.decimals)
        if not self.tolerance.accepts(answer.value, right, answer.decimals):
            verdict.status = "wrong"
            verdict.difference = answer.value - right
            verdict.interval = self.tolerance.interval(right, answer.decimals)

    def formula_entry(self, verdict: EntryVerdict, name: str, index, text: str, field: str) -> None:
        try:
            same, formula = self.formulas().judge(text, name, index, field)
        except CnnError as error:
            verdict.status = "unreadable"
            verdict.error = error.message() + ("\n" + error.caret if error.caret else "")
            return
        verdict.formula = formula
        if not same:
            verdict.status = "wrong"
