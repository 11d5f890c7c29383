"""Where the start-up time of `cnncalc conv` goes, phase by phase.

Each sample is a fresh interpreter (`python startup_phases.py --child`) that times, in order:

  app        import cnncalc.cli.app (typer, rich's help machinery: what --help pays)
  pydantic   import typer._adapters (pydantic; typer builds a TypeAdapter per option
             when a command runs, not for --help)
  numpy      import numpy
  yaml       import yaml
  cnncalc    the rest of what `conv` imports: cnncalc.inputs.problem, cnncalc.solve.conv,
             cnncalc.core.conv, cnncalc.render.table, rich.console
  run        main(["conv", ...]) on the 3x3 input and 2x2 kernel with every module
             already imported: option parsing (TypeAdapters), solve, table rendering
  run again  the same call a second time in the same process (what is left once
             typer's per-process caches are warm)

The report gives the median of each phase over the samples, in ms and as a share
of their sum. Interpreter start itself (python -c pass) is not included.

Usage: python bench/startup_phases.py [--samples 15] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

ARGV = ["conv", "-x", "1 2 3; 4 5 6; 7 8 9", "-w", "1 2; 3 4"]
PHASES = ["app", "pydantic", "numpy", "yaml", "cnncalc", "run", "run again"]


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
    import typer._adapters  # noqa: F401
    mark("pydantic")
    import numpy  # noqa: F401
    mark("numpy")
    import yaml  # noqa: F401
    mark("yaml")
    import cnncalc.core.conv  # noqa: F401
    import cnncalc.inputs.problem  # noqa: F401
    import cnncalc.render.table  # noqa: F401
    import cnncalc.solve.conv  # noqa: F401
    import rich.console  # noqa: F401
    mark("cnncalc")
    for name in ("run", "run again"):
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            try:
                app.main(ARGV)
            except SystemExit as stop:
                if stop.code not in (0, None):
                    raise RuntimeError(f"cnncalc conv exited {stop.code}") from None
        mark(name)
    print(json.dumps(marks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--json", help="write the medians here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    runs = []
    for _ in range(args.samples):
        out = subprocess.run([sys.executable, __file__, "--child"], check=True,
                             capture_output=True, text=True).stdout
        runs.append(json.loads(out))
    med = {p: statistics.median(r[p] for r in runs) for p in PHASES}
    total = sum(med[p] for p in PHASES if p != "run again")
    print(f"-- where `cnncalc conv` start-up goes (median of {args.samples} fresh processes, "
          f"after interpreter start)")
    for p in PHASES:
        share = f"{100 * med[p] / total:5.1f}%" if p != "run again" else "   --"
        print(f"  {p:10s} {med[p] * 1e3:7.1f} ms  {share}")
    print(f"  {'total':10s} {total * 1e3:7.1f} ms  (app..run; 'run again' is not part of a real start)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"median_ms": {p: med[p] * 1e3 for p in PHASES}, "samples": args.samples}, fh,
                      indent=2)


if __name__ == "__main__":
    main()
