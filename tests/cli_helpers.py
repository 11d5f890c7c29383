"""Run the CLI in-process and capture what a user would see."""

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from cnncalc.cli.app import main

ROOT = Path(__file__).parent.parent  # the repository, whatever folder pytest was started in


def example(name: str) -> str:
    """The path of examples/<name>, as the CLI takes it."""
    return str(ROOT / "examples" / name)


def problem_file(tmp_path: Path, text: str, name: str = "p.yaml") -> str:
    """Write a problem file under tmp_path; its path, as the CLI takes it."""
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def caret_span(error) -> tuple[int, int]:
    """(first, end) columns of the carets under the quoted text of a CnnError."""
    marks = error.caret.splitlines()[-1]
    start = len(marks) - len(marks.lstrip())
    return start, len(marks)


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


def cnncalc(*args: str, stdin: str | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
                code = 0
            except SystemExit as exit_:
                code = int(exit_.code or 0)
    finally:
        sys.stdin = saved
    return Run(code, out.getvalue(), err.getvalue())
