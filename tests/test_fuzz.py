"""Fuzzing every command with random problem documents, valid-ish and hostile (issue 8).

Random keys (the command's own fields and others), values (numbers up to the float range
and past it, huge integers, control characters, YAML tags, shapes, fills, nested lists and
mappings), run in-process through the CLI. Properties, whatever the document:
  exit 0 or 2 (1 only for check), never a traceback or an internal error;
  no raw control character in the output or the errors;
  every non-finite entry of a JSON result named in a warning;
  bounded time (a small --max-elements keeps every problem small).
Bounded: about 100 examples in all, no deadline, the file in a few seconds.
"""

from __future__ import annotations

import json
import os
import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_helpers import cnncalc
from cnncalc.cli.app import COMMANDS
from cnncalc.layers import COMMANDS as SPECS

RAW_CONTROLS = set(chr(c) for c in range(32) if c != 10) | {"\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\u202e"}
PER_EXAMPLE_SECONDS = 10
# CNNCALC_FUZZ_EXAMPLES=500 runs a deeper, randomised search by hand; the suite keeps it small and repeatable.
DEEP = int(os.environ.get("CNNCALC_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=DEEP or 10, deadline=None, derandomize=not DEEP,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE_TEXT = ["\x1b[31mred", "bell\x07", "a\rb", "x\u2028y", "\u202eevil", "1,,2", "1/1e-400", "1e999",
                "3x3", "2x0", "0x0", "1 2; 3", "[[1,2],[3]]", "[" * 70 + "1" + "]" * 70, "-", "", " ", "nan", "inf",
                "same", "full", "valid", "max", "avg", "relu", "sigmoid", "mse", "cross_entropy", "x=I,w=W"]
HOSTILE_LINES = ["x: !!python/object/apply:os.system [echo pwned]", "x: &a [*a, *a]", "w: !!set {1, 2}",
                 "names: {x: {a: b}}", "names: {x: \"\\e]0;title\\a\"}", "b: !!binary aGk=", "dy: [1, 2, 3",
                 "layers: [{type: relu, name: \"a\\u2028b\"}]", "x: 0x10", "z: [1e308, 1e308]", "\t: tab"]

numbers = st.one_of(st.integers(-5, 5), st.floats(-1e3, 1e3, allow_nan=False),
                    st.sampled_from([0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 1e200, -1e200, 10**30, 2**63]))
texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=10))
scalars = st.one_of(numbers, texts, st.booleans(), st.none())
vectors = st.lists(numbers, min_size=1, max_size=5)
matrices = st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(numbers, min_size=n, max_size=n),
                                                         min_size=1, max_size=4))
shapes = st.lists(st.integers(0, 6), min_size=1, max_size=4)
fills = st.one_of(st.builds(lambda v, s: {"fill": v, "shape": s}, numbers, shapes),
                  st.builds(lambda s, seed: {"random": {"shape": s, "seed": seed}}, shapes, st.integers(-2, 3)),
                  st.builds(lambda v: {"fill": v}, numbers))
values = st.one_of(scalars, vectors, matrices, fills, st.lists(scalars, max_size=3),
                   st.dictionaries(texts, scalars, max_size=3))
LAYER_TYPES = ["conv", "relu", "leaky_relu", "sigmoid", "tanh", "maxpool", "avgpool", "flatten", "fc", "softmax",
               "dropout"]
layers = st.lists(st.one_of(st.sampled_from(LAYER_TYPES),
                            st.builds(lambda kind, options: {"type": kind, **options}, st.sampled_from(LAYER_TYPES),
                                      st.dictionaries(st.sampled_from(["weight", "bias", "out", "kernel_size",
                                                                       "stride", "padding", "name", "slope"]),
                                                      values, max_size=3))),
                  min_size=0, max_size=4)


mild = st.one_of(st.integers(-4, 4), st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 3)),
                 st.sampled_from([1e200, -1e200, 1e308, 1e-300, 10000, -10000]))
grid = st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
    lambda hw: st.lists(st.lists(mild, min_size=hw[1], max_size=hw[1]), min_size=hw[0], max_size=hw[0]))
