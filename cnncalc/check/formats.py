"""Verdicts for the tools instructors use: JSON lines, Gradescope, PrairieLearn, JUnit XML.

  json          one JSON object per file, one per line (FileVerdict.as_data)
  gradescope    the autograder's results.json: score, max_score, output, tests[] with name, score,
                max_score, status (passed/failed), output, output_format "md" (one test per name)
  prairielearn  the external grader's results: gradable, score in [0, 1], message, output,
                tests[] (name, points, max_points, message, output); an unreadable answer makes the
                submission not gradable, with format_errors saying why
  junit         JUnit XML: a testsuite per file, a testcase per name, <failure> for a wrong answer
                and <error> for a bad file
"""

from __future__ import annotations

import json

from cnncalc.check.text import file_lines, name_lines, points_text, totals_line
from cnncalc.check.verdicts import FileVerdict, NameVerdict

FORMATS = ("table", "json", "gradescope", "prairielearn", "junit")


def as_json_lines(verdicts: list[FileVerdict]) -> str:
    return "".join(json.dumps(v.as_data(), ensure_ascii=False) + "\n" for v in verdicts)


def _test_name(verdict: FileVerdict, name: NameVerdict | None, several: bool) -> str:
    label = name.shown if name is not None else "file"
    return f"{verdict.file}: {label}" if several else label


def _markdown(lines: list[str]) -> str:
    return "```\n" + "\n".join(line.rstrip() for line in lines) + "\n```"


def as_gradescope(verdicts: list[FileVerdict]) -> str:
    several = len(verdicts) > 1
    tests = []
    for verdict in verdicts:
        if verdict.error is not None:
            tests.append({"name": _test_name(verdict, None, several), "score": 0, "max_score": 0,
                          "status": "failed", "output": _markdown([verdict.error]), "output_format": "md"})
            continue
        width = max(len(n.shown) for n in verdict.names)
        for name in verdict.names:
            tests.append({"name": _test_name(verdict, name, several), "score": name.points,
                          "max_score": name.max_points, "status": "passed" if name.status == "right" else "failed",
                          "output": _markdown(name_lines(name, width)), "output_format": "md"})
    score = sum(test["score"] for test in tests)
    results = {"score": score, "max_score": sum(test["max_score"] for test in tests),
               "output": totals_line(verdicts), "output_format": "md", "tests": tests}
    return json.dumps(results, ensure_ascii=False, indent=2) + "\n"


def as_prairielearn(verdicts: list[FileVerdict]) -> str:
    several = len(verdicts) > 1
    format_errors = [v.error for v in verdicts if v.error is not None]
    format_errors += [_unreadable_text(item) for v in verdicts if v.error is None for item in v.unreadable]
    tests = []
    for verdict in verdicts:
        if verdict.error is not None:
            continue
        width = max(len(n.shown) for n in verdict.names)
        for name in verdict.names:
            tests.append({"name": _test_name(verdict, name, several), "points": name.points,
                          "max_points": name.max_points, "message": name.status.replace("_", " "),
                          "output": "\n".join(name_lines(name, width))})
    possible = sum(test["max_points"] for test in tests)
    earned = sum(test["points"] for test in tests)
    results = {"gradable": not format_errors, "score": earned / possible if possible else 0.0,
               "message": totals_line(verdicts),
               "output": "\n".join(line for v in verdicts for line in file_lines(v)), "tests": tests}
    if format_errors:
        results["format_errors"] = format_errors
    return json.dumps(results, ensure_ascii=False, indent=2) + "\n"


def _unreadable_text(item) -> str:
    label = getattr(item, "entry", None) or getattr(item, "shown", "")
    return f"{label}: {item.error}"


def as_junit(verdicts: list[FileVerdict]) -> str:
    """JUnit XML (the schema CI servers read), built with the standard library."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="cnncalc check")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for verdict in verdicts:
        suite = _junit_suite(ET, root, verdict)
        for key in totals:
            totals[key] += int(suite.get(key))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_suite(ET, root, verdict: FileVerdict):
    suite = ET.SubElement(root, "testsuite", name=verdict.file)
    if verdict.error is not None:
        case = ET.SubElement(suite, "testcase", classname=verdict.file, name="file")
        ET.SubElement(case, "error", message=verdict.error, type="bad file").text = verdict.error
        suite.attrib.update(tests="1", failures="0", errors="1")
        return suite
    width = max(len(n.shown) for n in verdict.names)
    failures = 0
    for name in verdict.names:
        case = ET.SubElement(suite, "testcase", classname=verdict.file, name=name.shown)
        ET.SubElement(case, "system-out").text = f"{points_text(name.points, name.max_points)} points"
        if name.status != "right":
            failures += 1
            failure = ET.SubElement(case, "failure", message=f"{name.shown}: {name.status.replace('_', ' ')}",
                                    type=name.status)
            failure.text = "\n".join(name_lines(name, width))
    suite.attrib.update(tests=str(len(verdict.names)), failures=str(failures), errors="0")
    return suite


WRITERS = {"json": as_json_lines, "gradescope": as_gradescope, "prairielearn": as_prairielearn, "junit": as_junit}
