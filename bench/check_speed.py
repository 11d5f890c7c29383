"""Grading a class: `cnncalc check DIR` on 1,000 files with expectations, whole process, summarised.

    .venv/bin/python bench/check_speed.py            # 1,000 conv + 1,000 pipeline files
    .venv/bin/python bench/check_speed.py --quick    # 40 of each

Two batches, each graded by ONE `cnncalc check FOLDER` process (start-up, YAML, solving,
judging and the summary table all included), with one job and with --jobs 2:
  conv      homework-sized conv files (3×3 input, 2×2 kernel, bias, dy; y, dx, dw, db expected,
            one dx answered with the kernel not rotated): examples/check_class/student2.yaml
  pipeline  homework 11's network with its stated answers (76 entries): check_homework11_answers
Reported: files per second (wall clock, median over blocks; CPU seconds beside it, since a loaded
machine stretches wall time) against the targets of issue 10: conv ≥ 1,000 files/s and pipeline
≥ 400 files/s with one job. Every run's exit code and totals line are checked.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import report as rp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = {"conv": "examples/check_class/student2.yaml", "pipeline": "examples/check_homework11_answers.yaml"}
TARGETS = {"conv": 1000, "pipeline": 400}
EXIT = {"conv": 1, "pipeline": 0}
FULL, QUICK = 1000, 40


def write_batch(folder: str, kind: str, count: int) -> str:
    with open(os.path.join(ROOT, SOURCES[kind])) as fh:
        text = fh.read()
    batch = os.path.join(folder, kind)
    os.makedirs(batch)
    for k in range(count):
        with open(os.path.join(batch, f"student{k:04d}.yaml"), "w") as fh:
            fh.write(text)
    return batch


def cli_command() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "cnncalc")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "cnncalc"]


def grade_once(batch: str, jobs: int, kind: str, count: int, report: rp.Report) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its workers) of one `cnncalc check` call."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cli_command() + ["check", batch, "--jobs", str(jobs)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != EXIT[kind] or f"{count} files:" not in done.stdout:
        report.failures.append(f"{kind} --jobs {jobs}: exit {done.returncode}, {done.stderr.strip()[-200:]}")
    return wall, cpu


def measure(batches: dict, count: int, blocks: int, report: rp.Report) -> None:
    for kind, batch in batches.items():
        for jobs in (1, 2):
            runs = [grade_once(batch, jobs, kind, count, report) for _ in range(blocks)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            rate = count / wall
            row = {"case": f"{kind}_jobs{jobs}", "threads": jobs, "files": count, "median_s": {"cnncalc": wall},
                   "files_per_s": rate, "cpu_s": cpu, "files_per_cpu_s": count / cpu if cpu else None,
                   "target_files_per_s": TARGETS[kind] if jobs == 1 else None}
            report.rows.append(row)
            meets = "" if jobs != 1 else (" (target ≥ %d: %s)" % (TARGETS[kind], "met" if rate >= TARGETS[kind]
                                                                  else "NOT met"))
            print(f"{kind:8s} --jobs {jobs}: {count} files in {wall:.2f} s = {rate:,.0f} files/s wall, "
                  f"{count / cpu if cpu else 0:,.0f} files per CPU second{meets}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rp.common_arguments(parser, blocks=3, block_seconds=0.0)
    args = parser.parse_args()
    s = rp.settings_from(args)
    count = QUICK if s.quick else FULL
    blocks = 1 if s.quick else s.blocks
    report = rp.Report("check_speed", s.quick, rp.environment({"files": count, "cli": " ".join(cli_command())}))
    print(f"== {__doc__.splitlines()[0]}\n{blocks} run(s) each, median reported; load average "
          f"{os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        try:
            batches = {kind: write_batch(folder, kind, count) for kind in SOURCES}
            measure(batches, count, blocks, report)
        except Exception as error:  # a bench reports its failure in its report
            report.failures.append(f"{type(error).__name__}: {error}")
    report.notes.append("wall clock of the whole `cnncalc check FOLDER` process, start-up included; "
                        "CPU seconds beside it (a loaded machine stretches wall time, not CPU time)")
    return rp.finish(report, args.json)


if __name__ == "__main__":
    sys.exit(main())
