"""Loading a big tensor: cnncalc's YAML reader ÷ json.load of the same numbers, in one process.

    .venv/bin/python bench/load_speed.py            # 1,000,000 entries, float and int, ~1 min
    .venv/bin/python bench/load_speed.py --quick    # 10,000 entries

Each case writes one file pair: `x: [v1, v2, ...]` (a YAML flow list, the way a user
writes a big tensor) and `{"x": [v1, v2, ...]}` (JSON, the same text of the numbers).
Timed: cnncalc.inputs.yamlfile.load_document(path, max_elements) and
json.load(open(path)), each reading its file; blocks interleave the two and alternate
their order. The figure is the median over blocks of cnncalc ÷ json.load. Threads do
not apply (neither path uses BLAS or OpenMP), so there is one figure per case. The
loaded values are checked equal to the JSON ones (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import report as rp

SIZES = {"full": 1_000_000, "quick": 10_000}


def write_files(folder: str, kind: str, count: int) -> tuple[str, str]:
    import numpy as np

    r = np.random.default_rng(0)
    values = r.integers(-1000, 1000, count) if kind == "int" else np.round(r.standard_normal(count), 6)
    text = ", ".join(map(str, values.tolist()))
    yaml_path, json_path = os.path.join(folder, f"{kind}.yaml"), os.path.join(folder, f"{kind}.json")
    with open(yaml_path, "w") as fh:
        fh.write(f"x: [{text}]\n")
    with open(json_path, "w") as fh:
        fh.write(f'{{"x": [{text}]}}\n')
    return yaml_path, json_path


def loaders(yaml_path: str, json_path: str, count: int) -> dict:
    from cnncalc.inputs.yamlfile import load_document

    def cnncalc_load():
        return load_document(yaml_path, max(count, 10_000_000)).data["x"]

    def json_load():
        with open(json_path) as fh:
            return json.load(fh)["x"]

    return {"cnncalc": cnncalc_load, "json.load": json_load}


def timer(load):
    def run(_threads, repeats: int) -> list[float]:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            load()
            times.append(time.perf_counter() - started)
        return times

    return run


def same_values(got, expected) -> bool:
    import numpy as np

    return np.array_equal(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64))


def bench_kind(kind: str, count: int, folder: str, s: rp.Settings, report: rp.Report) -> None:
    yaml_path, json_path = write_files(folder, kind, count)
    loads = loaders(yaml_path, json_path, count)
    if not same_values(loads["cnncalc"](), loads["json.load"]()):
        report.failures.append(f"{kind}: cnncalc's values differ from json.load's")
    medians = rp.interleave({name: timer(f) for name, f in loads.items()}, s,
                            {(name, None): 1 for name in loads})
    size = os.path.getsize(yaml_path) / 1e6
    report.rows.append(rp.baseline_row(f"load_{kind}", f"{count:,}-entry {kind} flow list ({size:.1f} MB)",
                                       medians, "cnncalc", "json.load"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    rp.common_arguments(parser, blocks=3, block_seconds=0.0)
    args = parser.parse_args()
    s = rp.settings_from(args)
    s.threads, s.min_repeats, s.max_repeats, s.pause = [None], 1, 1, 0.0
    count = SIZES["quick" if s.quick else "full"]
    report = rp.Report("load_speed", s.quick, rp.environment({"entries": count}))
    report.notes.append("threads do not apply: neither loader uses BLAS or OpenMP")
    print(f"== {__doc__.splitlines()[0]}\n{json.dumps(report.env)}\n{s.blocks} blocks, order alternated")
    with tempfile.TemporaryDirectory(prefix="cnncalc-load-") as folder:
        for kind in ("float", "int"):
            try:
                bench_kind(kind, count, folder, s, report)
            except Exception as error:  # noqa: BLE001  (any failure fails the run, with its reason)
                report.failures.append(f"{kind}: {type(error).__name__}: {error}")
    rp.print_baseline_rows(report)
    return rp.finish(report, args.json)


if __name__ == "__main__":
    sys.exit(main())
