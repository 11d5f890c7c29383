"""Every bench script runs in quick mode, so none of them rots.

Each script is run as a subprocess with this interpreter (the project's, usually without
torch: then the torch benches report cnncalc alone and say they skipped torch), with
--quick and --json; the test wants exit 0, a JSON report that says ok, and the rows a
reader of the report relies on. A few more tests check that failures are not swallowed:
a bench whose reference is missing outside --quick exits 1, and run_all.sh exits 1 when
one of its scripts fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
TIMEOUT = 60  # seconds; each quick run takes 0.5-3 s on 2 cores
TORCH_BENCHES = ["conv_speed", "pool_speed", "softmax_speed", "pipeline_speed"]
HAS_TORCH = importlib.util.find_spec("torch") is not None


def run_bench(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=BENCH.parent)


def run_all(out: Path, python: Path | str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, BENCH_OUT=str(out))
    return subprocess.run(["bash", str(BENCH / "run_all.sh"), "--quick", "--python", str(python), *args],
                          capture_output=True, text=True, timeout=4 * TIMEOUT, env=env)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One quick run of every bench through run_all.sh (about 7 s): its output and reports folder."""
    out = tmp_path_factory.mktemp("bench")
    done = run_all(out, sys.executable)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return done, out


def report_of(quick_run, name: str) -> dict:
    done, out = quick_run
    assert f"RESULT {name}: ok" in done.stdout
    report = json.loads((out / f"{name}.json").read_text())
    assert report["bench"] == name and report["ok"] is True and report["quick"] is True
    return report


@pytest.mark.parametrize("name", TORCH_BENCHES)
def test_torch_benches_run_quick_with_or_without_torch(quick_run, name):
    report = report_of(quick_run, name)
    assert report["rows"], "no case was measured"
    assert {row["threads"] for row in report["rows"]} == {1, 2}
    for row in report["rows"]:
        assert row["median_s"]["cnncalc"] > 0
        if HAS_TORCH:
            assert row["vs_torch"]["ratio"] > 0 and row["max_diff"] <= 1e-9
        else:
            assert row["vs_torch"] is None
    if not HAS_TORCH:
        assert any("torch is not installed" in line for line in report["skipped"])


def test_conv_speed_covers_every_case_of_issue_8(quick_run):
    report = report_of(quick_run, "conv_speed")
    cases = {row["case"] for row in report["rows"]}
    assert cases == {"homework", "resnet", "mid", "stride2", "dilation2", "kernel5", "depthwise", "mnist"}
    assert all(row["vs_gemm"]["ratio"] > 0 for row in report["rows"])  # the GEMM floor is measured


def test_pool_speed_has_max_and_avg_at_two_window_sizes(quick_run):
    report = report_of(quick_run, "pool_speed")
    assert {row["case"] for row in report["rows"]} == {"max2", "max3", "avg2", "avg3"}


@pytest.mark.parametrize("name, cases", [("load_speed", {"load_float", "load_int"}),
                                         ("many_files", {"many_files"}),
                                         ("startup_speed", {"help", "conv"})])
def test_baseline_benches_give_a_ratio_per_case(quick_run, name, cases):
    report = report_of(quick_run, name)
    assert {row["case"] for row in report["rows"]} == cases
    for row in report["rows"]:
        assert row["vs_baseline"]["ratio"] > 0 and len(row["median_s"]) == 2


def test_many_files_says_it_extrapolates(quick_run):
    report = report_of(quick_run, "many_files")
    assert any("EXTRAPOLATED" in note for note in report["notes"])


@pytest.mark.parametrize("name", ["startup_phases", "conv_memory"])
def test_breakdown_benches_run_quick(quick_run, name):
    report_of(quick_run, name)


def test_conv_profile_runs_quick(quick_run):
    done, _ = quick_run
    assert "GEMM floor" in done.stdout and "RESULT conv_profile: ok" in done.stdout


def test_summary_prints_every_ratio(quick_run):
    done, _ = quick_run
    assert "RESULT summary: ok" in done.stdout
    for case in ("homework", "depthwise", "mnist", "avg3", "softmax_ce", "pipeline", "load_int", "many_files"):
        assert f"| {case} |" in done.stdout


def test_conv_profile_fails_on_an_unknown_case():
    done = run_bench("conv_profile.py", "--quick", "--case", "nonesuch")
    assert done.returncode == 1 and "FAILED" in done.stdout


@pytest.mark.skipif(HAS_TORCH, reason="checks the behaviour without torch")
def test_a_torch_bench_without_torch_fails_outside_quick_mode(tmp_path):
    out = tmp_path / "pool.json"
    done = run_bench("pool_speed.py", "--cases", "max2", "--blocks", "1", "--block-seconds", "0.001",
                     "--threads", "1", "--json", str(out))
    assert done.returncode == 1
    assert "FAILED: torch is not installed" in done.stdout
    assert json.loads(out.read_text())["ok"] is False


def fake_python_failing_on(tmp_path: Path, script: str) -> Path:
    """An interpreter that behaves as this one, except that it fails `script`."""
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\ncase "$1" in *{script}) echo "broken on purpose" >&2; exit 3 ;; esac\n'
                    f'exec "{sys.executable}" "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return fake


def test_run_all_exits_1_when_one_script_fails(tmp_path):
    done = run_all(tmp_path / "out", fake_python_failing_on(tmp_path, "softmax_speed.py"),
                   "--only", "softmax_speed,load_speed")
    assert done.returncode == 1
    assert "!! softmax_speed failed (exit 3)" in done.stdout
    assert "FAILED: softmax_speed: no readable report" in done.stdout
    assert "RESULT load_speed: ok" in done.stdout  # the others still run


def test_run_all_exits_1_when_a_report_says_failed(tmp_path):
    """A script that exits 0 but writes a failed report still fails the run (the summary reads it)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "load_speed.json").write_text(json.dumps({"bench": "load_speed", "ok": False, "failures": ["x"]}))
    done = subprocess.run([sys.executable, str(BENCH / "summary.py"), str(out), "load_speed"],
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1 and "FAILED: load_speed: x" in done.stdout


def test_check_speed_runs_quick(tmp_path):
    """bench/check_speed.py (cnncalc check on a folder, jobs 1 and 2) in quick mode: every run graded."""
    out = tmp_path / "check_speed.json"
    done = run_bench("check_speed.py", "--quick", "--json", str(out))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["ok"] is True and report["quick"] is True
    assert {row["case"] for row in report["rows"]} == {"conv_jobs1", "conv_jobs2", "pipeline_jobs1", "pipeline_jobs2"}
    assert all(row["files_per_s"] > 0 for row in report["rows"])
