"""Grading one problem file: read it, solve it with its own `command:`, judge its `expect:`.

`grade_file(path, settings)` never raises for a bad file: the FileVerdict says why (one line),
so a batch goes on with the other files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnncalc.check.diagnosis import diagnose
from cnncalc.check.judge import Judge
from cnncalc.check.points import read_points
from cnncalc.check.tolerance import Tolerance, read_tolerance
from cnncalc.check.verdicts import FileVerdict, NameVerdict
from cnncalc.errors import CnnError, did_you_mean
from cnncalc.vocabulary import DEFAULT_MAX_ELEMENTS



@dataclass(frozen=True)
class Settings:
    tolerance: Tolerance | None = None   # None: the file's `tolerance:`, else the precision written
    partial: bool = False                # a share of a name's points per right entry
    index_base: int | None = None        # None: the file's `index_base:`, else 1
    max_elements: int = DEFAULT_MAX_ELEMENTS
    keep_result: bool = False            # keep the solved Result on the verdict (for --explain)


def grade_file(path: str, settings: Settings = Settings()) -> FileVerdict:
    """The verdict on one file; a file that cannot be read or solved gets `error`, never an exception."""
    try:
        from cnncalc.inputs.yamlfile import load_document

        document = load_document(path, settings.max_elements)
        return grade_document(document, settings, path)
    except CnnError as error:
        return FileVerdict(path, error=_one_line(error))
    except RecursionError:
        return FileVerdict(path, error=f"{path}: the file is nested too deeply")


def grade_document(document, settings: Settings, label: str) -> FileVerdict:
    """The verdict on a document already read; CnnError for a bad one."""
    spec = command_of(document)
    problem, shapes_only = _problem(document, spec, settings)
    result = solve(spec, problem)
    verdict = judge_problem(problem, result, settings, shapes_only)
    verdict.file, verdict.command = label, spec.name
    if settings.keep_result:
        verdict.result = result
    return verdict


def command_of(document):
    """The command the file is for (`command:`); a file without one is refused."""
    from cnncalc.layers import COMMANDS

    written = document.data.get("command")
    checkable = [name for name in COMMANDS if name != "shape"]
    if written is None:
        raise document.locate(CnnError("command", f"the command the file is for ({', '.join(checkable)})",
                                       "no command: field", hint="add e.g. command: conv"))
    name = str(written).strip()
    if name not in checkable:
        raise document.locate(CnnError("command", f"one of {', '.join(checkable)}", repr(name),
                                       hint=did_you_mean(name, checkable)))
    return COMMANDS[name]


def _problem(document, spec, settings: Settings):
    from cnncalc.inputs.problem import problem_from_document

    base = settings.index_base
    if base is None and document.data.get("index_base") is not None:
        from cnncalc.inputs.fields import SHOWING_READERS

        try:
            base = SHOWING_READERS["index_base"](document.data["index_base"], "index_base")
        except CnnError as error:
            raise document.locate(error) from None
    base = 1 if base is None else base
    problem = problem_from_document(document, {}, spec.fields, settings.max_elements, spec.name, base)
    _read_showing(problem)
    return problem, _placeholders(problem, spec)


def _read_showing(problem) -> None:
    """The output fields (explain, symbolic, entry, max_steps, index_base) read as the layer commands
    read them: check shows none of them, but a file the commands refuse is refused here too."""
    from cnncalc.inputs.fields import SHOWING_READERS

    for key, reader in SHOWING_READERS.items():
        problem.read(key, reader)


def _placeholders(problem, spec) -> bool:
    """Tensors given as shapes alone (x: 3x3): solved on placeholders, answers must be formulas."""
    from cnncalc.explain.symbolic import use_placeholders
    from cnncalc.inputs.literals import is_shape_text

    def is_shape(raw) -> bool:
        return isinstance(raw, str) and not raw.strip().startswith("{") and is_shape_text(raw)

    tensors = [o.name for o in spec.options if o.kind == "tensor" and o.command]
    if spec.name == "pipeline" or not any(problem.has(n) and is_shape(problem.values[n]) for n in tensors):
        return False
    return use_placeholders(problem, spec, True)


def solve(spec, problem):
    from cnncalc.core.memory import keep_freed_memory

    keep_freed_memory()  # as the command line does: once per process
    solver = spec.solver()
    try:
        return solver.solve(solver.read(problem), problem.max_elements)
    except CnnError as error:
        raise problem.locate(error) from None


def judge_problem(problem, result, settings: Settings, shapes_only: bool = False) -> FileVerdict:
    """Every name under `expect:` (and under `points:`) judged against `result`."""
    tolerance = settings.tolerance or problem.read("tolerance", read_tolerance, Tolerance())
    judge = Judge(result, tolerance, shapes_only)
    expect = problem.values.get("expect")
    if not isinstance(expect, dict) or not expect:
        raise problem.locate(CnnError("expect", "the answers to check, like expect: {y: [[1, 2], [3, 4]]}",
                                      "nothing" if expect is None else repr(expect)))
    try:
        points = read_points(problem.values.get("points"), judge, settings.partial)
        names = [judge.name(written, raw, points, f"expect.{written}") for written, raw in expect.items()]
        names += _unanswered(judge, points, {n.name for n in names})
    except CnnError as error:
        raise problem.locate(error) from None
    for verdict in names:
        attach_diagnosis(judge, verdict, tolerance)
    return FileVerdict("", names=names, tolerance=tolerance.as_data())


def attach_diagnosis(judge: Judge, verdict: NameVerdict, tolerance: Tolerance) -> None:
    """Name the usual mistake that reproduces a wrong numeric answer, when one does (never a guess)."""
    if verdict.status != "wrong" or judge.shapes_only:
        return
    right = judge.right_array(verdict.name)
    answer, decimals = np.full(right.shape, np.nan), {}
    for entry in verdict.entries:
        if entry.status in ("right", "wrong") and entry.answer is not None:
            answer[entry.index], decimals[entry.index] = entry.answer.value, entry.answer.decimals
    if not decimals:
        return

    def matches(candidate: np.ndarray) -> np.ndarray:
        agree = np.zeros(right.shape, dtype=bool)
        for index, places in decimals.items():
            agree[index] = tolerance.accepts(answer[index], float(candidate[index]), places)
        return agree

    verdict.diagnosis = diagnose(judge.result, verdict.name, answer, matches)


def _unanswered(judge: Judge, points, answered: set) -> list[NameVerdict]:
    """Names worth points that `expect:` leaves out: missing."""
    return [judge.name(name, None, points, f"points.{name}") for name in points.per_name if name not in answered]


def _one_line(error: CnnError) -> str:
    text = error.message()
    return text + (" " + error.caret.replace("\n", " ") if error.caret else "")


@dataclass(frozen=True)
class Grade:
    """One problem's grade for a notebook grader (nbgrader, Otter): points, the most possible, feedback."""

    points: float
    max_points: float
    feedback: str
    verdict: FileVerdict


def grade(problem, tolerance: str | dict | None = None, partial: bool = False) -> Grade:
    """Grade one problem: a dict (a problem file's fields, `expect:` holding the student's answers)
    or the path of a problem file. A problem that cannot be solved gets 0 of 0 and the reason."""
    from cnncalc.check.text import file_lines
    from cnncalc.inputs.yamlfile import Document

    settings = Settings(read_tolerance(tolerance, "tolerance") if tolerance is not None else None, partial)
    if isinstance(problem, dict):
        try:
            verdict = grade_document(Document(dict(problem), "<problem>"), settings, "<problem>")
        except CnnError as error:
            verdict = FileVerdict("<problem>", error=_one_line(error))
    else:
        verdict = grade_file(str(problem), settings)
    return Grade(verdict.points if verdict.error is None else 0, verdict.max_points if verdict.error is None else 0,
                 "\n".join(file_lines(verdict)), verdict)
