"""Text for LaTeX: prose escaped so pdflatex compiles it, names and numbers as math.

pdflatex without extra packages knows ASCII only: the ten special characters are escaped,
the Unicode math the convention words use (Σ, ·, −, ², ⌊, →, ...) becomes its math command,
and any other character is spelt as its code point rather than lost or left to break the build.
"""

from __future__ import annotations

import re

TEXT_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\ensuremath{<}", ">": r"\ensuremath{>}", "|": r"\ensuremath{|}",
}
GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "ζ": r"\zeta",
    "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu",
    "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau", "φ": r"\phi", "χ": r"\chi",
    "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda",
    "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
}
MATH_SYMBOLS = GREEK | {
    "·": r"\cdot", "−": "-", "×": r"\times", "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil",
    "⌉": r"\rceil", "→": r"\to", "←": r"\leftarrow", "≈": r"\approx", "∂": r"\partial", "⊗": r"\otimes",
    "∞": r"\infty", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "±": r"\pm", "ᵀ": r"^{\mathsf{T}}",
    "²": "^{2}", "³": "^{3}", "¹": "^{1}", "⁻": "^{-}", "½": r"\tfrac{1}{2}", "°": r"^{\circ}",
    "∑": r"\sum", "√": r"\surd", "∈": r"\in", "∘": r"\circ", "⋯": r"\cdots", "ℓ": r"\ell", "∇": r"\nabla",
    "⊙": r"\odot", "∗": "*", "′": "'",
}
TEXT_SYMBOLS = {"–": "--", "—": "---", "…": r"\dots{}", "’": "'", "‘": "`", "“": "``", "”": "''", "\u00a0": "~"}
NAME = re.compile(r"^(?P<base>[A-Za-z]+|[α-ωΑ-Ω])(?:_(?P<sub>[A-Za-z0-9]+|\{[A-Za-z0-9,]+\}))?$")
SCIENTIFIC = re.compile(r"^(?P<sign>-?)(?P<mantissa>\d+(?:\.\d+)?)e(?P<exponent>[+-]?\d+)$")
PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
FRACTION = re.compile(r"^(?P<sign>-?)(?P<top>\d+)/(?P<bottom>\d+)$")


def _unknown(char: str) -> str:
    """A character pdflatex cannot typeset by default, kept visible by its code point."""
    return rf"\texttt{{<U+{ord(char):04X}>}}"


def prose(text: str) -> str:
    """Plain text (convention words, notes, user names) as LaTeX text-mode source."""
    pieces = []
    for char in text:
        if char in TEXT_SPECIALS:
            pieces.append(TEXT_SPECIALS[char])
        elif char in TEXT_SYMBOLS:
            pieces.append(TEXT_SYMBOLS[char])
        elif char in MATH_SYMBOLS:
            pieces.append(rf"\ensuremath{{{MATH_SYMBOLS[char]}}}")
        elif ord(char) < 128:
            pieces.append(char)
        else:
            pieces.append(_unknown(char))
    return "".join(pieces)


def identifier(name: str) -> str:
    """A user's tensor name as math: W, \\mathrm{conv}_{1}, \\sigma; anything else inside \\text{}."""
    match = NAME.match(name)
    if not match:
        return rf"\text{{{prose(name)}}}"
    base = match["base"]
    base = GREEK.get(base, base if len(base) == 1 else rf"\mathrm{{{base}}}")
    sub = match["sub"]
    return base if sub is None else f"{base}_{{{sub.strip('{}')}}}"


def with_subscript(tex: str, index: str) -> str:
    """`tex` with the subscript `index` ("12" or "10,2"); braced when it has its own subscript."""
    if not index:
        return tex
    bare = tex if "_" not in tex and not tex.startswith(r"\text") else f"{{{tex}}}"
    return f"{bare}_{{{index}}}"


def number(text: str) -> str:
    """A number as written by render.numbers, in math: 6.939e-18 → 6.939 \\times 10^{-18}, ≈0 → \\approx 0."""
    if PLAIN_NUMBER.match(text):
        return text
    if text.startswith("≈"):
        return r"\approx " + number(text[1:])
    scientific = SCIENTIFIC.match(text)
    if scientific:
        exponent = int(scientific["exponent"])
        return rf"{scientific['sign']}{scientific['mantissa']} \times 10^{{{exponent}}}"
    fraction = FRACTION.match(text)
    if fraction:
        return rf"{fraction['sign']}\tfrac{{{fraction['top']}}}{{{fraction['bottom']}}}"
    if text in ("inf", "-inf"):
        return text.replace("inf", r"\infty")
    return math_text(text)


def math_text(text: str) -> str:
    """Anything else met inside math: Unicode math turned into commands, the rest as \\text{}."""
    if all(char in MATH_SYMBOLS or char.isalnum() and ord(char) < 128 or char in " ()[],.+-=/'" for char in text):
        return "".join(MATH_SYMBOLS.get(char, char) + (" " if char in MATH_SYMBOLS else "") for char in text)
    return rf"\text{{{prose(text)}}}"


def shape(dims) -> str:
    """A shape as math: 2 \\times 3 \\times 3 (scalar for ())."""
    return r" \times ".join(map(str, dims)) if len(dims) else r"\text{scalar}"
