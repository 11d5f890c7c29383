"""The text of each kind of Step (see cnncalc.explain.steps), one function per kind."""

from __future__ import annotations

from cnncalc.render.conventions import TIE_RULES as TIES  # one wording of each tie rule
from cnncalc.vocabulary import AXIS_WORDS


def sum_(writer, step) -> list[str]:
    return [writer.equation(step)]


def chain(writer, step) -> list[str]:
    text = writer.equation(step)
    route = step.detail.get("route")
    if route:
        text += "   (the Jacobian route)" if route == "jacobian" else "   (the p − t shortcut, the same)"
    if step.detail.get("kink"):
        text += "   (x = 0 sits on the kink: the derivative there is PyTorch's choice; hand answers often use 1 or ½)"
    readers = _readers(writer, step)
    if readers:
        entry = writer.entry(writer.naming.gradients.get(step.target.name, step.target.name), step.target.index)
        text += f"   ({entry} is read by {readers})" if step.target.name == "dx" else f"   (through {readers})"
    return [text]


def _readers(writer, step) -> str:
    """The y entries whose gradient reaches a dx or dw entry: overlap and stride made visible."""
    gradient_of = writer.naming.gradients
    if step.target.name not in ("dx", "dw"):
        return ""
    names = [writer.entry(gradient_of.get(f.name, f.name), f.index) for term in step.terms
             for f in term.factors if f.name == "dy"]
    return ", ".join(dict.fromkeys(names))


def max_(writer, step) -> list[str]:
    cells = [writer.entry(t.factors[0].name, t.factors[0].index) for t in step.terms]
    text = f"{writer.target(step)} = max({', '.join(cells)})"
    if not writer.symbolic:
        text += f" = max({', '.join(writer.number(t.factors[0].value) for t in step.terms)})"
        text += f" = {writer.number(step.value)}"
    upstream = writer.naming.subscript("dy", step.target.index, writer.shapes.get("dy") or writer.shapes.get("y"))
    chosen = [cells[k] for k in step.chosen]
    ties, share = step.detail["ties"], step.detail["share"]
    amount = upstream if share == 1 else f"{upstream}/{share.denominator}"
    where = chosen[0] if len(chosen) == 1 else "each of " + ", ".join(chosen)
    note = f", {step.detail['tied']} tied: {TIES[ties]}" if step.detail["tied"] > 1 else ""
    return [f"{text}; {amount} goes to {where} (ties: {ties}{note})"]


def size(writer, step) -> list[str]:
    d = step.detail
    span = d["d"] * (d["k"] - 1) + 1
    left, right = ("⌈", "⌉") if d["ceil_mode"] else ("⌊", "⌋")
    text = (f"{AXIS_WORDS[d['axis']]} of {writer.naming.shown(step.target.name)}: "
            f"{left}({d['n']} + {d['lo']} + {d['hi']} − {span}) / {d['s']}{right} + 1 = {d['before_drop']}")
    if d["before_drop"] != step.value:
        text += f", − 1 (the last window would start in the padding) = {step.value}"
    if d["d"] > 1:
        text += f"   (a kernel of {d['k']} dilated by {d['d']} spans {d['d']}·({d['k']} − 1) + 1 = {span})"
    return [text]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if abs(number) == 1 else "s")


