"""The README works: every command in it runs as shown, and every option is documented."""

import re
import shlex
from pathlib import Path

import pytest
import typer.main

from cli_helpers import cnncalc
from cnncalc.cli.app import app

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def _console_examples():
    """(command line, expected exit code, expected output lines) from ```console blocks."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            lines = chunk.strip("\n").splitlines()
            if not lines or not lines[0].startswith("$ "):
                continue
            command, _, comment = lines[0][2:].partition("  # ")
            code = int(comment.split()[-1]) if comment.startswith("exit") else 0
            examples.append((command.strip(), code, lines[1:]))
    return examples


EXAMPLES = _console_examples()


@pytest.mark.parametrize("command, code, output", EXAMPLES, ids=[e[0][:60] for e in EXAMPLES])
def test_readme_example_runs_as_shown(command, code, output, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "200")
    stdin = None
    if " | " in command:
        feeder, command = command.split(" | ", 1)
        stdin = Path(shlex.split(feeder)[1]).read_text()
    args = shlex.split(command)
    assert args[0] == "cnncalc"
    run = cnncalc(*args[1:], stdin=stdin)
    assert run.code == code, run.err
    shown = run.out + run.err
    for line in output:
        assert line.rstrip() in shown, line


def test_readme_has_examples_for_every_command():
    commands = {name for name in typer.main.get_command(app).commands}
    shown = {shlex.split(e[0].split(" | ")[-1])[1] for e in EXAMPLES}
    assert commands <= shown, commands - shown


def test_every_option_of_every_command_is_documented():
    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        for param in command.params:
            for flag in param.opts:
                if flag.startswith("-") and flag != "--help":
                    assert f"`{flag}" in README or f" {flag}" in README, f"{name} {flag} is not in the README"


def test_first_two_commands_install_and_run():
    first, second = re.findall(r"```sh\n(.*?)\n```", README, re.S)[:2]
    assert "pip install ." in first and "cnncalc" in first and "examples/" in first
    assert ".[test]" in second and "pytest" in second
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text()
    example = re.search(r"cnncalc \w+ (examples/\S+)", first).group(1)
    assert (ROOT / example).exists()
