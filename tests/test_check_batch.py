"""cnncalc check on many files: exit codes, a bad file among good ones, --jobs, grader formats,
the documented verdict of each bundled check example, and layer commands judging expect:."""

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cli_helpers import cnncalc, problem_file

ROOT = Path(__file__).parent.parent
CLASS = ROOT / "examples" / "check_class"


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


# The bundled examples give their documented verdicts -------------------------------------------

def _wrong_entries(run) -> dict:
    record = run.json()
    return {name["name"]: [e["entry"] for e in name["entries"] if e["status"] != "right"] for name in record["names"]}


def test_seed000_writeup_flags_exactly_rows_2_and_3(at_root):
    run = cnncalc("check", "examples/check_seed000_writeup.yaml", "--json")
    assert run.code == 1
    wrong = _wrong_entries(run)
    assert wrong == {"dx": ["dC/dx[2,1]", "dC/dx[2,2]", "dC/dx[2,3]", "dC/dx[3,1]", "dC/dx[3,2]", "dC/dx[3,3]"],
                     "dw": []}
    entries = {e["entry"]: e for e in run.json()["names"][0]["entries"]}
    assert entries["dC/dx[2,1]"]["formula"]["right"] == "dC/dy_11·k_2 + dC/dy_21·k_1"
    assert entries["dC/dx[3,1]"]["formula"]["right"] == "dC/dy_21·k_2"
    assert entries["dC/dx[3,1]"]["formula"]["pairs"] == ["the factor dC/dy_21 is missing (in dC/dy_21·k_2)"]


def test_seed002_writeup_flags_exactly_dL_dI_12(at_root):
    run = cnncalc("check", "examples/check_seed002_writeup.yaml", "--json")
    assert run.code == 1
    assert _wrong_entries(run) == {"dx": ["dL/dI[1,2]"], "db": []}
    text = cnncalc("check", "examples/check_seed002_writeup.yaml").out
    assert "W_22 where W_12 belongs (in dL/dO_11·W_12)" in text and "right  dL/dO_11·W_12 + dL/dO_12·W_11" in text


def test_homework11_stated_answers_are_all_right(at_root):
    run = cnncalc("check", "examples/check_homework11_answers.yaml")
    assert run.code == 0 and "right, 76 of 76 entries right, 8/8 points" in run.out


def test_kernel_not_rotated_dx_is_flagged(at_root):
    run = cnncalc("check", "examples/check_kernel_not_rotated.yaml", "--json")
    assert run.code == 1
    wrong = _wrong_entries(run)
    assert wrong["dx"] == ["dL/dx[1,1]", "dL/dx[1,2]", "dL/dx[1,3]", "dL/dx[2,1]", "dL/dx[2,3]", "dL/dx[3,1]",
                           "dL/dx[3,2]"]
    assert wrong["y"] == wrong["dw"] == wrong["db"] == []
    assert run.json()["names"][1]["diagnosis"]["rule"] == "kernel_not_rotated"  # the diagnosis names it


def test_the_class_folder_in_one_call(at_root):
    run = cnncalc("check", "examples/check_class")
    assert run.code == 2  # student 5's file is bad; the four others are graded
    rows = {line.split()[0]: line for line in run.out.splitlines() if line.startswith("examples/")}
    assert rows["examples/check_class/student1.yaml"].endswith("5/5  right")
    assert rows["examples/check_class/student2.yaml"].endswith("3/5  ✗ wrong")
    assert rows["examples/check_class/student3.yaml"].endswith("2/5  ✗ wrong")
    assert rows["examples/check_class/student4.yaml"].endswith("3/5  ✗ wrong")
    assert rows["examples/check_class/student5.yaml"].endswith("bad file")
    assert run.err.count("\n") == 1 and "student5.yaml:10: expect.dxx" in run.err and "did you mean 'dx'" in run.err
    assert "5 files: 1 right, 3 wrong, 1 bad; 52/66 entries right; 13/20 points" in run.out


# Exit codes --------------------------------------------------------------------------------------

def test_exit_codes(at_root):
    assert cnncalc("check", str(CLASS / "student1.yaml")).code == 0
    assert cnncalc("check", str(CLASS / "student1.yaml"), str(CLASS / "student2.yaml")).code == 1
    assert cnncalc("check", str(CLASS / "student1.yaml"), "nowhere.yaml").code == 2


def test_a_file_without_command_is_bad(tmp_path):
    run = cnncalc("check", problem_file(tmp_path, "x: [1, 2]\nexpect:\n  y: 1\n"))
    assert run.code == 2 and "command: expected the command the file is for" in run.err


