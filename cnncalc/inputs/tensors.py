"""Tensor values as the user writes them, turned into float64 arrays.

A tensor field may hold: a number, nested lists, literal text ("1 2; 3 4"),
a shape alone ("3x3": symbolic), a fill ({fill: 0.1, shape: [5, 8]}, the shape
optional where the command knows it), or seeded random values
({random: {shape: [...], seed: 0, low: -5, high: 5, integers: true}}).
Sizes are checked against the element cap before anything is allocated.

Every array read from values or a fill keeps what the user wrote: `literals_of(spec)`
gives the texts and, on demand, the exact values and the decimals written.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from cnncalc.errors import CnnError, did_you_mean
from cnncalc.inputs.kept import KeptFloat, KeptInt, KeptList, Literals, flat_items, flat_texts, keep, kept_literals, \
    text_of
from cnncalc.inputs.budget import check_memory
from cnncalc.inputs.literals import NUMBER_RE, is_shape_text, number_from, parse_literal, parse_shape
from cnncalc.vocabulary import DEFAULT_MAX_ELEMENTS

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Fill:
    value: float
    shape: tuple[int, ...] | None
    text: str | None = None  # as written ('1/10', '0.40'); None: the value's own repr


@dataclass(frozen=True)
class RandomFill:
    shape: tuple[int, ...] | None
    seed: int | None
    low: float
    high: float
    integers: bool
    seed_given: bool = True  # False: no seed was written, and DEFAULT_SEED is used


DEFAULT_SEED = 0  # a file always means the same numbers


def default_seed_note(spec, field: str) -> str | None:
    """What a user should be told about random values they gave no seed for."""
    if isinstance(spec, RandomFill) and not spec.seed_given:
        return (f"{field}: random values drawn with seed {DEFAULT_SEED}, the default "
                "(write seed: N under random: for other values)")
    return None


@dataclass(frozen=True)
class Symbolic:
    shape: tuple[int, ...]


TensorSpec = np.ndarray | Fill | RandomFill | Symbolic


def read_tensor(value, field: str, max_elements: int = DEFAULT_MAX_ELEMENTS) -> TensorSpec:
    """Any accepted spelling of a tensor, as an array or a spec still to be sized.

    An array keeps the texts it was written with: see literals_of.
    """
    if isinstance(value, str) and value.strip().startswith("{"):
        value = _flow_mapping(value, field)
    if isinstance(value, str):
        if is_shape_text(value):
            shape = parse_shape(value)
            check_size(shape, field, max_elements)
            return Symbolic(shape)
        return _literal_array(value, field, max_elements)
    if isinstance(value, dict):
        return _read_generator(value, field, max_elements)
    array = to_array(value, field)
    check_size(array.shape, field, max_elements)
    items = None if isinstance(value, KeptList) and value.source is not None else (lambda: flat_items(value))
    return keep(array, Literals(array.shape, lambda: flat_texts(value), items))


def _literal_array(text: str, field: str, max_elements: int) -> np.ndarray:
    """Inline text ('1 2; 3 4', '[[1,2],[3,4]]', '1/10') as an array that keeps its number tokens."""
    value = parse_literal(text, field)
    array = to_array(value, field)
    check_size(array.shape, field, max_elements)

    def texts() -> list:
        tokens = [match.group() for match in NUMBER_RE.finditer(text)]
        return tokens if len(tokens) == array.size else flat_texts(value)
    return keep(array, Literals(array.shape, texts))


def literals_of(spec) -> Literals | None:
    """What the user wrote for a tensor spec or an array read_tensor/materialize returned:
    values and fills keep their texts; random values, symbolic shapes and arrays computed
    elsewhere have none (None). A fill not yet sized gives its one value (shape ())."""
    if isinstance(spec, np.ndarray):
        return kept_literals(spec)
    if isinstance(spec, Fill):
        return _fill_literals(spec, spec.shape or ())
    return None


def scalar_fill(spec: np.ndarray) -> Fill:
    """A number read as a 0-d array, as a fill of the size a layer will give it, with its text."""
    literals = kept_literals(spec)
    return Fill(float(spec), None, literals.texts[0] if literals else None)


def _fill_literals(fill: Fill, shape: tuple[int, ...]) -> Literals:
    text = fill.text if fill.text is not None else text_of(fill.value)
    return Literals(shape, lambda: [text] * math.prod(shape))


def _flow_mapping(text: str, field: str):
    import yaml

    expected = "a mapping like {fill: 0.1, shape: [2, 2]}"
    try:
        return yaml.load(text, Loader=_kept_loader())
    except yaml.YAMLError as exc:
        raise CnnError(field, expected, str(exc).splitlines()[0]) from None
    except RecursionError:
        raise CnnError(field, expected, "nesting too deep") from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise CnnError(field, expected, str(exc).split(":")[0]) from None


@functools.cache
def _kept_loader():
    """yaml's pure-Python safe loader (deep nesting raises RecursionError, not a crash),
    with numbers that keep their text where it differs from the value's ({fill: 0.40})."""
    import yaml

    class KeptTextLoader(yaml.SafeLoader):
        pass

    for tag, kind in (("float", KeptFloat), ("int", KeptInt)):
        construct = getattr(yaml.SafeLoader, f"construct_yaml_{tag}")

        def kept(loader, node, construct=construct, kind=kind):
            value = construct(loader, node)
            return value if node.value == text_of(value) else kind(value, node.value)
        KeptTextLoader.add_constructor(f"tag:yaml.org,2002:{tag}", kept)
    return KeptTextLoader


