"""The closing table of a bench run: every ratio from the JSON reports in a folder, as Markdown.

    python bench/summary.py DIR [NAME ...]   (run_all.sh calls it on its results folder,
                                              with the names of the benches it ran)

One line per case: cnncalc ÷ torch at 1 thread and at 2 threads with the range over
blocks (marked "noisy" when its ends are more than 1.5x apart: a disturbed figure),
the ratio of the best (fastest) block medians as a cross-check, cnncalc ÷ GEMM floor and GEMM floor ÷ torch where a GEMM applies; then the
ratios against other baselines (json.load, a process per file, the import floor).
Exit 1 when a report is missing, unreadable or says it failed.
"""

from __future__ import annotations

import json
import os
import sys

TORCH_BENCHES = ("conv_speed", "pool_speed", "softmax_speed", "pipeline_speed")
OTHER_BENCHES = ("load_speed", "many_files", "startup_speed")
EXPECTED = TORCH_BENCHES + OTHER_BENCHES + ("startup_phases", "conv_memory")
COMMANDS = {"conv_speed": "bench/conv_speed.py", "pool_speed": "bench/pool_speed.py",
            "softmax_speed": "bench/softmax_speed.py", "pipeline_speed": "bench/pipeline_speed.py",
            "load_speed": "bench/load_speed.py", "many_files": "bench/many_files.py",
            "startup_speed": "bench/startup_speed.py"}


def ratio(fig) -> str:
    return "-" if fig is None else f"{fig['ratio']:.2f}"


NOISY = 1.5  # blocks whose ratios spread wider than this factor were disturbed: the figure is marked


def spread(fig) -> str:
    if fig is None:
        return ""
    lo, hi = fig["ratio_range"]
    return f" [{lo:.2f}–{hi:.2f}]" + (" noisy" if hi > NOISY * lo else "")


def best_blocks(fig) -> str:
    return "-" if fig is None else f"{fig['ratio_of_best_blocks']:.2f}"


def torch_lines(report: dict) -> list[str]:
    by_case = {}
    for row in report.get("rows", []):
        by_case.setdefault(row["case"], {})[row["threads"]] = row
    lines = []
    for name, rows in by_case.items():
        one, two = rows.get(1), rows.get(2)
        first = one or two
        cells = [f"{ratio(r['vs_torch']) if r else '-'}{spread(r and r['vs_torch'])}" for r in (one, two)]
        gemm = [ratio(r["vs_gemm"]) if r else "-" for r in (one, two)]
        gemm_torch = [ratio(r["gemm_vs_torch"]) if r else "-" for r in (one, two)]
        best = [best_blocks(r and r["vs_torch"]) for r in (one, two)]
        lines.append(f"| {name} | {first['label']} | {cells[0]} | {cells[1]} | {best[0]} ({best[1]}) | {gemm[0]} ({gemm[1]}) | {gemm_torch[0]} ({gemm_torch[1]}) | "
                     f"`{COMMANDS[report['bench']]} --cases {name}` |")
    return lines


def other_lines(report: dict) -> list[str]:
    return [f"| {row['case']} | {row['label']} | {' ÷ '.join(row['median_s'])} | {ratio(row['vs_baseline'])}"
            f"{spread(row['vs_baseline'])} | `{COMMANDS[report['bench']]}` |" for row in report.get("rows", [])]


def load_reports(folder: str, names) -> tuple[dict, list[str]]:
    reports, problems = {}, []
    for name in names:
        path = os.path.join(folder, f"{name}.json")
        try:
            with open(path) as fh:
                reports[name] = json.load(fh)
        except (OSError, ValueError) as error:
            problems.append(f"{name}: no readable report ({error.__class__.__name__})")
            continue
        if not isinstance(reports[name], dict) or not reports[name].get("ok"):
            problems.append(f"{name}: " + "; ".join(reports[name].get("failures", ["failed"])))
    return reports, problems


def main() -> int:
    names = [n for n in sys.argv[2:] if n in EXPECTED] if len(sys.argv) > 2 else EXPECTED  # conv_profile: no report
    reports, problems = load_reports(sys.argv[1], names)
    print("| case | sizes | cnncalc ÷ torch, 1 thread [block range] | 2 threads [block range] "
          "| best blocks 1 (2) | cnncalc ÷ GEMM floor 1 (2) | GEMM floor ÷ torch 1 (2) | command |\n"
          "|---|---|---|---|---|---|---|---|")
    for name in TORCH_BENCHES:
        if name in reports:
            print("\n".join(torch_lines(reports[name])))
    print("\n| case | what | measured ÷ baseline | ratio [block range] | command |\n|---|---|---|---|---|")
    for name in OTHER_BENCHES:
        if name in reports:
            print("\n".join(other_lines(reports[name])))
    for line in problems:
        print(f"FAILED: {line}")
    print("RESULT summary: " + ("ok" if not problems else f"FAILED ({len(problems)})"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