def test_folders_are_searched_recursively(tmp_path):
    shutil.copytree(CLASS, tmp_path / "a" / "b")
    shutil.copy(CLASS / "student1.yaml", tmp_path / "top.yaml")
    run = cnncalc("check", str(tmp_path), "--json")
    files = [json.loads(line)["file"] for line in run.out.splitlines()]
    assert len(files) == 6 and files[-1].endswith("top.yaml") and files[0].endswith("b/student1.yaml")


def test_jobs_2_gives_the_same_results_in_the_same_order(at_root):
    one = cnncalc("check", "examples/check_class", "examples/check_seed002_writeup.yaml", "--json")
    two = cnncalc("check", "examples/check_class", "examples/check_seed002_writeup.yaml", "--json", "--jobs", "2")
    assert one.code == two.code == 2
    assert one.out == two.out and one.err == two.err


# Grader formats, against their published field lists ----------------------------------------------

def test_gradescope_results_json(at_root):
    run = cnncalc("check", "examples/check_class", "--format", "gradescope")
    results = json.loads(run.out)
    assert isinstance(results["score"], (int, float)) and results["score"] == 13
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "output_format"}
        assert test["status"] in ("passed", "failed") and test["output_format"] == "md"
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    assert any(t["name"].endswith("student5.yaml: file") and t["status"] == "failed" for t in results["tests"])


def test_prairielearn_results(at_root):
    good = json.loads(cnncalc("check", str(CLASS / "student2.yaml"), "--format", "prairielearn").out)
    assert good["gradable"] is True and good["score"] == pytest.approx(3 / 5)
    assert "format_errors" not in good
    for test in good["tests"]:
        assert {"name", "points", "max_points", "message", "output"} <= set(test)
    unreadable = json.loads(cnncalc("check", str(CLASS / "student4.yaml"), "--format", "prairielearn").out)
    assert unreadable["gradable"] is False and isinstance(unreadable["format_errors"], list)
    assert "a decimal is written with a point" in unreadable["format_errors"][0]
    assert 0 <= unreadable["score"] <= 1


def test_junit_parses_back(at_root):
    run = cnncalc("check", "examples/check_class", "--format", "junit")
    root = ET.fromstring(run.out.split("?>", 1)[1])
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 5
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites) == 17
    assert int(root.get("failures")) == 5 and int(root.get("errors")) == 1
    student2 = next(s for s in suites if s.get("name").endswith("student2.yaml"))
    failures = [case for case in student2.findall("testcase") if case.find("failure") is not None]
    assert [case.get("name") for case in failures] == ["dL/dx"]
    assert "dL/dx[1,1]: wrong" in failures[0].find("failure").text
    assert suites[-1].find("testcase/error") is not None


def test_explain_derives_only_the_wrong_entries(at_root):
    run = cnncalc("check", str(CLASS / "student3.yaml"), "--explain")
    assert run.code == 1
    assert "the right derivation of the wrong entries of dL/dx" in run.out
    assert "dL/dx_32 = " in run.out and "dL/dx_11 = " not in run.out


def test_explain_a_wrong_formula_symbolically(at_root):
    run = cnncalc("check", "examples/check_seed002_writeup.yaml", "--explain")
    assert "dL/dI_12 = dL/dO_11·W_12 + dL/dO_12·W_11" in run.out
    assert "dL/dI_22 = " not in run.out


# Layer commands judge expect: too ------------------------------------------------------------------

def test_a_layer_command_prints_the_verdict_of_a_wrong_expect(at_root):
    run = cnncalc("conv", str(CLASS / "student2.yaml"))
    assert run.code == 1 and "Your answers (expect:)" in run.out and "✗ dL/dx[1,1]: wrong" in run.out
    as_json = cnncalc("conv", str(CLASS / "student2.yaml"), "--json")
    assert as_json.code == 1 and as_json.json()["command"] == "conv" and "✗ dL/dx[1,1]" in as_json.err


def test_a_layer_command_refuses_a_misspelt_expect_name(at_root):
    run = cnncalc("conv", str(CLASS / "student5.yaml"))
    assert run.code == 2 and "did you mean 'dx'" in run.err


def test_a_layer_command_with_right_answers_says_so_on_stderr(at_root):
    run = cnncalc("conv", str(CLASS / "student1.yaml"))
    assert run.code == 0 and "expect: all 18 answers right" in run.err


def test_options_that_change_the_problem_skip_expect(at_root):
    run = cnncalc("conv", str(CLASS / "student1.yaml"), "--mode", "convolution")
    assert run.code == 0 and "expect: not checked, as options change the problem (mode)" in run.out
