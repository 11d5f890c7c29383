"""Many problem files in one call: `cnncalc conv a.yaml b.yaml problems/`.

One process pays the start-up once (a process per file costs ~100× the work of a small
problem). Each file is solved on its own, with the same options:
  table  one section per file, under a heading naming it
  json   one JSON document per line (JSON Lines), each with "file" first
  yaml   one YAML document per file, '--- # FILE' between them
A bad file gets its one error line on stderr (naming the file) and the others still run;
the exit code is then 2. Folders are searched recursively for *.yaml and *.yml, in sorted order.
"""

from __future__ import annotations

import os
import sys

from cnncalc.errors import CnnError, ExitCode, printable

SUFFIXES = (".yaml", ".yml")


def is_many(paths: list[str]) -> bool:
    """True when the call names several files or a folder (one file keeps today's output exactly)."""
    return len(paths) > 1 or (len(paths) == 1 and paths[0] != "-" and os.path.isdir(paths[0]))


def expand(paths: list[str]) -> list[str]:
    """Files in the order given, each folder replaced by its *.yaml files (recursively, sorted)."""
    files = []
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            files.append(path)
            continue
        found = sorted(os.path.join(root, name) for root, _, names in os.walk(path)
                       for name in names if name.endswith(SUFFIXES))
        if not found:
            raise CnnError("problem file", "a folder holding *.yaml problem files", "no .yaml file", file=path)
        files += found
    return files


def run_many(spec, paths: list[str], options: dict, out) -> int:
    """Solve and write every file; the exit code (2 if any file was refused, else 1 if an answer
    under a file's `expect:` is wrong)."""
    from cnncalc.cli.errors import report_error
    from cnncalc.cli.output import report_expectations, write
    from cnncalc.cli.run import solve_problem

    failed = wrong = 0
    for k, path in enumerate(expand(paths)):
        verdicts: list = []
        try:
            result = solve_problem(spec, path, options | {"names": out.names}, out, verdicts)
        except CnnError as error:
            failed += 1
            report_error(error if error.file else error.located(path))
            continue
        _heading(path, out.format, first=k == 0)
        write(result, out, file=path)
        wrong += report_expectations(verdicts, out)
    if failed:
        return ExitCode.BAD_INPUT
    return ExitCode.MISMATCH if wrong else ExitCode.OK


def _heading(path: str, fmt: str, first: bool) -> None:
    shown = printable(path, 200)
    if fmt == "yaml":
        sys.stdout.write(f"--- # {shown}\n")
    elif fmt == "latex":  # fragments to paste or \input: the file's name as a comment
        sys.stdout.write(("" if first else "\n") + f"% === {shown} ===\n")
    elif fmt != "json":
        sys.stdout.write(("" if first else "\n") + f"=== {shown} ===\n")
