"""Where cnncalc's conv time goes: forward and backward apart, against the GEMM floor, by function.

    .venv/bin/python bench/conv_profile.py [--case mid] [--repeats 5] [--threads 1]
    .venv/bin/python bench/conv_profile.py --quick          # tiny sizes, 1 repeat

Only public calls (cnncalc.core.conv.conv2d_forward / conv2d_backward through ops.py),
so this survives any rewrite of conv.py's insides. For each case of conv_speed.py:
  forward, backward    median time of each alone (interleaved with the GEMM products)
  GEMM floor           the three im2col products (forward, dw, dcols) timed alone: what
                       BLAS must do; "beyond GEMM" is the rest (copies, padding, scatter,
                       layout), the part a faster layout can remove
  by function          cProfile of one forward + backward: the cnncalc functions with the
                       most time of their own (ufuncs such as np.matmul are not calls to
                       cProfile, so their time shows in the function that runs them)
Threads: BLAS limited by --threads (threadpoolctl, else the environment variables set
before NumPy loads). Exit 1 when anything fails.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time


def limit_threads(threads: int) -> str:
    """Before NumPy is imported: the env vars; after, threadpoolctl when present."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return "environment variables"
    limit_threads.keep = threadpool_limits(limits=threads)
    return "threadpoolctl"


def timed(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def parts(p: dict):
    """The five things timed: forward, backward, and the three GEMM products."""
    import numpy as np

    from cnncalc.core.conv import conv2d_backward, conv2d_forward
    from cnncalc.core.geometry import window_geometry

    import ops

    d, g = ops.conv_data(p), ops.conv_gemm_operands(p)
    geom = window_geometry((p["hw"], p["hw"]), (p["k"], p["k"]), stride=p["stride"], padding=p["padding"],
                           dilation=p["dilation"])
    return {"forward": lambda: conv2d_forward(d["x"], d["w"], d["b"], geom, groups=p["groups"]),
            "backward": lambda: conv2d_backward(d["dy"], d["x"], d["w"], geom, groups=p["groups"]),
            "GEMM y": lambda: np.matmul(g["w"], g["cols"]),
            "GEMM dw": lambda: np.matmul(g["dy"], g["cols"].transpose(0, 2, 1)),
            "GEMM dcols": lambda: np.matmul(g["w"].transpose(0, 2, 1), g["dy"])}


def top_functions(run_forward, run_backward, count: int = 6) -> list[tuple[str, float]]:
    profile = cProfile.Profile()
    profile.enable()
    run_forward()
    run_backward()
    profile.disable()
    stats = pstats.Stats(profile).stats
    mine = [(f"{os.path.basename(f)}:{name}", tt) for (f, _, name), (_, _, tt, _, _) in stats.items()
            if "cnncalc" in f]
    return sorted(mine, key=lambda item: -item[1])[:count]


def profile_case(case, quick: bool, repeats: int) -> None:
    p = case.params(quick)
    run = parts(p)
    for f in run.values():
        f()  # warm-up
    samples = {name: [] for name in run}
    for block in range(repeats):  # interleaved, order alternated, so drift hits every part alike
        for name in (list(run) if block % 2 == 0 else list(run)[::-1]):
            samples[name].append(timed(run[name], 3 if not quick else 1))
    med = {name: statistics.median(v) for name, v in samples.items()}
    total, floor = med["forward"] + med["backward"], med["GEMM y"] + med["GEMM dw"] + med["GEMM dcols"]
    print(f"\n== {case.name}: {case.title(quick)}")
    print(f"  forward {med['forward'] * 1e3:9.3f} ms   backward {med['backward'] * 1e3:9.3f} ms   "
          f"total {total * 1e3:9.3f} ms")
    print(f"  GEMM floor {floor * 1e3:9.3f} ms (y {med['GEMM y'] * 1e3:.3f}, dw {med['GEMM dw'] * 1e3:.3f}, "
          f"dcols {med['GEMM dcols'] * 1e3:.3f}); beyond GEMM {max(total - floor, 0) * 1e3:.3f} ms "
          f"= {100 * max(total - floor, 0) / total:.0f}% of cnncalc's time")
    print("  by function (own time of one pass): " + ", ".join(
        f"{name} {tt * 1e3:.2f} ms" for name, tt in top_functions(run["forward"], run["backward"])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="all", help="a conv_speed.py case name, or all")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 repeat")
    args = parser.parse_args()
    how = limit_threads(args.threads)
    import conv_speed

    cases = [c for c in conv_speed.CASES if args.case in ("all", c.name)]
    if not cases:
        print(f"FAILED: no case named {args.case!r}\nRESULT conv_profile: FAILED (1)")
        return 1
    print(f"BLAS threads: {args.threads} (via {how})")
    try:
        for case in cases:
            profile_case(case, args.quick, 1 if args.quick else args.repeats)
    except Exception as error:  # noqa: BLE001  (any failure fails the run, with its reason)
        print(f"FAILED: {type(error).__name__}: {error}\nRESULT conv_profile: FAILED (1)")
        return 1
    print("RESULT conv_profile: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
