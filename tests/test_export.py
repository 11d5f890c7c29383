"""--export-svg / --export-html: well-formed files that hold exactly the lines of the table view
(every number the terminal shows), colours kept, and never written over without --force."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from cli_helpers import cnncalc
from writeup_helpers import ROOT

SVG = "{http://www.w3.org/2000/svg}"
CASES = {
    "conv": ("conv", "examples/seed002_conv_bias.yaml"),
    "maxpool": ("pool", "examples/seed002_maxpool_overlapping.yaml", "--explain"),
    "pipeline": ("pipeline", "examples/seed001_homework11.yaml"),
}


def _svg_lines(path) -> list[str]:
    """The terminal lines drawn in a rich SVG: its text pieces placed at their columns (x over the
    cell width) on the line they clip to; rich leaves blank runs out and places the next piece."""
    pieces = []
    for text in ET.parse(path).getroot().iter(f"{SVG}text"):
        line = re.search(r"line-(\d+)\)", text.get("clip-path", ""))
        if line and text.text:
            pieces.append((int(line[1]), float(text.get("x")), float(text.get("textLength")), text.text))
    cell = min(length / len(content) for _, _, length, content in pieces)  # a wide glyph spans two cells
    lines = [""] * (max(p[0] for p in pieces) + 1)
    for number, x, _, content in pieces:
        column = round(x / cell)
        lines[number] = lines[number].ljust(column) + content
    return [line.replace("\xa0", " ").rstrip() for line in lines]


class _Code(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = self.inside or tag == "code"

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "code"

    def handle_data(self, data):
        if self.inside:
            self.text += data


def _html_lines(path) -> list[str]:
    parser = _Code()
    parser.feed(path.read_text(encoding="utf-8"))
    return [line.rstrip() for line in parser.text.rstrip("\n").split("\n")]


def _table(args) -> list[str]:
    run = cnncalc(*args)
    assert run.code == 0, run.err
    return [line.rstrip() for line in run.out.rstrip("\n").split("\n")]


@pytest.mark.parametrize("case", CASES)
def test_svg_is_well_formed_and_shows_every_line_and_number_of_the_table(case, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "out.svg"
    shown = _table(CASES[case] + ("--export-svg", str(target)))
    drawn = _svg_lines(target)
    assert drawn == shown
    numbers = re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?|≈0", "\n".join(shown))
    assert numbers and re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?|≈0", "\n".join(drawn)) == numbers


@pytest.mark.parametrize("case", CASES)
def test_html_shows_every_line_and_number_of_the_table(case, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "out.html"
    shown = _table(CASES[case] + ("--export-html", str(target)))
    assert _html_lines(target) == shown
    assert "<!DOCTYPE html>" in target.read_text(encoding="utf-8")


def test_colours_are_kept_even_under_no_color(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    svg, html = tmp_path / "a.svg", tmp_path / "a.html"
    _table(CASES["conv"] + ("--export-svg", str(svg), "--export-html", str(html)))
    assert re.search(r"fill:\s*#[0-9a-f]{6}", svg.read_text()) and "font-weight: bold" in svg.read_text()
    assert re.search(r"color:\s*#[0-9a-f]{6}", html.read_text())


def test_an_existing_file_is_never_written_over_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "notes.svg"
    target.write_text("my notes")
    run = cnncalc(*CASES["conv"], "--export-svg", str(target))
    assert run.code == 2 and "--force" in run.err and run.out == ""  # refused before computing
    assert target.read_text() == "my notes"
    run = cnncalc(*CASES["conv"], "--export-svg", str(target), "--force")
    assert run.code == 0 and target.read_text().startswith("<svg")


def test_a_missing_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = cnncalc(*CASES["conv"], "--export-html", str(tmp_path / "no" / "such.html"))
    assert run.code == 2 and "does not exist" in run.err


def test_export_keeps_the_chosen_format_on_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = cnncalc(*CASES["conv"], "--json", "--export-svg", str(tmp_path / "a.svg"))
    assert run.code == 0 and run.json()["command"] == "conv"
    assert "Backward" in "\n".join(_svg_lines(tmp_path / "a.svg"))
