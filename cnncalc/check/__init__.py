"""Checking a user's own answers: reading them (numbers, expressions, formulas) and judging them.

`grade(problem)` grades one problem for a notebook grader; `cnncalc check` grades files.
"""


def __getattr__(name):  # grade and Grade load the solvers: only when asked for
    if name in ("grade", "Grade"):
        from cnncalc.check import grading

        return getattr(grading, name)
    raise AttributeError(name)
