"""Many small problem files: one CLI process per file ÷ all of them in one process.

    .venv/bin/python bench/many_files.py            # 1,000 files, ~30 s
    .venv/bin/python bench/many_files.py --quick    # 20 files

Writes 1,000 small conv problems (a 4x4 input, a 2x2 kernel, a bias, random integers).
  one process       cnncalc.cli.app.main(["conv", FILE, "--json"]) called for every file in
                    this interpreter (stdout captured), after one warm-up call: what a
                    multi-file command costs per file at best
  process per file  `cnncalc conv FILE --json` as its own process, as a shell loop runs it;
                    measured on 20 files only (5 per block) and EXTRAPOLATED to 1,000 by
                    the median time per process
Blocks interleave the two (250 files in-process, then 5 processes, then the other way
round). Reported: the median time per file each way, the totals for 1,000 files (the
process-per-file total extrapolated, said so), and the ratio process-per-file ÷ one
process (median over blocks). Every answer is checked: exit 0, and the in-process JSON
equal to the subprocess JSON for the same files. If `cnncalc conv` ever accepts several
files in one call, that call is timed too (one process, all files).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time

import report as rp

FULL, QUICK = {"files": 1000, "processes": 20}, {"files": 20, "processes": 4}


def write_problems(folder: str, count: int) -> list[str]:
    import numpy as np

    r = np.random.default_rng(0)
    paths = []
    for k in range(count):
        x, w = r.integers(-5, 6, (4, 4)).tolist(), r.integers(-2, 3, (2, 2)).tolist()
        path = os.path.join(folder, f"problem{k:04d}.yaml")
        with open(path, "w") as fh:
            fh.write(f"command: conv\nx: {x}\nw: {w}\nb: {int(r.integers(-3, 4))}\n")
        paths.append(path)
    return paths


def cli_command() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "cnncalc")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "cnncalc"]


def solve_in_process(path: str) -> str:
    from cnncalc.cli.app import main

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        try:
            main(["conv", path, "--json"])
        except SystemExit as stop:
            if stop.code not in (0, None):
                raise RuntimeError(f"{path}: exit {stop.code}") from None
    return sink.getvalue()


def solve_in_subprocess(path: str) -> str:
    done = subprocess.run(cli_command() + ["conv", path, "--json"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{path}: exit {done.returncode}: {done.stderr.strip()[:200]}")
    return done.stdout


def per_file_timer(solve, files: list[str], per_block: int):
    """A timer over the next `per_block` files each call, cycling through `files`."""
    state = {"next": 0}

    def run(_threads, _repeats) -> list[float]:
        times = []
        for _ in range(per_block):
            path = files[state["next"] % len(files)]
            state["next"] += 1
            started = time.perf_counter()
            solve(path)
            times.append(time.perf_counter() - started)
        return times

    return run


def check_answers(files: list[str], report: rp.Report) -> None:
    for path in files[:3]:
        if json.loads(solve_in_process(path)) != json.loads(solve_in_subprocess(path)):
            report.failures.append(f"{os.path.basename(path)}: in-process and CLI answers differ")


def multi_file_call(files: list[str], report: rp.Report) -> None:
    """Time `cnncalc conv F1 F2 ... --json` when the CLI accepts it; say so when it does not."""
    probe = subprocess.run(cli_command() + ["conv", *files[:2], "--json"], capture_output=True, text=True)
    if probe.returncode != 0:
        report.notes.append("`cnncalc conv FILE FILE` is refused today (exit "
                            f"{probe.returncode}); 'one process' is main() called per file in one interpreter")
        return
    started = time.perf_counter()
    done = subprocess.run(cli_command() + ["conv", *files, "--json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        report.failures.append(f"one call with {len(files)} files: exit {done.returncode}")
        return
    report.notes.append(f"one `cnncalc conv` call with all {len(files)} files: {rp.fmt_time(elapsed)} "
                        f"({rp.fmt_time(elapsed / len(files))} per file, start-up included)")


def measure(files: list[str], sizes: dict, s: rp.Settings, report: rp.Report) -> None:
    solve_in_process(files[0])  # warm-up: imports and first-call caches
    timers = {"process per file": per_file_timer(solve_in_subprocess, files, sizes["processes"] // s.blocks),
              "one process": per_file_timer(solve_in_process, files, len(files) // s.blocks)}
    medians = rp.interleave(timers, s, {(name, None): 1 for name in timers})
    row = rp.baseline_row("many_files", f"{len(files)} small conv files: a process each / one process",
                          medians, "process per file", "one process")
    per = row["median_s"]
    row["totals_s"] = {"one process (measured)": per["one process"] * len(files),
                       "process per file (extrapolated)": per["process per file"] * len(files)}
    report.rows.append(row)
    report.notes.append(f"{len(files)} files: one process {rp.fmt_time(row['totals_s']['one process (measured)'])}"
                        f" (median per file x {len(files)}); a process per file "
                        f"{rp.fmt_time(row['totals_s']['process per file (extrapolated)'])} EXTRAPOLATED from "
                        f"{sizes['processes']} processes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rp.common_arguments(parser, blocks=4, block_seconds=0.0)
    args = parser.parse_args()
    s = rp.settings_from(args)
    s.threads, s.pause = [None], 0.0
    sizes = QUICK if s.quick else FULL
    report = rp.Report("many_files", s.quick, rp.environment(sizes | {"cli": " ".join(cli_command())}))
    print(f"== {__doc__.splitlines()[0]}\n{json.dumps(report.env)}\n{s.blocks} blocks, order alternated")
    with tempfile.TemporaryDirectory(prefix="cnncalc-many-") as folder:
        files = write_problems(folder, sizes["files"])
        try:
            check_answers(files, report)
            measure(files, sizes, s, report)
            multi_file_call(files, report)
        except Exception as error:  # noqa: BLE001  (any failure fails the run, with its reason)
            report.failures.append(f"{type(error).__name__}: {error}")
    rp.print_baseline_rows(report)
    return rp.finish(report, args.json)


if __name__ == "__main__":
    sys.exit(main())
