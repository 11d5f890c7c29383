"""How a number is written in tables: short, exact where it can be, never '-0'."""

from __future__ import annotations


NOISE = 1e-12


def format_number(value: float, precision: int = 4) -> str:
    """Integers as integers; others rounded to `precision` decimals, trailing zeros dropped.

    Values below 1e-12 in magnitude, rounding residue like 0.1·(0.2 + 0.2 − 0.8 + 0.2 + 0.2),
    print as ≈0 (JSON keeps them exactly); other small values in scientific notation.
    """
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < NOISE:
        return "≈0"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    if magnitude >= 1e12 or magnitude < 10 ** -precision:
        return f"{value:.{max(precision - 1, 1)}e}"
    text = f"{value:.{precision}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
