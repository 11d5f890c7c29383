"""The words the engine and the option declarations share, one tuple each (and one default:
leaky_relu's slope).

No imports: the NumPy core (which validates them) and the light declarations in
cnncalc.layers (which offer them on the command line, with `cnncalc --help` importing
no NumPy) both read them here, so a word added in one place is added everywhere.
"""

AXIS_WORDS = ("rows", "columns")  # axes named, not numbered: no index base to get wrong
ACTIVATION_KINDS = ("relu", "leaky_relu", "sigmoid", "tanh")
CONV_MODES = ("correlation", "convolution")
FC_LAYOUTS = ("out-in", "in-out")
POOL_KINDS = ("max", "avg")
POOL_TIES = ("first", "split", "all")
PADDING_WORDS = ("valid", "same", "full")
MSE_REDUCTIONS = ("half_sum", "sum", "mean")
CROSS_ENTROPY_REDUCTIONS = ("sum", "mean")
CODE_LANGUAGES = ("torch", "numpy")  # --show-code
DEFAULT_MAX_ELEMENTS = 10_000_000  # entries a tensor may have unless --max-elements says more
DEFAULT_MAX_STEPS = 40  # derivation steps shown unless --max-steps says otherwise
LEAKY_SLOPE = 0.01  # leaky_relu's default negative slope, PyTorch's


def spoken(words: tuple[str, ...]) -> str:
    """'valid, same or full': the words as a message lists them."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


PADDING_EXPECTED = f"an integer, a pair, [[top,bottom],[left,right]], {spoken(PADDING_WORDS)}"
