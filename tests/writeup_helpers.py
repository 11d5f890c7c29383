"""The seed examples the write-up formats are checked on, and how to run one."""

from pathlib import Path

from cli_helpers import cnncalc

ROOT = Path(__file__).parent.parent
EXPECTED = Path(__file__).parent / "expected"

# golden name → the command line after `cnncalc` (run from the repository root)
SEEDS = {
    "seed002_conv": ("conv", "examples/seed002_conv_bias.yaml", "--explain"),
    "seed002_maxpool": ("pool", "examples/seed002_maxpool_overlapping.yaml", "--explain"),
    "seed004_fc": ("fc", "examples/seed004_fc_in_out.yaml"),
    "seed001_softmax": ("softmax", "examples/seed001_softmax_cross_entropy.yaml"),
    "seed001_homework11": ("pipeline", "examples/seed001_homework11.yaml"),
    "seed000_symbolic": ("conv", "examples/seed000_symbolic.yaml"),
    "seed002_symbolic": ("conv", "examples/seed002_symbolic.yaml"),
    "seed000_shapes": ("conv", "-x", "3x3", "-w", "2x1", "--symbolic", "--names", "x=X,w=K,y=Y,L=C"),
}


def example_commands():
    """(name, args) of every bundled example, plain and, for the linear ones, symbolic."""
    runs = []
    # check_*.yaml hold a person's answers, some wrong on purpose (their command exits 1): they are
    # cnncalc check's examples (tests/test_check_batch.py), not write-up examples.
    for path in sorted(p for p in (ROOT / "examples").glob("*.yaml") if not p.name.startswith("check_")):
        command = next(line.split()[1] for line in path.read_text().splitlines() if line.startswith("command:"))
        runs.append((path.stem, (command, f"examples/{path.name}", "--explain")))
        if command in ("conv", "pool", "fc") and "kind: max" not in path.read_text():  # a max depends on x
            runs.append((path.stem + "_symbolic", (command, f"examples/{path.name}", "--symbolic")))
    return runs


def run_from_root(monkeypatch, *args):
    monkeypatch.chdir(ROOT)
    run = cnncalc(*args)
    assert run.code == 0, run.err
    return run.out
