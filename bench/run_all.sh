#!/usr/bin/env bash
# Run every cnncalc benchmark and print one summary.
#
#   bench/startup.sh     start-up with hyperfine vs the import floor (PYTHON's venv)
#   bench/conv_speed.py  conv core vs PyTorch and vs loop code      (TORCH_PYTHON)
#   bench/pool_speed.py  max-pool 2x2 vs PyTorch                     (TORCH_PYTHON)
#   bench/conv_memory.py peak memory of the large conv              (PYTHON)
#
# Usage: bench/run_all.sh [--python PATH] [--torch-python PATH] [--quick]
# Env:   PYTHON        interpreter with cnncalc installed (default: $VIRTUAL_ENV/bin/python,
#                      else python3); cnncalc is the script next to it (or CNNCALC)
#        TORCH_PYTHON  interpreter with cnncalc and torch installed (default: PYTHON);
#                      conv_speed.py is skipped, and the run fails, if it lacks torch
#        BENCH_OUT     keep the JSON results here (default: a new temp dir)
#        QUICK=1       fewer runs everywhere (a smoke run; the ratios get noisier)
# Budgets checked: --help <= 1.0x floor, conv table <= 1.5x floor, memory < 3x the
# eight tensors, max |cnncalc - torch| < 1e-10. Timing budgets are reported, not
# enforced; exit status is 1 if a script failed or a correctness check failed.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --python) PYTHON="$2"; shift 2 ;;
        --torch-python) TORCH_PYTHON="$2"; shift 2 ;;
        --quick) QUICK=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "run_all.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then PYTHON="$VIRTUAL_ENV/bin/python"
    else PYTHON=python3; fi
fi
PYTHON="$(command -v "$PYTHON")" || { echo "run_all.sh: no python" >&2; exit 2; }
[[ "$PYTHON" == /* ]] || PYTHON="$PWD/$PYTHON"
TORCH_PYTHON="${TORCH_PYTHON:-$PYTHON}"
export PYTHON
OUT="${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cnncalc-bench.XXXXXX")}"
mkdir -p "$OUT"
QUICK="${QUICK:-0}"
status=0
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }

echo "cnncalc benchmarks: python $PYTHON, torch python $TORCH_PYTHON, results in $OUT"
echo "load average at start: $(load)  (2-core machine: above ~0.5 at start, something else is running"
echo "  and the timings will be disturbed)"
echo

# 1. start-up
if [[ "$QUICK" == 1 ]]; then export RUNS=8 ROUNDS=1 WARMUP=2 PHASE_SAMPLES=5; fi
BENCH_OUT="$OUT" bash "$HERE/startup.sh" --python "$PYTHON" || { echo "!! startup.sh failed ($?)"; status=1; }
echo

# 2. conv speed
speed_args=(--json "$OUT/conv_speed.json")
[[ "$QUICK" == 1 ]] && speed_args+=(--quick --loop-runs 1)
if "$TORCH_PYTHON" -c "import torch, cnncalc.core.conv" 2>/dev/null; then
    "$TORCH_PYTHON" "$HERE/conv_speed.py" "${speed_args[@]}" || { echo "!! conv_speed.py failed"; status=1; }
else
    echo "!! conv_speed.py skipped: $TORCH_PYTHON lacks torch or cnncalc"
    echo "   (python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch && /tmp/torchenv/bin/pip install -e .)"
    status=1
fi
echo

# 3. max-pool speed
if "$TORCH_PYTHON" -c "import torch, cnncalc.core.pool" 2>/dev/null; then
    "$TORCH_PYTHON" "$HERE/pool_speed.py" || { echo "!! pool_speed.py failed"; status=1; }
else
    echo "!! pool_speed.py skipped: $TORCH_PYTHON lacks torch or cnncalc"
    status=1
fi
echo

# 4. conv memory
"$PYTHON" "$HERE/conv_memory.py" --json "$OUT/conv_memory.json" || { echo "!! conv_memory.py failed"; status=1; }
echo
echo "load average at end: $(load)  (includes this run's own last minute)"
echo

# summary
"$PYTHON" - "$OUT" <<'EOF' || status=1
import json, os, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None
rows, bad = [], []
def row(what, figure, budget="", ok=None):
    verdict = "" if ok is None else ("met" if ok else "NOT MET")
    if ok is False:
        bad.append(what)
    rows.append((what, figure, budget, verdict))
st = load("startup.json")
if st:
    row("floor: python -c 'import numpy, typer, rich.table, yaml'", f"{st['floor_mean_ms']:.1f} ms mean")
    for key, label in (("help", "cnncalc --help"), ("conv", "cnncalc conv 3x3*2x2 table")):
        c = st["commands"][key]
        row(f"{label} / floor (means)", f"{c['ratio']:.2f}x ({c['mean_ms']:.1f} ms mean)", f"<= {c['budget']:.1f}x", c["met"])
        row(f"{label} / floor (medians; minima)", f"{c['ratio_median']:.2f}x; {c['ratio_min']:.2f}x")
    row("--help imports no numpy/yaml/cnncalc.core", "yes" if st["import_check_ok"] else "NO", "", st["import_check_ok"])
sp = load("conv_speed.json")
if sp:
    for name, r in sp["results"].items():
        row(f"conv speed {name}: cnncalc/torch (medians)", f"{r['ratio_cnncalc_over_torch']:.2f}x "
            f"({r['cnncalc']['median_s'] * 1e3:.3f} / {r['torch']['median_s'] * 1e3:.3f} ms)")
        row(f"conv speed {name}: cnncalc/torch (minima)", f"{r['ratio_of_minima']:.2f}x")
        row(f"conv {name}: max |cnncalc - torch|", f"{r['max_abs_diff_vs_torch']:.1e}", "< 1e-10", r["diff_ok"])
    lp = sp["results"]["loop"]
    row("loop code / cnncalc (N=8, C=16, 32x32)", f"{lp['ratio_loop_over_cnncalc']:,.0f}x "
        f"({lp['loop_median_s']:.2f} s, full runs: {len(lp['loop_times_s'])})")
mem = load("conv_memory.json")
if mem:
    row("conv memory peak / eight tensors (tracemalloc)", f"{mem['ratio_tracemalloc']:.2f}x", "< 3x",
        mem["ratio_tracemalloc"] < mem["budget"])
    row("conv memory peak / eight tensors (ru_maxrss)", f"{mem['ratio_rss']:.2f}x", "< 3x",
        mem["ratio_rss"] < mem["budget"])
w = max(len(r[0]) for r in rows) if rows else 10
print("== summary")
for what, fig, budget, verdict in rows:
    print(f"  {what:{w}s}  {fig:32s} {budget:9s} {verdict}")
print("budgets not met: " + (", ".join(bad) if bad else "none"))
EOF
exit $status
