"""How close an answer must be: the precision written by default, or PrairieLearn's modes.

  written  (default) a decimal matches when the right value rounds to it: 1.609 and 1.61 match
           1.6094 (half a unit of the last decimal written, trailing zeros included, so 0.40
           must be within 0.005); an integer, a fraction or an expression must match to float
           precision (relative 1e-12, absolute 1e-12 near zero)
  relabs   |given − right| ≤ atol + rtol·|right|          (rtol 0.01, atol 1e-8 by default)
  sigfig   within 0.51 units of the digits-th significant digit of the right value (digits 2)
  decdig   within 0.51·10^-digits of the right value (digits 2)
  exact    the same float as computed

The names, defaults and bounds are PrairieLearn's (pl-number-input), so a course moving
between the two grades alike. Every mode gives an interval: the accepted values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnncalc.errors import CnnError, did_you_mean

MODES = ("written", "relabs", "sigfig", "decdig", "exact")
FLOAT_RTOL = FLOAT_ATOL = 1e-12
_DEFAULTS = {"rtol": 0.01, "atol": 1e-8, "digits": 2}
_PARAMETERS = {"written": (), "exact": (), "relabs": ("rtol", "atol"), "sigfig": ("digits",), "decdig": ("digits",)}
EXPECTED = "a tolerance: written, exact, relabs (rtol, atol), sigfig (digits) or decdig (digits)"


@dataclass(frozen=True)
class Tolerance:
    mode: str = "written"
    rtol: float = _DEFAULTS["rtol"]
    atol: float = _DEFAULTS["atol"]
    digits: int = _DEFAULTS["digits"]

    def half_width(self, right: float, decimals: int | None) -> float:
        """How far from `right` an answer may be; `decimals`: those written (None: not a decimal)."""
        if self.mode == "written":
            float_bound = FLOAT_ATOL + FLOAT_RTOL * abs(right)
            if decimals is None:
                return float_bound
            return max(0.5 * 10.0 ** -decimals * (1 + 1e-9), float_bound)
        if self.mode == "relabs":
            return self.atol + self.rtol * abs(right)
        if self.mode == "decdig":
            return 0.51 * 10.0 ** -self.digits
        if self.mode == "sigfig":
            if not math.isfinite(right):
                return math.nan  # nothing finite is within any number of digits of inf or NaN
            places = self.digits - 1 - (math.floor(math.log10(abs(right))) if right else 0)
            return 0.51 * 10.0 ** -places
        return 0.0

    def interval(self, right: float, decimals: int | None) -> tuple[float, float]:
        width = self.half_width(right, decimals)
        return right - width, right + width

    def accepts(self, given: float, right: float, decimals: int | None) -> bool:
        return abs(given - right) <= self.half_width(right, decimals)

    def as_data(self) -> dict:
        return {"mode": self.mode, **{key: getattr(self, key) for key in _PARAMETERS[self.mode]}}


def read_tolerance(raw, field: str = "tolerance") -> Tolerance:
    """`exact`, `sigfig:3`, `relabs:rtol=0.01,atol=0` (command line) or {mode: sigfig, digits: 3} (YAML)."""
    if isinstance(raw, str):
        raw = _from_text(raw, field)
    if not isinstance(raw, dict) or not isinstance(raw.get("mode"), str):
        raise CnnError(field, EXPECTED, repr(raw), hint="e.g. {mode: sigfig, digits: 3} or --tolerance sigfig:3")
    mode = raw["mode"].strip().lower()
    if mode not in MODES:
        raise CnnError(f"{field}.mode", EXPECTED, repr(raw["mode"]), hint=did_you_mean(mode, MODES))
    values = {}
    for key, value in raw.items():
        if key == "mode":
            continue
        if key not in _PARAMETERS[mode]:
            allowed = f"one of {', '.join(_PARAMETERS[mode])}" if _PARAMETERS[mode] else "no parameter"
            raise CnnError(f"{field}.{key}", f"{allowed} (for {mode})", repr(key),
                           hint=did_you_mean(key, _PARAMETERS[mode]))
        values[key] = _parameter(key, value, f"{field}.{key}")
    return Tolerance(mode, **values)


def _from_text(text: str, field: str) -> dict:
    mode, _, rest = text.strip().partition(":")
    raw: dict = {"mode": mode}
    parameters = _PARAMETERS.get(mode.strip().lower())
    if parameters is None:
        return raw  # an unknown mode: refused with a did-you-mean by the caller
    for position, part in enumerate(p.strip() for p in rest.split(",") if p.strip()):
        key, equals, value = part.partition("=")
        if not equals:  # sigfig:3, relabs:0.01,1e-8
            if position >= len(parameters):
                raise CnnError(field, EXPECTED, repr(text), hint="e.g. sigfig:3, decdig:2, relabs:rtol=0.01,atol=0")
            key, value = parameters[position], part
        if key.strip() in raw:
            raise CnnError(field, f"{key.strip()} given once", repr(text))
        raw[key.strip()] = value.strip()
    return raw


def _parameter(key: str, value, field: str):
    try:
        number = float(value) if key != "digits" else int(str(value))
    except (TypeError, ValueError):
        number = None
    if isinstance(value, bool) or number is None or not math.isfinite(number) or number < 0 \
            or (key == "digits" and not 1 <= number <= 17):
        expected = "a whole number of digits from 1 to 17" if key == "digits" else "a non-negative number"
        raise CnnError(field, expected, repr(value))
    return number
