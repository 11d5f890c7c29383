"""The door's hinge: load → solve → render, shared by every command.

Heavy modules (NumPy, YAML, the core, rich) are imported here, inside the
functions, so `cnncalc --help` never pays for them.
"""

from __future__ import annotations

import errno
import sys

from cnncalc.cli.options import DEFAULT_MAX_STEPS, OutputOptions
from cnncalc.errors import CnnError, printable

FORMATS = ("table", "json", "yaml")


def check_format(out: OutputOptions) -> None:
    if out.format not in FORMATS:
        from cnncalc.errors import did_you_mean

        raise CnnError("--format", f"one of {', '.join(FORMATS)}", repr(out.format),
                       hint=did_you_mean(out.format, FORMATS))


def solve_problem(spec, path: str | None, options: dict, out: OutputOptions):
    """Read the problem for the command `spec` declares (file and options) and solve it into a Result."""
    check_format(out)
    from cnncalc.inputs.problem import load_problem

    solver = spec.solver()
    try:
        problem = load_problem(path, options, spec.fields, out.max_elements, command=spec.name,
                               index_base=out.index_base)
    except CnnError as error:
        raise _hint_for(spec, error) from None
    out = file_showing(problem, out)
    problem.index_base = out.index_base
    shapes_only = False
    if spec.name != "pipeline":
        from cnncalc.explain.symbolic import use_placeholders

        shapes_only = use_placeholders(problem, spec, out.symbolic)
    from cnncalc.solve.finite import nonfinite_warnings, watched

    with watched() as float_events:  # NumPy's RuntimeWarnings become the causes named below
        try:
            result = solver.solve(solver.read(problem), out.max_elements)
        except CnnError as error:
            raise _hint_for(spec, problem.locate(error)) from None
        result.notes[:0] = problem.notes
        result.warnings += nonfinite_warnings(result, float_events)
        if out.explained or shapes_only:
            explain_result(result, out, shapes_only)
    return result


def _hint_for(spec, error: CnnError) -> CnnError:
    """`shape` has no --max-elements (it reads shapes, allocates nothing): never suggest it there."""
    if spec.name != "shape" or "--max-elements" not in error.hint:
        return error
    from dataclasses import replace

    return replace(error, hint="cnncalc shape reads shapes alone: a problem of a few short lines")


def file_showing(problem, out: OutputOptions) -> OutputOptions:
    """The output options with what the file asks for (explain: true, symbolic: true, entry: [...],
    max_steps: N, index_base: 0) added; the command line's flags add to them, its numbers win."""
    from dataclasses import replace

    values = problem.values
    entries = values.get("entry") or ()
    entries = (entries,) if isinstance(entries, str) else tuple(str(e) for e in entries)
    given = {"explain": out.explain or values.get("explain") is True,
             "symbolic": out.symbolic or values.get("symbolic") is True, "entry": out.entry or entries}
    if out.max_steps == DEFAULT_MAX_STEPS and isinstance(values.get("max_steps"), int):
        given["max_steps"] = values["max_steps"]
    if out.index_base == 1 and values.get("index_base") in (0, 1):
        given["index_base"] = values["index_base"]
    return replace(out, **given)


def explain_result(result, out: OutputOptions, shapes_only: bool) -> None:
    """Attach the derivation asked for; with shapes alone, it replaces the (placeholder) numbers."""
    from cnncalc.explain import Request, explain
    from cnncalc.explain.entries import split_entries
    from cnncalc.explain.symbolic import drop_numbers

    request = Request(tuple(split_entries(out.entry)), out.symbolic or shapes_only, out.max_steps)
    result.explanation = explain(result, request)
    if shapes_only:
        drop_numbers(result)


def render(result, out: OutputOptions, file: str | None = None) -> None:
    """Write `result` in the chosen format; `file` (several files in one call) is named in JSON and warnings."""
    if out.format == "json":
        from cnncalc.cli.jsonstream import write_json

        write_json(result, sys.stdout.write, file)
    elif out.format == "yaml":
        from cnncalc.render.yamlout import render_yaml

        sys.stdout.write(render_yaml(result))
    else:
        from cnncalc.render.table import render_table

        render_table(result, _console(), out.precision, result.naming.base)
    where = f"{printable(file, 200)}: " if file else ""
    for warning in result.warnings:
        print(f"warning: {where}{warning}", file=sys.stderr)


def _console():
    """rich's console, except that a closed pipe is left to the error door (rich would exit 1 itself)."""
    from rich.console import Console

    class DoorConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    return DoorConsole()


def run(spec, paths: list[str] | str | None, options: dict, out: OutputOptions) -> int:
    """Solve and write the problem (one file, or none: options alone), or each of several files."""
    from cnncalc.cli.many import is_many, run_many

    paths = [paths] if isinstance(paths, str) else list(paths or ())
    if is_many(paths):
        return run_many(spec, paths, options, out)
    write(solve_problem(spec, paths[0] if paths else None, options | {"names": out.names}, out), out)
    return 0


def write(result, out: OutputOptions, file: str | None = None) -> None:
    """Render `result`; a closed pipe becomes OutputClosed, which the error door ends with exit 0."""
    from cnncalc.cli.errors import OutputClosed

    try:
        render(result, out, file)
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed() from None
