"""The text of each kind of Step (see cnncalc.explain.steps), one function per kind."""

from __future__ import annotations

AXES = ("rows", "columns")
TIES = {"first": "the first maximum in row-major order gets it, as PyTorch", "split": "shared equally",
        "all": "each tied maximum gets all of it"}


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
    text = (f"{AXES[d['axis']]} of {writer.naming.shown(step.target.name)}: "
            f"{left}({d['n']} + {d['lo']} + {d['hi']} − {span}) / {d['s']}{right} + 1 = {d['before_drop']}")
    if d["before_drop"] != step.value:
        text += f", − 1 (the last window would start in the padding) = {step.value}"
    if d["d"] > 1:
        text += f"   (a kernel of {d['k']} dilated by {d['d']} spans {d['d']}·({d['k']} − 1) + 1 = {span})"
    return [text]


def identity(writer, step) -> list[str]:
    d = step.detail
    shown = writer.naming.shown
    which = f"[sample {d['sample'] + writer.naming.base}, filter {d['filter'] + writer.naming.base}] "
    if d["rule"] == "conv.dx":
        inserted = [s - 1 for s in d["stride"]]
        zeros = "" if not max(inserted) else (
            f"{inserted[0]} zero{'s' if inserted[0] > 1 else ''} inserted between neighbouring entries (stride "
            f"{inserted[0] + 1}) and " if inserted[0] == inserted[1] else
            f"{inserted[0]} zero rows and {inserted[1]} zero columns inserted between entries (stride) and ")
        kernel = (f"{shown('w')} rotated 180°" if d["rotated"] else
                  f"{shown('w')} as written (convolution mode slides it rotated; rotating back gives w)")
        return [f"{which}{shown('dx')} = full correlation: {shown('dy')} {'with ' + zeros if zeros else ''}padded by the kernel's "
                f"span − 1 on each side (· marks padding), correlated with {kernel}; the layer's own padding "
                f"rows and columns then dropped"]
    rotated = "; rotated 180° (convolution mode)" if d["mode"] == "convolution" else ""
    every = f", read every {d['dilation'][0]}×{d['dilation'][1]} cell (dilation)" if max(d["dilation"]) > 1 else ""
    return [f"{which}{shown('dw')} = valid cross-correlation of {shown('x')} (padded, · marks padding) with "
            f"{shown('dy')} (zeros inserted for the stride){every}{rotated}. x is not rotated: "
            f"dL/dy ⊗ x rotated 180° is not this identity"]


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
