"""The door's hinge: load → solve → render, shared by every command.

Heavy modules (NumPy, YAML, the core, rich) are imported here, inside the
functions, so `cnncalc --help` never pays for them.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from cnncalc.cli.options import DEFAULT_MAX_STEPS, OutputOptions
from cnncalc.errors import CnnError

FORMATS = ("table", "json", "yaml", "markdown", "latex")


def check_format(out: OutputOptions) -> None:
    if out.format not in FORMATS:
        from cnncalc.errors import did_you_mean

        raise CnnError("--format", f"one of {', '.join(FORMATS)}", repr(out.format),
                       hint=did_you_mean(out.format, FORMATS))
    check_writeup(out)


def check_writeup(out: OutputOptions) -> None:
    """--standalone belongs to LaTeX; export files are checked before any work is done."""
    if out.standalone and out.format != "latex":
        raise CnnError("--standalone", "--format latex (a whole LaTeX document)", f"--format {out.format}",
                       hint="add --format latex")
    if out.export_svg or out.export_html:
        from cnncalc.render.export import check_targets

        check_targets(out)


def solve_problem(spec, path: str | None, options: dict, out: OutputOptions, verdicts: list | None = None):
    """Read the problem for the command `spec` declares (file and options) and solve it into a Result.

    With `verdicts` (a list), the answers under the file's `expect:` are judged and the verdict appended."""
    check_format(out)
    from cnncalc.inputs.problem import load_problem

    problem = load_problem(path, options, spec.fields, out.max_elements, command=spec.name,
                           index_base=out.index_base)
    changed = sorted(problem.from_options - {"names"})  # before placeholders add a dy of their own
    out = file_showing(problem, out)
    problem.index_base = out.index_base
    given = dict(problem.values)  # before shapes alone are filled with placeholders
    shapes_only = spec.name != "pipeline" and _placeholders(problem, spec, out)
    solver = spec.solver()
    try:
        typed = solver.read(problem)
        result = solver.solve(typed, out.max_elements)
    except CnnError as error:
        raise problem.locate(error) from None
    result.notes[:0] = problem.notes
    if verdicts is not None and problem.has("expect"):
        judge_expectations(problem, result, changed, verdicts, path or "-", spec.name, shapes_only)
    if out.exact and not shapes_only:
        from cnncalc.exact import attach_exact

        attach_exact(result, typed, problem)
    result.problem = replace(problem, values=given)  # what --emit-problem writes back, with the answers
    if out.explained or shapes_only:
        explain_result(result, out, shapes_only)
    return result


def _placeholders(problem, spec, out: OutputOptions) -> bool:
    """Whether the inputs are shapes alone (placeholders then stand in for the numbers)."""
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
    elif out.format == "latex":
        from cnncalc.render.latex import render_latex

        sys.stdout.write(render_latex(result, out.precision, result.naming.base, out.standalone))
    elif out.format == "markdown":
        from cnncalc.render.markdown import render_markdown

        sys.stdout.write(render_markdown(result, out.precision, result.naming.base))
    else:
        from rich.console import Console

        from cnncalc.render.table import render_table

        render_table(result, Console(), out.precision, result.naming.base)
    if out.export_svg or out.export_html:
        from cnncalc.render.export import export

        export(result, out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def run(spec, path: str | None, options: dict, out: OutputOptions) -> int:
    """Solve, then print the result (or its PyTorch code, or its answer key), and judge the file's
    `expect:` answers: the exit code (1 when one is wrong)."""
    if out.emit_problem:
        from cnncalc.render.problem_out import check_writable

        check_writable(out.emit_problem, out.force)  # before any work
    verdicts: list = []
    result = solve_problem(spec, path, options | {"names": out.names}, out, verdicts)
    if out.show_code:
        from cnncalc.render.code import show_code

        sys.stdout.write(show_code(result, spec.solver().read(result.problem), out.show_code))
        return 0
    if out.emit_problem:
        from cnncalc.render.problem_out import emit_problem

        emit_problem(result, result.problem, path, out.emit_problem, out)
        if out.emit_problem == "-":  # the key is the output
            return 0
    render(result, out)
    return report_expectations(verdicts, out)


def report_expectations(verdicts: list, out: OutputOptions) -> int:
    """All right: a note on stderr. Some wrong: the verdict after the tables (on stderr beside
    JSON or YAML, which stay parseable on stdout), and exit code 1."""
    if not verdicts:
        return 0
    verdict = verdicts[0]
    if verdict.status == "right":
        print(f"cnncalc: expect: all {verdict.total_count} answers right", file=sys.stderr)
        return 0
    from cnncalc.check.text import file_lines

    stream = sys.stdout if out.format == "table" else sys.stderr
    lines = ["", "Your answers (expect:)"] if stream is sys.stdout else []
    lines += file_lines(verdict) + [f"(cnncalc check {verdict.file} grades it alone; --explain derives each wrong entry)"]
    stream.write("".join(line + "\n" for line in lines))
    return 1
