"""`--emit-problem FILE`: the problem as given, with the computed answers as `expect:`.

An instructor's answer key in one command, in the form `cnncalc check` reads: canonical
names as keys; whole tensors as nested lists at full precision (with --exact, "198/5" for
every entry that has an exact value); with --symbolic, each derived entry's formula in the
user's notation, keyed by its index in the file's index base (`dx: {"2,1": "..."}`).
A file given with no option overriding it is copied as written, comments and all, its old
`expect:` replaced; otherwise its fields and the options are written out. An existing
FILE is never written over without --force.
"""

from __future__ import annotations

import os
import re

import numpy as np

from cnncalc.render.targets import write_target

FORMULA_KINDS = ("sum", "chain")


def _plain_number(value: float):
    """An integral float as an int (20, not 20.0); others at full precision."""
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _tensor_answer(array, exact=None):
    """Nested lists of numbers; with exact values, an int or "198/5" where one is known."""
    array = np.asarray(array, dtype=np.float64)
    values = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        value = None if exact is None else exact[index]
        values[index] = (_plain_number(float(array[index])) if value is None else
                         int(value) if value.denominator == 1 else str(value))
    return values.tolist() if values.ndim else values.item()


def _formulas(result) -> dict:
    """{name: {"i,j": formula}} for every sum or chain-rule step of the explanation."""
    from cnncalc.render.explanation_text import StepWriter

    explanation = result.explanation
    writer = StepWriter(result.naming, explanation.shapes, 4, True)
    found: dict = {}
    for step in explanation.steps:
        if step.kind not in FORMULA_KINDS or step.target is None:
            continue
        formula = writer.terms(step.terms, False)
        index = tuple(step.target.index)
        key = ",".join(str(i + result.naming.base) for i in index)
        found.setdefault(step.target.name, {})[key] = formula
    return {name: entries[""] if set(entries) == {""} else entries for name, entries in found.items()}


def answer_key(result, symbolic: bool) -> dict:
    """The `expect:` block of `result`: every forward and backward tensor (formulas with --symbolic)."""
    exact = result.exact or {}
    answers = {name: _tensor_answer(array, exact.get(name))
               for section in (result.forward, result.backward) for name, array in section.items()}
    if symbolic and result.explanation is not None:
        answers.update(_formulas(result))
    return answers


def _dumper():
    import yaml

    from cnncalc.inputs.kept import KeptFloat, KeptInt, KeptList

    class KeyDumper(yaml.SafeDumper):
        """Block mappings, flow lists; numbers as the user wrote them."""

    KeyDumper.add_representer(list, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, True))
    KeyDumper.add_representer(KeptList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq",
                                                                             list(data), True))
    KeyDumper.add_representer(KeptFloat, lambda d, data: d.represent_scalar("tag:yaml.org,2002:float", data.text))
    KeyDumper.add_representer(KeptInt, lambda d, data: d.represent_scalar("tag:yaml.org,2002:int", data.text))
    return KeyDumper


def dump(data: dict) -> str:
    import yaml

    return yaml.dump(data, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)


def _without_expect(text: str) -> str:
    """The file's text with its top-level `expect:` block (to the next top-level key) taken out."""
    lines, kept, inside = text.splitlines(), [], False
    for line in lines:
        top_level = bool(line) and not line[0].isspace() and not line.startswith("#")
        if top_level:
            inside = re.match(r"expect\s*:", line) is not None
        if not inside:
            kept.append(line)
    return "\n".join(kept).rstrip("\n") + "\n"


def showing(out) -> dict:
    """What the file must say to be read as it was solved: the formulas' entries and index base."""
    from cnncalc.vocabulary import DEFAULT_MAX_STEPS

    steps = DEFAULT_MAX_STEPS if out.max_steps is None else out.max_steps
    fields = {"symbolic": True, "max_steps": steps} if out.symbolic else {}
    return fields | ({"index_base": out.index_base} if out.index_base not in (None, 1) else {})


def problem_text(command: str, problem, path: str | None, answers: dict, extra: dict | None = None) -> str:
    """The problem file with `answers` as its expect: block and the `extra` fields it lacks."""
    extra = {"command": command} | (extra or {})
    missing = {key: value for key, value in extra.items() if key not in problem.values}
    agrees = all(problem.values[key] == value for key, value in extra.items() if key in problem.values)
    if path and path != "-" and os.path.isfile(path) and not problem.from_options and agrees:
        with open(path, encoding="utf-8") as file:
            text = _without_expect(file.read())
        return text + (dump(missing) if missing else "") + dump({"expect": answers})
    values = {key: value for key, value in problem.values.items()
              if key not in ("command", "expect") and value is not None}
    return dump({"command": command} | values | extra | {"expect": answers})


def emit_problem(result, problem, path: str | None, target: str, out) -> None:
    """Write the answer key of `result` to `target` ('-': standard output; an existing file is
    refused unless out.force)."""
    text = problem_text(result.command, problem, path, answer_key(result, out.symbolic), showing(out))
    if target == "-":
        import sys

        sys.stdout.write(text)
        return
    write_target("--emit-problem", target, text, out.force)
