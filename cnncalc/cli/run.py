"""The door's hinge: load → solve → (judge expect:) → render, shared by every command.

Heavy modules (NumPy, YAML, the core, rich) are imported here, inside the
functions, so `cnncalc --help` never pays for them. Writing the result is cli/output.py.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from cnncalc.cli.options import OutputOptions
from cnncalc.errors import CnnError
from cnncalc.vocabulary import CODE_LANGUAGES, DEFAULT_MAX_STEPS, spoken

FORMATS = ("table", "json", "yaml", "markdown", "latex")


def check_format(out: OutputOptions) -> None:
    if out.format not in FORMATS:
        from cnncalc.errors import did_you_mean

        raise CnnError("--format", f"one of {', '.join(FORMATS)}", repr(out.format),
                       hint=did_you_mean(out.format, FORMATS))
    check_writeup(out)


def _check_show_code(out: OutputOptions) -> None:
    """--show-code names a language, and its code replaces the result: nothing else is shown."""
    if out.show_code is None:
        return
    if out.show_code not in CODE_LANGUAGES:
        from cnncalc.errors import did_you_mean

        raise CnnError("--show-code", spoken(CODE_LANGUAGES), repr(out.show_code),
                       hint=did_you_mean(out.show_code, CODE_LANGUAGES))
    others = [flag for flag, given in (("--emit-problem", out.emit_problem), ("--export-svg", out.export_svg),
                                       ("--export-html", out.export_html), ("--explain", out.explain),
                                       ("--entry", out.entry), ("--symbolic", out.symbolic), ("--exact", out.exact),
                                       (f"--format {out.format}", out.format != "table")) if given]
    if others:
        raise CnnError("--show-code", "the code alone (it replaces the result)", f"also {', '.join(others)}",
                       hint="run them separately")


def check_writeup(out: OutputOptions) -> None:
    """--standalone belongs to LaTeX; export files are checked before any work is done."""
    if out.standalone and out.format != "latex":
        raise CnnError("--standalone", "--format latex (a whole LaTeX document)", f"--format {out.format}",
                       hint="add --format latex")
    _check_show_code(out)
    if out.exact and out.symbolic:
        raise CnnError("--exact", "numbers to make exact", "--symbolic too (formulas, no numbers)",
                       hint="keep one of them")
    for flag, value in (("--emit-problem", out.emit_problem), ("--export-svg", out.export_svg),
                        ("--export-html", out.export_html)):
        if value is not None and not value.strip():
            raise CnnError(flag, "a file name (or - for standard output with --emit-problem)", "an empty name")
    if out.entry and not any(part.strip(" ,") for part in out.entry):
        raise CnnError("--entry", "an entry like dx[2,1]", repr(",".join(out.entry)))
    from cnncalc.render.targets import check_targets

    check_targets(out)


def solve_problem(spec, path: str | None, options: dict, out: OutputOptions, verdicts: list | None = None):
    """Read the problem for the command `spec` declares (file and options) and solve it into a Result.

    With `verdicts` (a list), the answers under the file's `expect:` are judged and the verdict appended."""
    return solve_typed(spec, path, options, out, verdicts)[0]


def solve_typed(spec, path: str | None, options: dict, out: OutputOptions, verdicts: list | None = None):
    """(Result, the solver's typed problem) as solve_problem reads and solves them."""
    check_format(out)
    problem = _load(spec, path, options, out)
    changed = sorted(problem.from_options - {"names"})  # before placeholders add a dy of their own
    out = file_showing(problem, out)
    problem.index_base = out.index_base
    given = dict(problem.values)  # before shapes alone are filled with placeholders
    shapes_only = spec.name != "pipeline" and _placeholders(problem, spec, out)
    from cnncalc.solve.finite import nonfinite_warnings, watched

    from cnncalc.core.memory import keep_freed_memory

    keep_freed_memory()  # once per process; the core itself keeps no process-wide state
    with watched() as float_events:  # NumPy's RuntimeWarnings become the causes the warnings name
        solver = spec.solver()
        try:
            typed = solver.read(problem)
            result = solver.solve(typed, out.max_elements)
        except CnnError as error:
            raise _hint_for(spec, problem.locate(error)) from None
        result.notes[:0] = problem.notes
        result.warnings += nonfinite_warnings(result, float_events)
        if verdicts is not None and problem.has("expect"):
            judge_expectations(problem, result, changed, verdicts, path or "-", spec.name, shapes_only)
        if out.exact and not shapes_only:
            from cnncalc.exact import attach_exact

            attach_exact(result, typed, problem)
        result.problem = replace(problem, values=given)  # what --emit-problem writes back, with the answers
        if out.explained or shapes_only:
            explain_result(result, out, shapes_only)
    return result, typed


