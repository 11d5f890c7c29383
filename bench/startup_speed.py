"""Whole-process start-up of cnncalc ÷ the import floor, timed interleaved in one run.

    .venv/bin/python bench/startup_speed.py          # 10 blocks x 3 runs per command, ~30 s
    .venv/bin/python bench/startup_speed.py --quick  # 2 blocks x 1 run

Commands (stdout and stderr discarded, no shell):
  floor  PYTHON -c "import numpy, typer, rich.table, yaml"   (the same interpreter)
  help   cnncalc --help                                        budget <= 1.0 x floor
  conv   cnncalc conv -x '1 2 3; 4 5 6; 7 8 9' -w '1 2; 3 4'   budget <= 1.5 x floor (issue 8 asks 1.3)
Blocks run the three in rotating order; each block gives a median per command, each
block a ratio command ÷ floor, and the figure is the median of those ratios. Budgets are
reported, not enforced (BENCH_STRICT=1 makes a miss fail). Fails (exit 1) when a command
fails, the conv answer lacks 37, or `cnncalc --help` imports numpy, yaml or cnncalc.core
(checked in-process through sys.modules and with python -X importtime).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time

import report as rp

CONV_ARGS = ["conv", "-x", "1 2 3; 4 5 6; 7 8 9", "-w", "1 2; 3 4"]
BANNED = ("numpy", "yaml", "cnncalc.core")
BUDGETS = {"help": 1.0, "conv": 1.5}
HELP_CHECK = """
import contextlib, io, sys
from cnncalc.cli.app import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["--help"])
    except SystemExit as stop:
        assert stop.code in (0, None), stop.code
print("\\n".join(sorted(sys.modules)))
"""


def cnncalc_command() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "cnncalc")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "cnncalc"]


def commands() -> dict:
    cli = cnncalc_command()
    return {"floor": [sys.executable, "-c", "import numpy, typer, rich.table, yaml"],
            "help": cli + ["--help"], "conv": cli + CONV_ARGS}


def banned(modules) -> list[str]:
    return sorted({m for m in modules if any(m == b or m.startswith(b + ".") for b in BANNED)})


def import_check(report: rp.Report) -> None:
    done = subprocess.run([sys.executable, "-c", HELP_CHECK], capture_output=True, text=True)
    if done.returncode != 0:
        report.failures.append(f"in-process --help failed: {done.stderr.strip()[-300:]}")
    elif bad := banned(done.stdout.split()):
        report.failures.append(f"cnncalc --help loads {', '.join(bad[:6])} (sys.modules)")
    timed = subprocess.run([sys.executable, "-X", "importtime", "-m", "cnncalc", "--help"],
                           capture_output=True, text=True)
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", timed.stderr, re.M)
    if bad := banned(names):
        report.failures.append(f"cnncalc --help imports {', '.join(bad[:6])} (python -X importtime)")
    report.notes.append("import check (--help loads none of numpy, yaml, cnncalc.core): "
                        + ("FAILED" if any("--help" in f for f in report.failures) else "ok"))


def correctness(cmds: dict, report: rp.Report) -> None:
    for name, cmd in cmds.items():
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            report.failures.append(f"{name}: exit {done.returncode}: {done.stderr.strip()[:200]}")
        elif name == "conv" and "37" not in done.stdout:
            report.failures.append("conv: the answer lacks y = 37")


def timer(cmd: list[str]):
    def run(_threads, repeats: int) -> list[float]:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - started)
        return times

    return run


def measure(cmds: dict, s: rp.Settings, runs: int, report: rp.Report) -> None:
    timers = {name: timer(cmd) for name, cmd in cmds.items()}
    medians = rp.interleave(timers, s, {(name, None): runs for name in timers})
    for name, budget in BUDGETS.items():
        row = rp.baseline_row(name, " ".join(["cnncalc"] + cmds[name][len(cnncalc_command()):])[:44],
                              medians, name, "floor")
        row["median_s"] = {f"cnncalc {name}": row["median_s"][name], "floor": row["median_s"]["floor"]}
        row["budget"], row["met"] = budget, row["vs_baseline"]["ratio"] <= budget
        report.rows.append(row)
        verdict = "met" if row["met"] else "NOT MET"
        report.notes.append(f"{name} / floor {row['vs_baseline']['ratio']:.2f}x, budget <= {budget}x: {verdict}")
        if not row["met"] and os.environ.get("BENCH_STRICT") == "1":
            report.failures.append(f"{name}: budget {budget}x missed (BENCH_STRICT=1)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rp.common_arguments(parser, blocks=10, block_seconds=0.0)
    parser.add_argument("--runs", type=int, default=3, help="runs per command per block (default 3)")
    args = parser.parse_args()
    s = rp.settings_from(args)
    s.threads, s.pause, s.min_repeats = [None], 0.0, 1
    s.max_repeats = runs = 1 if s.quick else args.runs
    cmds = commands()
    report = rp.Report("startup_speed", s.quick, rp.environment({"cnncalc": cmds["help"][0]}))
    print(f"== {__doc__.splitlines()[0]}\n{json.dumps(report.env)}\n{s.blocks} blocks x {runs} run(s), "
          "order rotated")
    try:
        import_check(report)
        correctness(cmds, report)
        if not report.failures:
            measure(cmds, s, runs, report)
    except Exception as error:  # noqa: BLE001  (any failure fails the run, with its reason)
        report.failures.append(f"{type(error).__name__}: {error}")
    rp.print_baseline_rows(report)
    return rp.finish(report, args.json)


if __name__ == "__main__":
    sys.exit(main())
