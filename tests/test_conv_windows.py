"""The windows and rows methods split into many chunks over threads, against the loop reference;
the chunking and thread-count rules; exact results for integer inputs on every method."""

import numpy as np
import pytest

import reference_conv as ref
from cnncalc.core import conv_rows, conv_windows, parallel
from cnncalc.core.conv import choose_method, conv2d_backward, conv2d_forward
from cnncalc.core.geometry import window_geometry

TOL = dict(rtol=1e-12, atol=1e-12)
CASES = [  # (n, c, o, hw, k, stride, padding, dilation, groups, mode)
    (5, 3, 4, (7, 6), (3, 3), 1, 1, 1, 1, "correlation"),
    (4, 4, 6, (9, 9), (3, 2), 2, [[2, 0], [1, 1]], 1, 2, "convolution"),
    (3, 4, 4, (8, 7), (3, 3), [1, 2], 2, 2, 4, "correlation"),
    (6, 1, 3, (5, 5), (5, 5), 1, "full", 1, 1, "convolution"),
    (2, 2, 2, (6, 6), (2, 2), 3, 0, [2, 1], 1, "correlation"),  # windows skip input rows
    (4, 3, 3, (6, 7), (3, 2), 1, [[0, 2], [1, 0]], [2, 3], 3, "convolution"),  # depthwise, dilated
    (3, 2, 6, (5, 5), (2, 2), 1, "same", 1, 2, "correlation"),  # 3 filters per group
    (2, 4, 2, (5, 6), (3, 3), 1, 1, 1, 2, "correlation"),  # one filter per group of 2 channels
    # one filter per group with padding beyond the kernel's reach d·(k − 1) on some sides:
    # dx's correlation of dy cuts dy's outer rows or columns instead of framing them
    (2, 3, 3, (4, 5), (2, 3), 1, [[3, 0], [1, 4]], 1, 3, "correlation"),
    (3, 4, 2, (5, 4), (3, 2), 1, [[5, 2], [0, 3]], [2, 1], 2, "convolution"),
]


@pytest.fixture(params=[1, 2, 3], ids=lambda t: f"{t}threads")
def many_chunks(request, monkeypatch):
    """Every image its own chunk (and chunks of several), on 1 to 3 threads."""
    monkeypatch.setenv("CNNCALC_THREADS", str(request.param))
    monkeypatch.setattr(conv_windows, "CHUNK_ENTRIES", 100)
    monkeypatch.setattr(conv_rows, "CHUNK_ENTRIES", 100)
    return request.param


@pytest.mark.parametrize("method", ["windows", "rows"])
@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_chunked_threaded_windows_match_the_loop_reference(case, method, many_chunks):
    n, c, o, hw, k, stride, padding, dilation, groups, mode = case
    rng = np.random.default_rng(len(hw) + n * 7 + c)
    x, w, b = rng.uniform(-2, 2, (n, c) + hw), rng.uniform(-2, 2, (o, c // groups) + k), rng.uniform(-1, 1, o)
    geom = window_geometry(hw, k, stride, padding, dilation, mode=mode)
    y = conv2d_forward(x, w, b, geom, groups, mode, method=method)
    args = dict(stride=geom.stride, padding=geom.padding, dilation=geom.dilation, groups=groups, mode=mode)
    np.testing.assert_allclose(y, ref.conv2d(x, w, b, **args), **TOL)
    dy = rng.uniform(-2, 2, y.shape)
    got = conv2d_backward(dy, x, w, geom, groups, mode, method=method)
    dx, dw, db = ref.conv2d_grads(dy, x, w, b, **args)
    for name, mine, theirs in (("dx", got.dx, dx), ("dw", got.dw, dw), ("db", got.db, db)):
        np.testing.assert_allclose(mine, theirs, **TOL, err_msg=name)


def test_integer_inputs_give_exact_integers_on_every_method(monkeypatch):
    monkeypatch.setenv("CNNCALC_THREADS", "2")
    monkeypatch.setattr(conv_windows, "CHUNK_ENTRIES", 50)
    monkeypatch.setattr(conv_rows, "CHUNK_ENTRIES", 50)
    rng = np.random.default_rng(3)
    x, w = rng.integers(-9, 10, (4, 2, 6, 6)).astype(float), rng.integers(-9, 10, (3, 2, 3, 3)).astype(float)
    b = np.array([1.0, -2.0, 3.0])
    geom = window_geometry((6, 6), (3, 3), 1, 1, 1)
    dy = rng.integers(-9, 10, (4, 3, 6, 6)).astype(float)
    args = dict(stride=geom.stride, padding=geom.padding, dilation=geom.dilation, groups=1, mode="correlation")
    dx, dw, _ = ref.conv2d_grads(dy, x, w, b, **args)
    for method in ("im2col", "windows", "rows", "offsets"):
        assert np.array_equal(conv2d_forward(x, w, b, geom, method=method), ref.conv2d(x, w, b, **args))
        got = conv2d_backward(dy, x, w, geom, method=method)
        assert np.array_equal(got.dx, dx) and np.array_equal(got.dw, dw), method


def test_batch_chunks_cover_the_batch_once_with_a_chunk_per_thread():
    assert parallel.batch_chunks(8, 10, 2, 1000) == [(0, 4), (4, 8)]
    assert parallel.batch_chunks(1, 10, 2, 1000) == [(0, 1)]
    assert parallel.batch_chunks(7, 100, 1, 250) == [(0, 2), (2, 5), (5, 7)]  # 700 entries: 3 chunks
    for n, per, threads, target in [(13, 7, 3, 20), (64, 7056, 2, 1 << 18), (5, 1, 8, 1)]:
        chunks = parallel.batch_chunks(n, per, threads, target)
        assert [i for lo, hi in chunks for i in range(lo, hi)] == list(range(n))
        assert len(chunks) >= min(n, threads)


@pytest.mark.parametrize("env, expected", [
    ({"CNNCALC_THREADS": "3", "OMP_NUM_THREADS": "1"}, 3),
    ({"OMP_NUM_THREADS": "4", "OPENBLAS_NUM_THREADS": "2"}, 2),
    ({"MKL_NUM_THREADS": "1"}, 1),
    ({"OMP_NUM_THREADS": "zero"}, None),
])
def test_thread_count_follows_the_blas_settings(monkeypatch, env, expected):
    for var in ("CNNCALC_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    got = parallel.thread_count()
    assert got == expected if expected is not None else got >= 1


def test_windows_memory_rule_falls_back_to_offsets_for_one_huge_image():
    geom = window_geometry((300, 300), (5, 5), 1, 2, 1)
    assert choose_method((1, 32, 300, 300), (4, 32, 5, 5), geom) == "offsets"
    assert choose_method((16, 32, 30, 30), (32, 32, 5, 5), window_geometry((30, 30), (5, 5))) in ("windows", "rows")


def test_threads_run_with_one_blas_thread_each_when_threadpoolctl_is_installed(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    monkeypatch.setenv("CNNCALC_THREADS", "2")

    def blas_threads(lo, hi):
        return [lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads(0, 0)
    inside = parallel.run_chunks(blas_threads, [(0, 1), (1, 2)], 2)
    assert all(counts == [1] * len(before) for counts in inside)
    assert blas_threads(0, 0) == before


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_gets_its_own_threads():
    import multiprocessing

    parallel.run_chunks(lambda lo, hi: lo, [(0, 1), (1, 2)], 2)  # the parent's pool exists
    with multiprocessing.get_context("fork").Pool(1) as children:
        assert children.apply(parallel.run_chunks, (max, [(0, 1), (1, 2)], 2)) == [1, 2]
