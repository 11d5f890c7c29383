"""Where the start-up time of `cnncalc conv` goes, phase by phase.

Each sample is a fresh interpreter (`python startup_phases.py --child`) that times, in order:

  app        import cnncalc.cli.app (typer, rich's help machinery: what --help pays)
  numpy      import numpy
  yaml       import yaml
  rich       rich.console, rich.table, rich.columns (the table renderer's imports that
             the app has not loaded yet)
  cnncalc    cnncalc's own modules for conv: cnncalc.inputs.problem, cnncalc.solve.conv,
             cnncalc.core.conv, cnncalc.render.table (and what they import besides)
  run        main(["conv", ...]) on the 3x3 input and 2x2 kernel with every module
             already imported, split into typer's part (option parsing and dispatch)
             and cnncalc's (cli.run.run: solve + table)
  run again  the same call a second time in the same process (what is left once
             typer's per-process caches are warm)

The report gives the median of each phase over the samples, in ms and as a share
of their sum. Interpreter start itself (python -c pass) is not included.

The same for `cnncalc --help` (a second fresh interpreter per sample): import
cnncalc.cli.app; import typer.rich_utils (what typer loads to draw rich help);
main(["--help"]) itself (building the click command tree from every command's
signature, and rendering).

A phase whose module is gone (cnncalc is being restructured) fails the run with its
name: exit 1, never a traceback and exit 0.

Usage: python bench/startup_phases.py [--samples 15] [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

ARGV = ["conv", "-x", "1 2 3; 4 5 6; 7 8 9", "-w", "1 2; 3 4"]
PHASES = ["app", "numpy", "yaml", "rich", "cnncalc", "run", "run again"]


def child() -> None:
    import contextlib
    import io

    marks = {}
    t = time.perf_counter()

    def mark(name):
        nonlocal t
        now = time.perf_counter()
        marks[name] = now - t
        t = now

    import cnncalc.cli.app as app
    mark("app")
    import numpy  # noqa: F401
    mark("numpy")
    import yaml  # noqa: F401
    mark("yaml")
    import rich.columns  # noqa: F401
    import rich.console  # noqa: F401
    import rich.table  # noqa: F401
    mark("rich")
    import cnncalc.core.conv  # noqa: F401
    import cnncalc.inputs.problem  # noqa: F401
    import cnncalc.render.table  # noqa: F401
    import cnncalc.solve.conv  # noqa: F401
    mark("cnncalc")
    import cnncalc.cli.run as run_mod

    inner = {}
    real_run = run_mod.run

    def timed_run(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_run(*args, **kwargs)
        finally:
            inner["t"] = time.perf_counter() - t0

    run_mod.run = timed_run
    if getattr(app, "run", None) is real_run:  # the app imported `run` by name: patch its copy too
        app.run = timed_run
    for name in ("run", "run again"):
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            try:
                app.main(ARGV)
            except SystemExit as stop:
                if stop.code not in (0, None):
                    raise RuntimeError(f"cnncalc conv exited {stop.code}") from None
        mark(name)
        if "t" not in inner:
            raise RuntimeError("cnncalc.cli.run.run was not called: the app's wiring changed; update the patch")
        marks[name + ": solve+render"] = inner["t"]
        marks[name + ": typer"] = marks[name] - inner["t"]
    print(json.dumps(marks))


HELP_PHASES = ["app", "rich_utils", "help run"]


def child_help() -> None:
    """--child-help: import cnncalc.cli.app, then typer.rich_utils, then main(["--help"])."""
    import contextlib
    import io

    t0 = time.perf_counter()
    import cnncalc.cli.app as app
    t1 = time.perf_counter()
    import typer.rich_utils  # noqa: F401  (rich.markdown, markdown_it, rich.syntax/pygments, rich.traceback)
    t2 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            app.main(["--help"])
        except SystemExit:
            pass
    t3 = time.perf_counter()
    print(json.dumps({"app": t1 - t0, "rich_utils": t2 - t1, "help run": t3 - t2}))


def report_conv(runs: list, samples: int) -> dict:
    med = {p: statistics.median(r[p] for r in runs) for p in PHASES}
    total = sum(med[p] for p in PHASES if p != "run again")
    print(f"-- where `cnncalc conv` start-up goes (median of {samples} fresh processes, "
          f"after interpreter start)")
    for p in PHASES:
        share = f"{100 * med[p] / total:5.1f}%" if p != "run again" else "   --"
        print(f"  {p:10s} {med[p] * 1e3:7.1f} ms  {share}")
        if p.startswith("run"):
            parts = {q: statistics.median(r[f"{p}: {q}"] for r in runs) for q in ("typer", "solve+render")}
            print(f"    of which typer parsing/dispatch {parts['typer'] * 1e3:.1f} ms, "
                  f"cnncalc solve+render {parts['solve+render'] * 1e3:.1f} ms")
            med.update({f"{p}: {q}": v for q, v in parts.items()})
    print(f"  {'total':10s} {total * 1e3:7.1f} ms  (app..run; 'run again' is not part of a real start)")
    return med


def report_help(helps: list, samples: int) -> dict:
    med = {}
    hmed = {p: statistics.median(r[p] for r in helps) for p in HELP_PHASES}
    print(f"-- where `cnncalc --help` goes (median of {samples} fresh processes, after interpreter start)")
    labels = {"app": "import cnncalc.cli.app (typer, click layer, cnncalc.cli)",
              "rich_utils": "import typer.rich_utils (rich.markdown, markdown_it, pygments, ...)",
              "help run": "main(['--help']): build the command tree, render the rich help"}
    htotal = sum(hmed.values())
    for p in HELP_PHASES:
        print(f"  {hmed[p] * 1e3:7.1f} ms {100 * hmed[p] / htotal:5.1f}%  {labels[p]}")
    print(f"  {htotal * 1e3:7.1f} ms total")
    med.update({f"help: {p}": v for p, v in hmed.items()})
    return med


def sample(flag: str) -> dict:
    """One fresh interpreter's phase times; a failing child raises with its last error line."""
    done = subprocess.run([sys.executable, __file__, flag], capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        raise RuntimeError(f"{flag} child failed: {lines[-1]}")
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="2 samples (a smoke run)")
    parser.add_argument("--json", help="write the medians here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-help", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return 0
    if args.child_help:
        child_help()
        return 0
    samples = 2 if args.quick else args.samples
    try:
        runs = [sample("--child") for _ in range(samples)]
        helps = [sample("--child-help") for _ in range(samples)]
    except RuntimeError as error:
        print(f"FAILED: {error}\nRESULT startup_phases: FAILED (1)")
        if args.json:
            with open(args.json, "w") as fh:
                json.dump({"bench": "startup_phases", "ok": False, "failures": [str(error)]}, fh)
        return 1
    med = report_conv(runs, samples) | report_help(helps, samples)
    print("RESULT startup_phases: ok")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"bench": "startup_phases", "ok": True, "quick": args.quick, "samples": samples,
                       "median_ms": {p: v * 1e3 for p, v in med.items()}}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
