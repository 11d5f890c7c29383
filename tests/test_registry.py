"""One declaration per option: the CLI, the problem file, the pipeline layer, --help and the
README all agree with cnncalc.layers, and each declared word reads back (with did-you-mean)."""

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from cli_helpers import cnncalc
from cnncalc.cli.app import build_app
from cnncalc.layers import COMMANDS, LAYER_TYPES
from cnncalc.errors import CnnError
from cnncalc.inputs.problem import load_problem

ROOT = Path(__file__).parent.parent
DECLARED = sorted(COMMANDS)


def _click_command(name):
    return typer.main.get_command(build_app(name)).commands[name]


@pytest.mark.parametrize("name", DECLARED)
def test_cli_options_are_exactly_the_declared_ones(name):
    spec = COMMANDS[name]
    declared = {flag for option in spec.options if option.command and option.cli for flag in option.flags}
    shared = {"--names", "--format", "-f", "--json", "--precision", "-p", "--index-base", "--max-elements",
              "--debug", "--help", "--explain", "--entry", "--symbolic", "--max-steps"}
    shared |= {"--standalone", "--export-svg", "--export-html", "--force"}  # write-ups (issue 11)
    shared |= {"--exact", "--show-code", "--emit-problem"}
    flags = {flag for param in _click_command(name).params for flag in param.opts if flag.startswith("-")}
    assert flags - shared == declared


@pytest.mark.parametrize("name", DECLARED)
def test_help_shows_every_declared_option_with_its_default(name):
    run = cnncalc(name, "--help")
    assert run.code == 0
    text = " ".join(run.out.split())
    for option in COMMANDS[name].options:
        if option.command and option.cli:
            assert option.long_flag in text
            if option.default_text not in ("—", "false"):
                assert f"[default {option.default_text}]" in text, option.name


@pytest.mark.parametrize("name", DECLARED)
def test_problem_file_fields_are_the_declared_ones(name, tmp_path):
    spec = COMMANDS[name]
    problem = load_problem(None, {field: None for field in spec.fields}, spec.fields)
    assert problem.values == {}
    bad = tmp_path / "p.yaml"
    first = spec.fields[0]
    bad.write_text(f"{first}x: 1\n")
    with pytest.raises(CnnError) as caught:
        load_problem(str(bad), {}, spec.fields)
    assert f"did you mean '{first}'" in caught.value.message()


@pytest.mark.parametrize("kind", sorted(LAYER_TYPES))
def test_pipeline_layer_fields_are_the_declared_ones(kind, tmp_path):
    fields = [option.pipeline for option in LAYER_TYPES[kind].layer_options(kind)]
    problem = tmp_path / "net.yaml"
    problem.write_text(f"input: [1, 2]\nlayers:\n  - type: {kind}\n    bogus_option: 1\nloss: mse\ntarget: 0\n")
    run = cnncalc("pipeline", str(problem))
    assert run.code == 2
    for field in fields + ["name"]:
        assert field in run.err, (field, run.err)


@pytest.mark.parametrize("name", DECLARED)
def test_every_declared_word_and_alias_reads_back(name):
    for option in COMMANDS[name].options:
        for word in option.choices:
            assert option.read(word, option.name) == word
        for alias, word in option.aliases.items():
            assert option.read(alias, option.name) == word
        if option.choices:
            with pytest.raises(CnnError) as caught:
                option.read(option.choices[0] + "q", option.name)
            assert f"did you mean '{option.choices[0]}'" in caught.value.message()


def test_readme_option_tables_are_written_from_the_declarations():
    for name in DECLARED:
        assert f"<!-- options: {name} -->" in (ROOT / "README.md").read_text()
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "readme_options.py"), "--check"])
    assert check.returncode == 0, "README tables differ from cnncalc/layers: run python tools/readme_options.py"


def test_an_option_lives_in_one_place():
    """No solver, pipeline or CLI module spells a layer option's reader again."""
    for path in (ROOT / "cnncalc").rglob("*.py"):
        if path.parts[-2] in ("layers",) or path.name == "fields.py":
            continue
        text = path.read_text()
        for word in ("read_int_or_pair(", "read_choice(", "read_padding,", "read_ties", "read_mode"):
            assert word not in text, f"{path.relative_to(ROOT)} reads an option itself: {word}"