def _read_generator(spec: dict, field: str, max_elements: int) -> Fill | RandomFill:
    if "fill" in spec:
        _only_keys(spec, ("fill", "shape"), field)
        shape = read_shape(spec["shape"], f"{field}.shape", max_elements) if "shape" in spec else None
        return Fill(float(number_from(spec["fill"], f"{field}.fill")), shape, text_of(spec["fill"]))
    if "random" in spec:
        _only_keys(spec, ("random",), field)
        return _read_random(spec["random"], f"{field}.random", max_elements)
    key = next(iter(spec), "")
    raise CnnError(field, "a tensor, {fill: ...} or {random: {...}}", f"a mapping with key '{key}'",
                   hint=did_you_mean(key, ("fill", "random", "shape")))


def _read_random(spec, field: str, max_elements: int) -> RandomFill:
    if not isinstance(spec, dict):
        raise CnnError(field, "a mapping with shape, seed, low, high, integers (all optional)", type(spec).__name__)
    _only_keys(spec, ("shape", "seed", "low", "high", "integers"), field)
    integers = spec.get("integers", False)
    if not isinstance(integers, bool):
        raise CnnError(f"{field}.integers", "true or false", repr(integers))
    low = float(number_from(spec.get("low", -5 if integers else -1), f"{field}.low"))
    high = float(number_from(spec.get("high", 5 if integers else 1), f"{field}.high"))
    if high < low:
        raise CnnError(f"{field}.high", f"a value of at least low ({low:g})", f"{high:g}")
    _check_random_range(low, high, integers, field)
    seed = spec.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise CnnError(f"{field}.seed", "a non-negative integer", repr(seed))
    shape = read_shape(spec["shape"], f"{field}.shape", max_elements) if "shape" in spec else None
    return RandomFill(shape, DEFAULT_SEED if seed is None else seed, low, high, integers, seed is not None)


def _check_random_range(low: float, high: float, integers: bool, field: str) -> None:
    """Bounds NumPy can draw from: an integer between them, within int64; a finite width."""
    if not integers:
        if not math.isfinite(high - low):
            raise CnnError(f"{field}.high", "a range high - low within the float range (about 1.8e308)",
                           f"{high:g} - {low:g}")
        return
    if math.ceil(low) < INT64_MIN:
        raise CnnError(f"{field}.low", "a value within the 64-bit integer range (about ±9.2e18)", f"{low:g}")
    if math.floor(high) > INT64_MAX:
        raise CnnError(f"{field}.high", "a value within the 64-bit integer range (about ±9.2e18)", f"{high:g}")
    if math.ceil(low) > math.floor(high):
        raise CnnError(f"{field}.high", "a range [low, high] holding an integer (integers: true)",
                       f"[{low:g}, {high:g}], which holds none")


def _only_keys(spec: dict, allowed: tuple[str, ...], field: str) -> None:
    for key in spec:
        if key not in allowed:
            raise CnnError(f"{field}.{key}", f"one of the keys {', '.join(allowed)}", f"'{key}'",
                           hint=did_you_mean(key, allowed))