row = st.lists(mild, min_size=1, max_size=5)
small = st.integers(0, 3)
ones = st.just({"fill": 1})
BASES = {
    "conv": st.fixed_dictionaries({"x": grid, "w": grid, "dy": ones},
                                  optional={"b": mild, "stride": st.integers(1, 2), "padding": st.one_of(
                                      small, st.sampled_from(["same", "full", "valid"])), "dilation": st.integers(1, 2),
                                      "mode": st.sampled_from(["correlation", "convolution"])}),
    "pool": st.fixed_dictionaries({"x": grid, "kernel_size": st.integers(1, 3), "dy": ones},
                                  optional={"kind": st.sampled_from(["max", "avg"]), "stride": st.integers(1, 2),
                                            "padding": st.integers(0, 1), "dilation": st.integers(1, 3),
                                            "ties": st.sampled_from(["first", "split", "all"])}),
    "fc": st.integers(1, 4).flatmap(lambda n: st.fixed_dictionaries(
        {"x": st.lists(mild, min_size=n, max_size=n), "w": st.lists(st.lists(mild, min_size=n, max_size=n),
                                                                   min_size=1, max_size=3), "dy": ones},
        optional={"b": mild})),
    "act": st.fixed_dictionaries({"x": grid, "kind": st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh"])},
                                 optional={"dy": ones, "slope": mild}),
    "softmax": st.fixed_dictionaries({"z": row}, optional={"target": st.integers(0, 1), "jacobian": st.booleans()}),
    "loss": st.integers(1, 4).flatmap(lambda n: st.fixed_dictionaries(
        {"y": st.lists(mild, min_size=n, max_size=n), "target": st.lists(mild, min_size=n, max_size=n)},
        optional={"reduction": st.sampled_from(["half_sum", "sum", "mean"])})),
    "pipeline": st.fixed_dictionaries(
        {"input": st.lists(st.lists(mild, min_size=4, max_size=4), min_size=4, max_size=4),
         "layers": st.lists(st.sampled_from(["relu", "sigmoid", "tanh", "flatten", "softmax",
                                             {"type": "conv", "weight": [[1, -1], [0.5, 2]]},
                                             {"type": "maxpool", "kernel_size": 2},
                                             {"type": "fc", "weight": {"fill": 0.5}, "out": 2}]),
                            min_size=1, max_size=4),
         "loss": st.sampled_from(["mse", "cross_entropy"]), "target": st.sampled_from([0, 1, {"fill": 0}])}),
    "shape": st.fixed_dictionaries({"input": st.sampled_from(["5x5", "3x8x8", "1x1", "2x3x4x4"]),
                                    "kernel": st.sampled_from(["3x3", "2x2", "1x1", "4x3x3x3"])},
                                   optional={"stride": st.integers(1, 3), "padding": st.integers(0, 2),
                                             "op": st.sampled_from(["conv", "pool"])}),
}


def valid_ish(command: str):
    """A sensible problem for `command`, then sometimes a field changed or added at random."""
    base = BASES.get(command, st.just({}))
    fields = list(SPECS[command].fields) if command in SPECS else ["x"]
    changes = st.dictionaries(st.sampled_from(fields + ["names"]), values, max_size=1)
    return st.builds(lambda doc, change, keep: {**doc, **({} if keep else change)}, base, changes, st.booleans())


def documents(command: str):
    """Random problem texts for `command`: sensible ones (changed at random) and hostile ones."""
    sensible = st.builds(_yaml_text, valid_ish(command), st.just([]))
    return st.one_of(sensible, sensible, hostile_documents(command))


def hostile_documents(command: str):
    """Random keys (its own fields and others) with random values, and lines of hostile YAML."""
    fields = list(SPECS[command].fields) if command in SPECS else ["x", "expect"]
    keys = st.one_of(st.sampled_from(fields + ["names", "expect", "command", "explain"]), st.text(max_size=6))
    body = st.dictionaries(keys, values, max_size=6)
    if command == "pipeline":
        body = st.builds(lambda d, ls: {**d, "layers": ls}, body, layers)
    hostile = st.lists(st.sampled_from(HOSTILE_LINES), max_size=2)
    return st.builds(_yaml_text, body, hostile)


def _yaml_text(body: dict, hostile: list[str]) -> str:
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False) if body else ""
    return text + "".join(line + "\n" for line in hostile)


def nonfinite_tensors(document: dict) -> set[str]:
    def any_nonfinite(data) -> bool:
        return any(map(any_nonfinite, data)) if isinstance(data, list) else data in ("inf", "-inf", "nan")

    return {name for section in ("forward", "backward", "extras")
            for name, tensor in document.get(section, {}).items() if any_nonfinite(tensor["data"])}


def check_run(run, started: float, allowed=(0, 2)) -> None:
    assert time.perf_counter() - started < PER_EXAMPLE_SECONDS
    assert run.code in allowed, (run.code, run.err[-500:])
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err[-500:]
    for stream in (run.out, run.err):
        assert not RAW_CONTROLS & set(stream), repr(stream[:300])
    if run.code == 0 and run.out.startswith("{"):
        for line in run.out.splitlines():
            document = json.loads(line)
            warned = " ".join(document.get("warnings", []))
            for name in nonfinite_tensors(document):
                assert "not finite" in warned, (name, document.get("warnings"))


LAYER_COMMANDS = [name for name in COMMANDS if name in SPECS]


@pytest.mark.parametrize("command", LAYER_COMMANDS)
def test_random_documents_never_break_a_command(command):
    @FUZZ
    @given(text=documents(command), as_json=st.booleans())
    def fuzz(text, as_json):
        started = time.perf_counter()
        flags = ("--json",) if as_json else ()
        run = cnncalc(command, "-", "--max-elements", "2000", *flags, stdin=text) if command != "shape" \
            else cnncalc(command, "-", *flags, stdin=text)
        check_run(run, started, (0, 1, 2) if command == "check" else (0, 2))

    fuzz()


@FUZZ
@given(name=texts, run_it=st.booleans())
def test_random_example_names_never_break_examples(name, run_it):
    started = time.perf_counter()
    run = cnncalc("examples", name, *(("--run",) if run_it else ()))
    check_run(run, started)


@FUZZ
@given(literal=texts, command=st.sampled_from(["act", "fc", "softmax", "loss"]))
def test_random_literals_on_the_command_line_never_break_a_command(literal, command):
    flag = {"act": ("--kind", "relu", "-x"), "fc": ("-w", "1 2", "-x"), "softmax": ("-z",),
            "loss": ("-t", "0 0", "-y")}[command]
    started = time.perf_counter()
    check_run(cnncalc(command, *flag, literal, "--max-elements", "2000", "--json"), started)