def general(writer, d: dict) -> list[str]:
    """The conv identities for any N, C, H, W, with the layer's own numbers."""
    shown = writer.naming.shown
    (sh, sw), (dh, dw), (kh, kw) = d["stride"], d["dilation"], d["kernel"]
    (top, bottom), (left, right) = d["padding"]
    # Rows the windows never reach (the stride does not divide the span) are padded back at the end.
    (h, w) = d["in_hw"]
    extra_h, extra_w = (h + top + bottom - dh * (kh - 1) - 1) % sh, (w + left + right - dw * (kw - 1) - 1) % sw
    on_top, on_left = dh * (kh - 1) - top, dw * (kw - 1) - left
    full = (f"{dh}·({kh} − 1) − {top} = {_count(on_top, 'row')} on top, {dh * (kh - 1) - bottom + extra_h} "
            f"at the bottom, {_count(on_left, 'column')} left, {dw * (kw - 1) - right + extra_w} right")
    if min(dh * (kh - 1) - top, dw * (kw - 1) - left) < 0 or max(top, bottom, left, right) > min(dh * (kh - 1),
                                                                                                dw * (kw - 1)):
        full += " (a negative count crops that many)"
    zeros = "" if (sh, sw) == (1, 1) else f", with {sh - 1}×{sw - 1} zeros inserted between entries (stride {sh}×{sw})"
    kernel = f"{shown('w')}[o,c] rotated 180°" if d["mode"] == "correlation" else f"{shown('w')}[o,c] as written"
    group = "" if d["groups"] == 1 else f" (o over the filters of c's group; {d['groups']} groups)"
    lines = [f"in general, for any batch N and channels: {shown('dx')}[n,c] = Σ_o {shown('dy')}[n,o]{zeros}, "
             f"padded by {full}, correlated with {kernel}{group} (a full correlation: a convolution with "
             f"the kernel)",
             f"in general: {shown('dw')}[o,c] = Σ_n {shown('x')}[n,c] padded ({top}, {bottom}, {left}, {right}) "
             f"correlated with {shown('dy')}[n,o]{zeros}" + (f", read every {dh}×{dw} cell" if (dh, dw) != (1, 1)
                                                             else "")
             + (" and rotated 180° (convolution mode)" if d["mode"] == "convolution" else "")
             + f"; {shown('x')} is not rotated ({shown('dy')} ⊗ {shown('x')} rotated 180° is not this identity)"]
    if d["bias"]:
        lines.append(f"in general: {shown('db')}[o] = Σ_n Σ_i Σ_j {shown('dy')}[n,o,i,j]")
    return lines


def identity(writer, step) -> list[str]:
    d = step.detail
    if d["rule"] == "conv.general":
        return general(writer, d)
    shown = writer.naming.shown
    which = f"[sample {d['sample'] + writer.naming.base}, filter {d['filter'] + writer.naming.base}] "
    if d["rule"] == "conv.dx":
        inserted = [s - 1 for s in d["stride"]]
        zeros = "" if not max(inserted) else (
            f"{inserted[0]} zero{'s' if inserted[0] > 1 else ''} inserted between neighbouring entries (stride "
            f"{inserted[0] + 1}) and " if inserted[0] == inserted[1] else
            f"{inserted[0]} zero rows and {inserted[1]} zero columns inserted between entries (stride) and ")
        kernel = (f"{shown('w')} rotated 180°" if d["rotated"] else
                  f"{shown('w')} as written (convolution mode slides it rotated; rotating back gives {shown('w')})")
        return [f"{which}{shown('dx')} = full correlation: {shown('dy')} {'with ' + zeros if zeros else ''}padded by the kernel's "
                f"span − 1 on each side (· marks padding), correlated with {kernel}; the layer's own padding "
                f"rows and columns then dropped"]
    rotated = "; rotated 180° (convolution mode)" if d["mode"] == "convolution" else ""
    every = f", read every {d['dilation'][0]}×{d['dilation'][1]} cell (dilation)" if max(d["dilation"]) > 1 else ""
    return [f"{which}{shown('dw')} = valid cross-correlation of {shown('x')} (padded, · marks padding) with "
            f"{shown('dy')} (zeros inserted for the stride){every}{rotated}. {shown('x')} is not rotated: "
            f"{shown('dy')} ⊗ {shown('x')} rotated 180° is not this identity"]


def layer(writer, step) -> list[str]:
    d, shown = step.detail, writer.naming.shown
    name = shown(step.target.name)
    if step.phase == "backward":
        fused = (f"   (softmax with cross-entropy: {shown(d['gives'][0])} = p − t directly, the same as "
                 f"{shown(d['upstream'])} times the Jacobian)") if d.get("fused") else ""
        return [f"backward through {name} ({d['type']}): {shown(d['upstream'])} → "
                + ", ".join(shown(g) for g in d["gives"]) + fused]
    if "target" in d:
        value = "" if step.value is None else f" = {writer.number(step.value)}"
        return [f"{name} = {d['type']}({shown(d['input'])}, {shown(d['target'])}), {d['reduction']}{value}"]
    params = "".join(f", {shown(p)}" for p in d["parameters"])
    shape = "×".join(map(str, d["output_shape"]))
    return [f"{name} = {d['type']}({shown(d['input'])}{params})   ({shape})"]


def text(writer, step) -> list[str]:
    return [str(step.detail.get("text", ""))]


WRITERS = {"sum": sum_, "chain": chain, "max": max_, "size": size, "identity": identity, "layer": layer,
           "text": text}
