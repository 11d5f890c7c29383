"""Review fixes on the solve side: each test fails on the code before its fix."""

from cli_helpers import cnncalc


def _entry_step(*args: str) -> dict:
    run = cnncalc("conv", *args, "--json")
    assert run.code == 0, run.err
    [step] = run.json()["explanation"]["steps"]
    return step


def test_entry_of_a_window_reading_only_padding_is_zero_and_draws_its_input_channel():
    # 1x1 input, two 1x1 filters, padding 1: y[2,1,1] (1-based) reads only the padded corner.
    step = _entry_step("-x", "[[5]]", "-w", "[[[[1]]],[[[2]]]]", "--padding", "1", "--entry", "y[2,1,1]")
    assert step["target"] == {"name": "y", "index": [1, 0, 0]}
    assert step["terms"] == [] and step["value"] == 0
    [grid] = step["grids"]
    assert grid["cells"] == [[0, 0, 0], [0, 5, 0], [0, 0, 0]]
    assert grid["marks"][0][0] == "pad+mark"


def test_grouped_padding_only_window_draws_the_channels_of_its_group():
    # x has 2 channels, groups 2, 4 filters: filters 3 and 4 (1-based) read channel 2 only.
    step = _entry_step("-x", "[[[1]],[[7]]]", "-w", "[[[[1]]],[[[2]]],[[[3]]],[[[4]]]]", "--groups", "2",
                       "--padding", "1", "--entry", "y[4,1,1]")
    assert step["value"] == 0
    assert [grid["index"] for grid in step["grids"]] == [[1]]
    assert step["grids"][0]["cells"][1][1] == 7


def test_grouped_padding_only_window_draws_every_channel_of_its_group():
    # x has 4 channels (values 1..4), groups 2, 2 filters of 2 channels: filter 2 reads channels 3 and 4.
    step = _entry_step("-x", "[[[1]],[[2]],[[3]],[[4]]]", "-w", "[[[[1]],[[1]]],[[[1]],[[1]]]]",
                       "--groups", "2", "--padding", "1", "--entry", "y[2,3,3]")
    assert step["value"] == 0
    assert [grid["index"] for grid in step["grids"]] == [[2], [3]]
    assert [grid["cells"][1][1] for grid in step["grids"]] == [3, 4]
