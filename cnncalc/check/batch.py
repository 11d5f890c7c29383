"""Grading many files in one process (or several with --jobs), results in the order given.

Folders are searched recursively for *.yaml, in sorted order; a path that is neither a file nor
a folder is a bad file of its own, and the others are still graded.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterable

from cnncalc.check.grading import Settings, grade_file
from cnncalc.check.verdicts import FileVerdict

PROGRESS_FROM = 20   # files: a shorter batch needs no progress bar
CHUNK = 16           # files per task sent to a worker process


def collect_files(paths: Iterable[str]) -> list[str]:
    """Files as given, folders expanded into their *.yaml files (recursively, sorted)."""
    files = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            files += sorted(str(p) for p in Path(path).rglob("*.yaml") if p.is_file())
        else:
            files.append(path)
    return files


def grade_files(files: list[str], settings: Settings, jobs: int = 1,
                progress: Callable[[int, int], None] | None = None) -> list[FileVerdict]:
    """A verdict per file, in the order of `files`; `jobs` > 1 grades in worker processes."""
    if jobs <= 1 or len(files) < 2:
        verdicts = []
        for done, path in enumerate(files, 1):
            verdicts.append(grade_file(path, settings))
            if progress:
                progress(done, len(files))
        return verdicts
    return _in_workers(files, settings, jobs, progress)


def _grade_chunk(args) -> list[FileVerdict]:
    files, settings = args
    return [grade_file(path, settings).without_result() for path in files]


def _in_workers(files, settings: Settings, jobs: int, progress) -> list[FileVerdict]:
    import multiprocessing

    chunks = [files[k:k + CHUNK] for k in range(0, len(files), CHUNK)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    verdicts: list[FileVerdict] = []
    with context.Pool(min(jobs, len(chunks))) as pool:
        for chunk in pool.imap(_grade_chunk, [(chunk, settings) for chunk in chunks]):
            verdicts += chunk
            if progress:
                progress(len(verdicts), len(files))
    return verdicts


class ProgressBar:
    """A one-line bar on stderr, only when stderr is a terminal and the batch is long."""

    def __init__(self, total: int, stream=None):
        self.stream = stream or sys.stderr
        self.shown = total >= PROGRESS_FROM and _is_terminal(self.stream)
        self.step = max(total // 100, 1)

    def __call__(self, done: int, total: int) -> None:
        if not self.shown or (done % self.step and done != total):
            return
        width = 30
        filled = width * done // total
        self.stream.write(f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            self.stream.write("\r" + " " * (width + 24 + 2 * len(str(total))) + "\r")
        self.stream.flush()


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
