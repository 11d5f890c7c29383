"""Writing a result: the format asked for, exports, warnings, and the verdict on `expect:`."""

from __future__ import annotations

import errno
import sys

from cnncalc.cli.options import OutputOptions
from cnncalc.errors import printable


def render(result, out: OutputOptions, file: str | None = None) -> None:
    """Write `result` in the chosen format; `file` (several files in one call) is named in JSON and warnings."""
    if out.format == "json":
        from cnncalc.cli.jsonstream import write_json

        write_json(result, sys.stdout.write, file)
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
        from cnncalc.render.table import render_table

        render_table(result, _console(), out.precision, result.naming.base)
    if out.export_svg or out.export_html:
        from cnncalc.render.export import export

        export(result, out)
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


def guarded(action) -> None:
    """Run a write; a closed pipe becomes OutputClosed, which the error door ends with exit 0."""
    from cnncalc.cli.errors import OutputClosed

    try:
        action()
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed() from None


def write(result, out: OutputOptions, file: str | None = None) -> None:
    """Render `result` (a closed pipe ends quietly)."""
    guarded(lambda: render(result, out, file))


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
    guarded(lambda: stream.write("".join(line + "\n" for line in lines)))
    return 1
