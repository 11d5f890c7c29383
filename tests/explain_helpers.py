"""Solve a problem in-process (as the CLI does) and explain it, for the explanation tests."""

import numpy as np

from cnncalc.explain import Request, explain
from cnncalc.explain.symbolic import use_placeholders
from cnncalc.inputs.problem import load_problem
from cnncalc.layers import COMMANDS


def solved(command: str, path=None, symbolic=False, **fields):
    spec = COMMANDS[command]
    solver = spec.solver()
    values = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in fields.items()}
    problem = load_problem(path, values, spec.fields, command=command)
    use_placeholders(problem, spec, symbolic)
    return solver.solve(solver.read(problem), 10**7)


def explained(command: str, path=None, symbolic=False, entries=(), max_steps=0, **fields):
    result = solved(command, path, symbolic, **fields)
    return result, explain(result, Request(tuple(entries), symbolic, max_steps))


def formula_lines(result, explanation) -> dict:
    """{target text: formula text} of every sum/chain step, as the table prints them."""
    from cnncalc.render.explanation_text import StepWriter

    writer = StepWriter(result.naming, explanation.shapes, 4, True)
    return {writer.target(step): writer.terms(step.terms, False) for step in explanation.steps
            if step.kind in ("sum", "chain")}
