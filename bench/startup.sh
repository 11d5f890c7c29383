#!/usr/bin/env bash
# Whole-process start-up of cnncalc, measured with hyperfine against a floor.
#
# The floor is the same interpreter importing what a real run needs:
#     python -c "import numpy, typer, rich.table, yaml"
# and is timed in the same hyperfine run as
#   (a) cnncalc --help                                        budget: mean <= 1.0 x floor
#   (b) cnncalc conv -x '1 2 3; 4 5 6; 7 8 9' -w '1 2; 3 4'   budget: mean <= 1.5 x floor
# It also checks that `cnncalc --help` imports neither numpy, yaml nor cnncalc.core
# (sys.modules after running the app's help in-process, and `python -X importtime`).
#
# Usage: bench/startup.sh [--python PATH] [--cnncalc PATH]
# Env:   PYTHON, CNNCALC        interpreter and cnncalc executable (same flags as above)
#        RUNS=20 WARMUP=3 ROUNDS=3   hyperfine runs per command, warm-ups, rounds
#        BENCH_OUT=DIR          also write startup.json (a summary) into DIR
#        BENCH_STRICT=1         exit 1 when a timing budget is missed (default: report only)
#        PHASES=0               skip the phase breakdown (bench/startup_phases.py) at the end
# Defaults: PYTHON = $VIRTUAL_ENV/bin/python if a venv is active, else python3;
#           CNNCALC = the cnncalc script next to PYTHON, else cnncalc on PATH.
# Exit: 1 if the import check fails (or a budget is missed with BENCH_STRICT=1), 2 on setup errors.
set -euo pipefail

while [[ $# -gt 0 ]]; do
    case "$1" in
        --python) PYTHON="$2"; shift 2 ;;
        --cnncalc) CNNCALC="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "startup.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then PYTHON="$VIRTUAL_ENV/bin/python"
    else PYTHON=python3; fi
