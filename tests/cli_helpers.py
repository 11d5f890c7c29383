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
