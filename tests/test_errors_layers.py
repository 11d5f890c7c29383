"""Bad input to the layer commands: one line naming the field, exit code 2."""

import pytest

from cli_helpers import cnncalc, example

X = "1 2 3; 4 5 6; 7 8 9"


@pytest.mark.parametrize("args, needles", [
    (("pool", "-x", X, "--kernel-size", "2", "--padding", "2"), ("padding", "half the kernel")),
    (("pool", "-x", X, "--kernel-size", "2", "--kind", "avg", "--dilation", "2"), ("dilation", "no dilation")),
    (("pool", "-x", X), ("kernel_size", "window size")),
    (("pool", "-x", X, "--kernel-size", "2", "--ties", "frist"), ("ties", "did you mean 'first'")),
    (("pool", "-x", X, "--kernel-size", "2", "--kind", "mx"), ("kind", "did you mean 'max'")),
    (("pool", "-x", X, "--kernel-size", "5"), ("kernel_size", "fits the padded input")),
    (("pool", "-x", X, "--kernel-size", "2", "--ceil-mode", "maybe"), ("ceil_mode", "true or false")),
    (("pool", "-x", X, "--kernel-size", "2", "--dy", "1 2"), ("dy", "shape of y")),
    (("fc", "-x", "1 2 3", "-w", "1 2; 3 4"), ("w", "3 inputs")),
    (("fc", "-x", "1 2 3", "-w", "1 2; 3 4; 5 6"), ("w", "other weight layout would fit")),
    (("fc", "-x", "1 2 3", "-w", "{fill: 1}"), ("w", "number of outputs", "--out")),
    (("fc", "-x", "1 2 3", "-w", "1 2 3", "--weight-layout", "inout"), ("weight_layout", "did you mean 'in-out'")),
    (("fc", "-x", "1 2 3", "-w", "1 2 3; 4 5 6", "-b", "1 2 3"), ("b", "one bias per output")),
    (("fc", "-x", "1 2 3", "-w", "1 2 3", "--out", "0"), ("out", "at least 1")),
    (("act", "--kind", "relux", "-x", "1"), ("kind", "did you mean 'relu'")),
    (("act", "--kind", "leaky_relu", "--slope", "abc", "-x", "1"), ("slope", "a number")),
    (("act", "-x", "1"), ("kind", "relu")),
    (("softmax", "-z", "1 2 3", "-t", "3"), ("target", "0 to 2", "0-based")),
    (("softmax", "-z", "1 2 3", "-t", "1 0"), ("target",)),
    (("softmax", "-z", "[[[1]]]"), ("z", "(N, K)")),
    (("softmax", "-z", "1 2", "-t", "0", "--reduction", "avg"), ("reduction", "sum, mean")),
    (("softmax", "-z", "1 2", "-t", "0.5"), ("target", "integer class indices")),
    (("softmax", "-z", "1 2", "-t", "-1 2"), ("target", "non-negative")),
    (("loss", "-y", "1 2", "-t", "1 2 3"), ("target", "shape")),
    (("loss", "-y", "1 2", "-t", "1 2", "--reduction", "halfsum"), ("reduction", "did you mean 'half_sum'")),
    (("loss", "-y", "1 2"), ("target", "nothing")),
    (("loss", "-y", "1 2", "-t", "1 2", "--kind", "ce"), ("kind", "mse")),
    (("pool", "-x", X, "--kernel-size", "2", "--kind", "avg", "--count-include-pad", "sometimes"),
     ("count_include_pad", "true or false")),
    (("conv", "-x", X, "-w", "1", "--index-base", "2"), ("--index-base",)),
    (("conv", "-x", X, "-w", "1", "--precision", "-1"), ("--precision",)),
    (("shape", "--input", "5x5", "--kernel", "3x3", "--op", "poool"), ("op", "did you mean 'pool'")),
    (("shape", "--input", "five", "--kernel", "3x3"), ("input", "a shape like")),
    (("shape", "--input", "5x5"), ("kernel", "nothing")),
    (("shape", "--input", "5x5", "--kernel", "3x3", "--ceil-mode", "true"), ("ceil_mode", "--op pool")),
    (("examples", "seed00_conv"), ("example", "did you mean")),
    (("pipeline", example("seed001_homework11.yaml"), "--only", "fc"), ("only", "did you mean")),
])
def test_layer_errors(args, needles):
    run = cnncalc(*args)
    assert run.code == 2, (run.out, run.err)
    assert "Traceback" not in run.err
    line = run.err.splitlines()[0]
    for needle in needles:
        assert needle in line, (needle, line)


def test_relu_kink_warns_on_stderr_without_failing():
    run = cnncalc("act", "--kind", "relu", "-x", "-1 0 2", "--dy", "1 1 1")
    assert run.code == 0
    assert "warning: 1 entry of x sits exactly on the kink" in run.err


def test_sigmoid_has_no_kink_warning():
    run = cnncalc("act", "--kind", "sigmoid", "-x", "-1 0 2")
    assert run.code == 0 and run.err == ""
