"""Run the `--show-code torch` program of every conv, pool, fc, act, softmax, loss and pipeline
example in a PyTorch environment and compare what it prints with cnncalc's answer.

    .venv/bin/python tools/show_code_check.py [--python /work/torchenv/bin/python]

Writes tests/goldens/show_code.json (PyTorch is never a project or test dependency: the tests
read this file). Each example records the largest relative difference per tensor.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
COMMANDS = ("conv", "pool", "fc", "act", "softmax", "loss", "pipeline")
# Conventions the examples do not reach: tie rules PyTorch lacks, padding its calls cannot take.
CASES = {
    "maxpool_ties_split": ("pool", "-x", "[[1, 3, 3], [3, 0, 1], [2, 3, 1]]", "--kind", "max", "--kernel-size", "2",
                           "--stride", "1", "--ties", "split", "--dy", "[[1, 2], [3, 4]]"),
    "maxpool_ties_all": ("pool", "-x", "[[1, 3, 3], [3, 0, 1], [2, 3, 1]]", "--kind", "max", "--kernel-size", "2",
                         "--stride", "1", "--ties", "all", "--dy", "[[1, 2], [3, 4]]"),
    "avgpool_padding_ceil": ("pool", "-x", "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]", "--kind", "avg",
                             "--kernel-size", "2", "--padding", "1", "--stride", "2", "--ceil-mode", "true",
                             "--count-include-pad", "false", "--dy", "{fill: 1}"),
    "conv_same_stride2_groups": ("conv", "-x", "{random: {shape: [2, 5, 5], seed: 3}}",
                                 "-w", "{random: {shape: [2, 1, 3, 2], seed: 4}}", "--groups", "2", "--stride", "2",
                                 "--padding", "same", "--dilation", "1", "--dy", "{random: {shape: [2, 3, 3], seed: 5}}"),
    "leaky_relu": ("act", "-x", "[-2, 0, 1.5]", "--kind", "leaky_relu", "--slope", "0.2", "--dy", "[1, 2, 3]"),
    "fc_in_out_batch": ("fc", "-x", "[[1, 2], [3, 4], [5, 6]]", "-w", "[[1, 0, 2], [0, 1, -1]]",
                        "--weight-layout", "in-out", "-b", "[1, 2, 3]", "--dy", "{fill: 1}"),
}
GOLDEN = ROOT / "tests" / "goldens" / "show_code.json"


def printed_tensors(stdout: str) -> dict:
    """`name = [...]` lines as arrays (inf and nan as PyTorch prints them)."""
    tensors = {}
    for line in stdout.splitlines():
        name, _, value = line.partition(" = ")
        tensors[name] = np.array(eval(value, {"__builtins__": {}}, {"inf": math.inf, "nan": math.nan}),
                                 dtype=float)
    return tensors


def largest_difference(mine: np.ndarray, theirs: np.ndarray) -> float:
    mine, theirs = mine.ravel(), theirs.ravel()
    if mine.shape != theirs.shape:
        return math.inf
    same = (mine == theirs) | (np.isnan(mine) & np.isnan(theirs))
    finite = np.isfinite(mine) & np.isfinite(theirs)
    if not (same | finite).all():
        return math.inf
    scale = np.maximum(1.0, np.abs(mine))
    return float(np.max(np.where(same, 0.0, np.abs(mine - theirs) / scale), initial=0.0))


def check(args: tuple, python: str) -> dict:
    from cli_helpers import cnncalc

    command = args[0]
    solved = cnncalc(*args, "--json")
    if solved.code:
        raise SystemExit(f"{args}: {solved.err}")
    answer = solved.json()
    code = cnncalc(*args, "--show-code", "torch").out
    ran = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    if ran.returncode:
        return {"command": command, "error": ran.stderr.strip().splitlines()[-1]}
    printed = printed_tensors(ran.stdout)
    expected = {name: np.array(t["data"], dtype=float) for section in ("forward", "backward")
                for name, t in answer[section].items()}
    differences = {name: largest_difference(expected[name], printed[name]) if name in printed else None
                   for name in expected}
    return {"command": command, "differences": differences,
            "max_difference": max((d for d in differences.values() if d is not None), default=0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="/work/torchenv/bin/python", help="a Python with torch installed")
    args = parser.parse_args()
    version = subprocess.run([args.python, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                             text=True, check=True).stdout.strip()
    examples = {}
    for path in sorted(p for p in (ROOT / "examples").glob("*.yaml") if not p.name.startswith("check_")):
        command = yaml.safe_load(path.read_text())["command"]
        if command in COMMANDS:
            examples[path.stem] = check((command, str(path)), args.python)
    examples |= {name: check(case, args.python) | {"args": list(case)} for name, case in CASES.items()}
    for name, found in examples.items():
        print(name, found.get("max_difference", found.get("error")))
    GOLDEN.write_text(json.dumps({"torch": version, "examples": examples}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