def _load(spec, path: str | None, options: dict, out: OutputOptions):
    from cnncalc.inputs.problem import load_problem

    try:
        return load_problem(path, options, spec.fields, out.max_elements, command=spec.name,
                            index_base=1 if out.index_base is None else out.index_base)
    except CnnError as error:
        raise _hint_for(spec, error) from None


def _hint_for(spec, error: CnnError) -> CnnError:
    """A hint that fits the command: `shape` has no --max-elements (it reads shapes, allocates
    nothing); a pipeline takes no shapes alone, --symbolic or not (it derives from numbers)."""
    if spec.name == "shape" and "--max-elements" in error.hint:
        return replace(error, hint="cnncalc shape reads shapes alone: a problem of a few short lines")
    if spec.name == "pipeline" and "add --symbolic" in error.hint:
        return replace(error, hint="a pipeline derives from numbers, --symbolic or not: give values, or run "
                                   "one layer with shapes alone as its own command (cnncalc conv -x 3x3 -w 2x2 "
                                   "--symbolic)")
    return error


def _placeholders(problem, spec, out: OutputOptions) -> bool:
    """Whether the inputs are shapes alone (placeholders then stand in for the numbers)."""
    if not out.symbolic:
        return False  # (a shape alone without --symbolic is refused where it is read, with a hint)
    from cnncalc.explain.symbolic import use_placeholders

    return use_placeholders(problem, spec, out.symbolic)


def judge_expectations(problem, result, changed: list, verdicts: list, label: str, command: str,
                       shapes_only: bool) -> None:
    """The file's `expect:` answers judged against the result, unless options changed the problem."""
    if changed or problem.has("only"):
        why = f"options change the problem ({', '.join(changed)})" if changed else "--only shows a part of the result"
        result.notes.append(f"expect: not checked, as {why}; cnncalc check grades the file as written")
        return
    from cnncalc.check.grading import Settings, judge_problem

    verdict = judge_problem(problem, result, Settings(), shapes_only)
    verdict.file, verdict.command = label, command
    verdicts.append(verdict)


def file_showing(problem, out: OutputOptions) -> OutputOptions:
    """The output options with what the file asks for (explain: true, symbolic: true, entry: [...],
    max_steps: N, index_base: 0) added; the command line's flags add to them, its numbers win."""
    from cnncalc.inputs.fields import SHOWING_READERS

    file = {key: problem.read(key, reader) for key, reader in SHOWING_READERS.items()}
    return replace(out, explain=out.explain or bool(file["explain"]), symbolic=out.symbolic or bool(file["symbolic"]),
                   entry=out.entry or file["entry"] or (),
                   max_steps=_first(out.max_steps, file["max_steps"], DEFAULT_MAX_STEPS),
                   index_base=_first(out.index_base, file["index_base"], 1))


def _first(*values):
    """The command line's value, else the file's, else the default."""
    return next(value for value in values if value is not None)


def explain_result(result, out: OutputOptions, shapes_only: bool) -> None:
    """Attach the derivation asked for; with shapes alone, it replaces the (placeholder) numbers."""
    from cnncalc.explain import Request, explain
    from cnncalc.explain.entries import split_entries
    from cnncalc.explain.symbolic import drop_numbers

    request = Request(tuple(split_entries(out.entry)), out.symbolic or shapes_only, out.max_steps)
    result.explanation = explain(result, request)
    if shapes_only:
        drop_numbers(result)


def run(spec, paths: list[str] | str | None, options: dict, out: OutputOptions) -> int:
    """Solve and write one problem (a file, or options alone) or each of several files; the exit
    code (1 when an answer under `expect:` is wrong)."""
    from cnncalc.cli.many import is_many, run_many
    from cnncalc.cli.output import guarded, report_expectations, write

    paths = [paths] if isinstance(paths, str) else list(paths or ())
    if is_many(paths):
        one_file = [flag for flag, given in (("--emit-problem", out.emit_problem), ("--show-code", out.show_code),
                                             ("--export-svg", out.export_svg), ("--export-html", out.export_html),
                                             ("--standalone", out.standalone))  # one document, one problem
                    if given]
        if one_file:
            raise CnnError(one_file[0], "one problem file", f"{len(paths)} paths", hint="run it once per file")
        return run_many(spec, paths, options, out)
    path = paths[0] if paths else None
    verdicts: list = []
    result, typed = solve_typed(spec, path, options | {"names": out.names}, out, verdicts)
    if out.show_code:
        from cnncalc.render.code import show_code

        text = show_code(result, typed, out.show_code)
        guarded(lambda: sys.stdout.write(text))
        return 0
    if out.emit_problem:
        from cnncalc.render.problem_out import emit_problem

        emit_problem(result, result.problem, path, out.emit_problem, out)
        if out.emit_problem == "-":  # the key is the output
            return 0
    write(result, out)
    return report_expectations(verdicts, out)
