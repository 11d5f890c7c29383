#!/usr/bin/env bash
# Every cnncalc benchmark, then one table of every ratio (bench/summary.py).
#
#   speed vs PyTorch (TORCH_PYTHON): conv_speed.py, pool_speed.py, softmax_speed.py, pipeline_speed.py
#   other baselines (PYTHON):        load_speed.py (json.load), many_files.py (a process per file),
#                                    startup_speed.py (the import floor), startup_phases.py,
#                                    conv_memory.py, conv_profile.py
#
# Usage: bench/run_all.sh [--python PATH] [--torch-python PATH] [--quick] [--only NAME,NAME]
# Env:   PYTHON        interpreter with cnncalc installed (default: $VIRTUAL_ENV/bin/python, else python3)
#        TORCH_PYTHON  interpreter with cnncalc and torch (default: PYTHON); without torch the
#                      torch benches fail, except with --quick, where they report cnncalc alone
#        BENCH_OUT     keep the JSON reports here (default: a new temp dir)
# --only runs just the named benches (conv_speed, load_speed, ...; the summary checks those only).
# Exit:  1 if any script failed (its own exit status, or a report missing or marked failed),
#        2 on a usage error. A full run takes about 8 minutes on 2 cores; --quick about 30 s.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
QUICK=()
ONLY=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --python) PYTHON="$2"; shift 2 ;;
        --torch-python) TORCH_PYTHON="$2"; shift 2 ;;
        --quick) QUICK=(--quick); shift ;;
        --only) ONLY=",$2,"; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
        *) echo "run_all.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then PYTHON="$VIRTUAL_ENV/bin/python"
    else PYTHON=python3; fi
fi
PYTHON="$(command -v "$PYTHON")" || { echo "run_all.sh: no python" >&2; exit 2; }
TORCH_PYTHON="$(command -v "${TORCH_PYTHON:-$PYTHON}")" || { echo "run_all.sh: no torch python" >&2; exit 2; }
OUT="${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cnncalc-bench.XXXXXX")}"
mkdir -p "$OUT"
status=0
failed=()
ran=()

run() {  # run NAME PYTHON SCRIPT ARGS...: one bench, its failure remembered
    local name="$1" py="$2" script="$3"; shift 3
    [[ -z "$ONLY" || "$ONLY" == *",$name,"* ]] || return 0
    ran+=("$name")
    echo; echo "######## $name ($py)"
    "$py" "$HERE/$script" "$@"
    local code=$?
    if [[ $code -ne 0 ]]; then echo "!! $name failed (exit $code)"; failed+=("$name"); status=1; fi
}

echo "cnncalc benchmarks ${QUICK[*]}: python $PYTHON, torch python $TORCH_PYTHON, reports in $OUT"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)  (2 cores: above ~0.5, something else runs)"
for bench in conv_speed pool_speed softmax_speed pipeline_speed; do
    run "$bench" "$TORCH_PYTHON" "$bench.py" "${QUICK[@]}" --json "$OUT/$bench.json"
done
for bench in load_speed many_files startup_speed; do
    run "$bench" "$PYTHON" "$bench.py" "${QUICK[@]}" --json "$OUT/$bench.json"
done
run startup_phases "$PYTHON" startup_phases.py "${QUICK[@]}" --json "$OUT/startup_phases.json"
run conv_memory "$PYTHON" conv_memory.py "${QUICK[@]}" --json "$OUT/conv_memory.json"
run conv_profile "$PYTHON" conv_profile.py "${QUICK[@]}" --case mid
echo; echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)  (includes this run)"
echo; echo "######## summary (every ratio)"
"$PYTHON" "$HERE/summary.py" "$OUT" "${ran[@]}" || status=1
if [[ $status -ne 0 ]]; then echo "run_all.sh: FAILED: ${failed[*]:-summary}"; fi
exit $status
