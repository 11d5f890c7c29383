"""`cnncalc check`: grade the files, print the verdicts in the format asked, return the exit code.

Exit codes: 0 every answer right, 1 some answer wrong (or missing, of the wrong shape, or
unreadable), 2 some file bad (it could not be read or solved; the others are still graded).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from cnncalc.check.batch import ProgressBar, collect_files, grade_files
from cnncalc.check.formats import FORMATS, WRITERS
from cnncalc.check.grading import Settings
from cnncalc.vocabulary import DEFAULT_MAX_ELEMENTS
from cnncalc.check.text import file_lines, summary_lines
from cnncalc.check.verdicts import FileVerdict
from cnncalc.errors import CnnError, ExitCode, did_you_mean


@dataclass(frozen=True)
class CheckOptions:
    format: str = "table"
    tolerance: str | None = None
    partial: bool = False
    jobs: int = 1
    details: bool = False
    explain: bool = False
    index_base: int | None = None
    max_elements: int = DEFAULT_MAX_ELEMENTS


def settings_of(options: CheckOptions) -> Settings:
    tolerance = None
    if options.tolerance is not None:
        from cnncalc.check.tolerance import read_tolerance

        tolerance = read_tolerance(options.tolerance, "--tolerance")
    return Settings(tolerance, options.partial, options.index_base, options.max_elements,
                    keep_result=options.explain)


def run_check(paths: list[str], options: CheckOptions) -> int:
    """Grade `paths` (files and folders) and print; the exit code."""
    if options.format not in FORMATS:
        raise CnnError("--format", f"one of {', '.join(FORMATS)}", repr(options.format),
                       hint=did_you_mean(options.format, FORMATS))
    settings = settings_of(options)
    files = collect_files(paths)
    if not files:
        raise CnnError("FILES", "problem files or folders holding *.yaml files", "no file")
    jobs = 1 if options.explain else options.jobs
    verdicts = grade_files(files, settings, jobs, ProgressBar(len(files)))
    for verdict in verdicts:
        if verdict.error is not None:
            print(f"cnncalc: error: {verdict.error}", file=sys.stderr)
    write(verdicts, options)
    return exit_code(verdicts)


def exit_code(verdicts: list[FileVerdict]) -> int:
    if any(v.status == "bad" for v in verdicts):
        return ExitCode.BAD_INPUT
    return ExitCode.MISMATCH if any(v.status == "wrong" for v in verdicts) else ExitCode.OK


def write(verdicts: list[FileVerdict], options: CheckOptions) -> None:
    if options.format != "table":
        sys.stdout.write(WRITERS[options.format](verdicts))
        return
    detailed = len(verdicts) == 1 or options.details or options.explain
    lines = []
    if detailed:
        for verdict in verdicts:
            if verdict.error is None:
                lines += file_lines(verdict) + explanation_lines(verdict, options.explain) + [""]
    if len(verdicts) > 1:
        lines += summary_lines(verdicts)
    elif lines and not lines[-1]:
        lines.pop()
    sys.stdout.write("".join(line + "\n" for line in lines))


def explanation_lines(verdict: FileVerdict, wanted: bool) -> list[str]:
    """The right derivation of each wrong entry, and of no other (--explain)."""
    if not wanted or verdict.result is None:
        return []
    from cnncalc.render.explanation import explanation_view

    lines = []
    for name in verdict.names:
        wrong = [entry for entry in name.wrong_entries() if entry.status == "wrong"]
        if not wrong:
            continue
        symbolic = any(entry.formula is not None for entry in wrong)
        explanation = _explained(verdict.result, tuple(e.entry for e in wrong), symbolic)
        view = explanation_view(explanation, verdict.result.naming)
        lines.append(f"  the right derivation of the wrong entries of {name.shown}:")
        lines += [f"    {line}" for step in view.steps for line in step.lines]
    return lines


def _explained(result, entries: tuple[str, ...], symbolic: bool):
    """The entries' derivation, in symbols for formula answers; with its numbers where the layer has no
    symbolic form (max pooling: which cell is the maximum depends on x)."""
    from cnncalc.explain import Request, explain

    try:
        return explain(result, Request(entries, symbolic, 0))
    except CnnError:
        if not symbolic:
            raise
        return explain(result, Request(entries, False, 0))
