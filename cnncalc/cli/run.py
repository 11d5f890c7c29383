"""The door's hinge: load → solve → render, shared by every command.

Heavy modules (NumPy, YAML, the core, rich) are imported here, inside the
functions, so `cnncalc --help` never pays for them.
"""

from __future__ import annotations

import sys

from cnncalc.cli.options import DEFAULT_MAX_STEPS, OutputOptions
from cnncalc.errors import CnnError

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
    problem = load_problem(path, options, spec.fields, out.max_elements, command=spec.name,
                           index_base=out.index_base)
    out = file_showing(problem, out)
    problem.index_base = out.index_base
    given = dict(problem.values)  # before shapes alone are filled with placeholders
    shapes_only = False
    if spec.name != "pipeline":
        from cnncalc.explain.symbolic import use_placeholders

        shapes_only = use_placeholders(problem, spec, out.symbolic)
    try:
        typed = solver.read(problem)
        result = solver.solve(typed, out.max_elements)
    except CnnError as error:
        raise problem.locate(error) from None
    result.notes[:0] = problem.notes
    if out.exact and not shapes_only:
        from cnncalc.exact import attach_exact

        attach_exact(result, typed, problem)
    from dataclasses import replace

    result.problem = replace(problem, values=given)  # what --emit-problem writes back, with the answers
    if out.explained or shapes_only:
        explain_result(result, out, shapes_only)
    return result


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


def render(result, out: OutputOptions) -> None:
    if out.format == "json":
        from cnncalc.render.jsonout import render_json

        sys.stdout.write(render_json(result))
    elif out.format == "yaml":
        from cnncalc.render.yamlout import render_yaml

        sys.stdout.write(render_yaml(result))
    else:
        from rich.console import Console

        from cnncalc.render.table import render_table

        render_table(result, Console(), out.precision, result.naming.base)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def run(spec, path: str | None, options: dict, out: OutputOptions) -> None:
    if out.emit_problem:
        from cnncalc.render.problem_out import check_writable

        check_writable(out.emit_problem, out.force)  # before any work
    result = solve_problem(spec, path, options | {"names": out.names}, out)
    if out.show_code:
        from cnncalc.render.code import show_code

        sys.stdout.write(show_code(result, spec.solver().read(result.problem), out.show_code))
        return
    if out.emit_problem:
        from cnncalc.render.problem_out import emit_problem

        emit_problem(result, result.problem, path, out.emit_problem, out)
        if out.emit_problem == "-":  # the key is the output
            return
    render(result, out)