fi
PYTHON="$(command -v "$PYTHON")" || { echo "startup.sh: no python at ${PYTHON}" >&2; exit 2; }
[[ "$PYTHON" == /* ]] || PYTHON="$PWD/$PYTHON"   # absolute, but not resolved: a venv's python is a symlink
if [[ -z "${CNNCALC:-}" ]]; then
    if [[ -x "$(dirname "$PYTHON")/cnncalc" ]]; then CNNCALC="$(dirname "$PYTHON")/cnncalc"
    else CNNCALC="$(command -v cnncalc)" || { echo "startup.sh: cnncalc not found; set CNNCALC" >&2; exit 2; }
    fi
fi
command -v hyperfine >/dev/null || { echo "startup.sh: hyperfine is not installed" >&2; exit 2; }
RUNS="${RUNS:-20}"; WARMUP="${WARMUP:-3}"; ROUNDS="${ROUNDS:-3}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/cnncalc-startup.XXXXXX")"
echo "== cnncalc start-up benchmark"
echo "python:    $PYTHON ($("$PYTHON" -c 'import sys; print(sys.version.split()[0])'))"
echo "cnncalc:   $CNNCALC"
echo "hyperfine: $(hyperfine --version), $ROUNDS round(s) x $RUNS runs, $WARMUP warm-up(s); exports in $TMP"
echo

# ---------------------------------------------------------------- import check
echo "-- import check: what \`cnncalc --help\` loads"
IMPORT_OK=1
"$PYTHON" - >"$TMP/import_check.txt" 2>&1 <<'EOF' || IMPORT_OK=0
import contextlib, io, sys
from cnncalc.cli.app import main
sink = io.StringIO()
code = None
with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
    try:
        main(["--help"])
    except SystemExit as stop:
        code = stop.code
banned = ("numpy", "yaml", "cnncalc.core")
loaded = sorted(m for m in sys.modules if any(m == b or m.startswith(b + ".") for b in banned))
print(f"sys.modules after main(['--help']) (exit {code}): "
      + ("none of numpy, yaml, cnncalc.core" if not loaded else "LOADED " + ", ".join(loaded[:8])))
sys.exit(1 if loaded or code not in (0, None) else 0)
EOF
cat "$TMP/import_check.txt"

# -X importtime on the real entry point (python -m cnncalc --help).
"$PYTHON" -X importtime -m cnncalc --help >/dev/null 2>"$TMP/importtime_help.txt"
"$PYTHON" -X importtime -m cnncalc conv -x '1 2 3; 4 5 6; 7 8 9' -w '1 2; 3 4' \
    >/dev/null 2>"$TMP/importtime_conv.txt"
"$PYTHON" -X importtime -c "import numpy, typer, rich.table, yaml" 2>"$TMP/importtime_floor.txt"
"$PYTHON" - "$TMP" <<'EOF' || IMPORT_OK=0
import re, sys
tmp = sys.argv[1]
banned = ("numpy", "yaml", "cnncalc.core")

def parse(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m[1]), int(m[2]), len(m[3]) // 2, m[4]))
    return rows

help_rows = parse(f"{tmp}/importtime_help.txt")
bad = sorted({n for _, _, _, n in help_rows if any(n == b or n.startswith(b + ".") for b in banned)})
print("python -X importtime -m cnncalc --help: "
      + ("none of numpy, yaml, cnncalc.core imported" if not bad else "IMPORTED " + ", ".join(bad[:8])))
for label, name in (("--help", "help"), ("conv", "conv"), ("floor", "floor")):
    rows = parse(f"{tmp}/importtime_{name}.txt")
    top = sorted((r for r in rows if r[2] == 0), key=lambda r: -r[1])
    total = sum(r[1] for r in top)
    print(f"  {label:7s} top-level imports total {total / 1000:6.1f} ms; largest: "
          + ", ".join(f"{n} {c / 1000:.1f}" for _, c, _, n in top[:5]))
sys.exit(1 if bad else 0)
EOF
[[ $IMPORT_OK == 1 ]] && echo "import check: OK" || echo "import check: FAILED"
echo

# ---------------------------------------------------------------- timings
FLOOR_CMD="$(printf '%q' "$PYTHON") -c 'import numpy, typer, rich.table, yaml'"
HELP_CMD="$(printf '%q' "$CNNCALC") --help"
CONV_CMD="$(printf '%q' "$CNNCALC") conv -x '1 2 3; 4 5 6; 7 8 9' -w '1 2; 3 4'"
# One correctness pass first: a benchmark of a failing command means nothing.
"$CNNCALC" conv -x '1 2 3; 4 5 6; 7 8 9' -w '1 2; 3 4' >"$TMP/conv_output.txt" \
    || { echo "startup.sh: the conv command failed" >&2; exit 2; }
grep -q '37' "$TMP/conv_output.txt" || { echo "startup.sh: conv output lacks y = 37 ..." >&2; exit 2; }

for ((r = 1; r <= ROUNDS; r++)); do
    echo "-- hyperfine round $r/$ROUNDS"
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
        --export-json "$TMP/round$r.json" --export-markdown "$TMP/round$r.md" \
        -n floor "$FLOOR_CMD" -n help "$HELP_CMD" -n conv "$CONV_CMD" >"$TMP/round$r.log" 2>&1 \
        || { cat "$TMP/round$r.log"; echo "startup.sh: hyperfine failed" >&2; exit 2; }
    cat "$TMP/round$r.md"
    echo
done

"$PYTHON" - "$TMP" "$ROUNDS" "$IMPORT_OK" <<'EOF'
import json, statistics, sys
tmp, rounds, import_ok = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
times = {"floor": [], "help": [], "conv": []}
per_round = {"help": [], "conv": []}
for r in range(1, rounds + 1):
    res = {x["command"]: x for x in json.load(open(f"{tmp}/round{r}.json"))["results"]}
    for name in times:
        times[name] += res[name]["times"]
    for name in per_round:
        per_round[name].append(res[name]["mean"] / res["floor"]["mean"])
budgets = {"help": 1.0, "conv": 1.5}
floor_mean = statistics.fmean(times["floor"])
floor_median = statistics.median(times["floor"])
print(f"== start-up summary ({len(times['floor'])} runs per command, all rounds pooled)")
print(f"floor  python -c 'import numpy, typer, rich.table, yaml': mean {floor_mean * 1e3:7.1f} ms"
      f" (median {floor_median * 1e3:.1f}, min {min(times['floor']) * 1e3:.1f}, "
      f"sd {statistics.stdev(times['floor']) * 1e3:.1f})")
summary = {"floor_mean_ms": floor_mean * 1e3, "import_check_ok": import_ok, "commands": {}}
missed = []
labels = {"help": "cnncalc --help", "conv": "cnncalc conv 3x3 * 2x2 (table)"}
for name, budget in budgets.items():
    mean, median = statistics.fmean(times[name]), statistics.median(times[name])
    ratio, ratio_med = mean / floor_mean, median / floor_median
    ok = ratio <= budget
    if not ok:
        missed.append(name)
    ratio_min = min(times[name]) / min(times["floor"])
    print(f"{labels[name]:31s} mean {mean * 1e3:7.1f} ms (median {median * 1e3:.1f}, "
          f"sd {statistics.stdev(times[name]) * 1e3:.1f})  ratio to floor {ratio:.2f}x"
          f"  budget <= {budget:.1f}x: {'met' if ok else 'NOT MET'}")
    print(f"{'':31s} cross-checks: median-based {ratio_med:.2f}x, min-based {ratio_min:.2f}x, per round "
          + ", ".join(f"{x:.2f}" for x in per_round[name]))
    summary["commands"][name] = {"mean_ms": mean * 1e3, "median_ms": median * 1e3, "ratio": ratio,
                                 "ratio_median": ratio_med, "ratio_min": ratio_min,
                                 "per_round": per_round[name], "budget": budget, "met": ok}
summary["budgets_missed"] = missed
json.dump(summary, open(f"{tmp}/startup.json", "w"), indent=2)
EOF

echo
if [[ "${PHASES:-1}" == 1 ]]; then
    "$PYTHON" "$(dirname "$0")/startup_phases.py" --samples "${PHASE_SAMPLES:-11}" --json "$TMP/phases.json" \
        || echo "startup.sh: startup_phases.py failed" >&2
fi
[[ -n "${BENCH_OUT:-}" ]] && cp "$TMP"/startup.json "$BENCH_OUT/" && { [[ ! -f "$TMP/phases.json" ]] || cp "$TMP/phases.json" "$BENCH_OUT/startup_phases.json"; }
echo "(hyperfine JSON/markdown exports and -X importtime logs are in $TMP)"
[[ $IMPORT_OK == 1 ]] || exit 1
if [[ "${BENCH_STRICT:-0}" == 1 ]]; then
    "$PYTHON" -c 'import json,sys; sys.exit(1 if json.load(open(sys.argv[1]))["budgets_missed"] else 0)' \
        "$TMP/startup.json"
fi
exit 0