def read_shape(value, field: str, max_elements: int = DEFAULT_MAX_ELEMENTS) -> tuple[int, ...]:
    if isinstance(value, str) and is_shape_text(value):
        shape = parse_shape(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        shape = (value,)
    elif isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        shape = tuple(value)
    else:
        raise CnnError(field, "a shape like [5, 8] or 5x8", repr(value))
    if any(size < 1 for size in shape):
        raise CnnError(field, "sizes of at least 1", repr(list(shape)))
    check_size(shape, field, max_elements)
    return shape


RAISE_CAP = "raise the cap with --max-elements if you mean it"


def check_size(shape: tuple[int, ...], field: str, max_elements: int) -> None:
    count = math.prod(shape)
    if count > max_elements:
        raise CnnError(field, f"at most {max_elements:,} entries", f"shape {list(shape)} with {count:,}",
                       hint=RAISE_CAP)


def to_array(value, field: str) -> np.ndarray:
    """Nested lists (or a number) as a float64 array; ragged or non-numeric is refused."""
    array = value.take_array() if isinstance(value, KeptList) else None
    try:
        array = np.array(value, dtype=np.float64) if array is None else array
    except (ValueError, TypeError, OverflowError):
        array = np.array(_numbers_only(value, field), dtype=np.float64)
    else:
        # NumPy reads True as 1.0: look for booleans only where a 0 or 1 came out.
        maybe_bool = value.has_bool if isinstance(value, KeptList) else True
        if maybe_bool and ((array == 0) | (array == 1)).any() and _has_bool(value):
            _numbers_only(value, field)
    if array.dtype != np.float64 or array.size == 0:
        raise CnnError(field, "a non-empty tensor of numbers", repr(value)[:40])
    _check_finite(array, field)
    return array


def _has_bool(value) -> bool:
    """Whether rectangular nested lists (or a number) hold a boolean anywhere."""
    if not isinstance(value, list):
        return isinstance(value, bool)
    if value and isinstance(value[0], list):
        return any(_has_bool(item) for item in value)
    return bool in set(map(type, value))


def _numbers_only(value, field: str):
    """Walk nested lists: fractions and number strings become numbers; report ragged rows by path."""
    if isinstance(value, list):
        items = [_numbers_only(item, f"{field}[{k}]") for k, item in enumerate(value)]
        _check_rectangular(items, field)
        return items
    return float(number_from(value, field))


def _check_rectangular(items: list, field: str) -> None:
    shapes = [np.shape(item) for item in items]
    for k, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise CnnError(f"{field}[{k}]", f"{_describe(shapes[0])}, like the first", _describe(shape))


def _describe(shape: tuple) -> str:
    if not shape:
        return "a number"
    return f"{shape[0]} entr{'y' if shape[0] == 1 else 'ies'}"


def _check_finite(array: np.ndarray, field: str) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        index = "".join(f"[{i}]" for i in where)
        raise CnnError(f"{field}{index}", "a finite number", str(array[where]),
                       hint="NaN and infinity are not accepted")


def materialize(spec: TensorSpec, field: str, shape: tuple[int, ...] | None = None,
                max_elements: int = DEFAULT_MAX_ELEMENTS) -> np.ndarray:
    """The array a spec stands for; `shape` is what the command expects where it knows."""
    if isinstance(spec, np.ndarray):
        return spec
    if isinstance(spec, Symbolic):
        raise CnnError(field, "numbers, a fill or random values",
                       f"a shape alone ({'x'.join(map(str, spec.shape))}), which makes a symbolic tensor",
                       hint="add --symbolic for the formulas, or give values to compute numbers")
    size = spec.shape or shape
    if size is None:
        raise CnnError(field, "a shape for the fill (nothing else fixes it here)", "no shape",
                       hint="write {fill: 0.1, shape: [2, 3]}")
    check_size(tuple(size), field, max_elements)
    check_memory(math.prod(size), field)
    if isinstance(spec, Fill):
        return keep(np.full(size, spec.value, dtype=np.float64), _fill_literals(spec, tuple(size)))
    rng = np.random.default_rng(spec.seed)
    if spec.integers:
        return rng.integers(int(math.ceil(spec.low)), int(math.floor(spec.high)), size=size,
                            endpoint=True).astype(np.float64)
    return rng.uniform(spec.low, spec.high, size=size)
