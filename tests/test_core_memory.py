"""keep_freed_memory: freed large arrays are reused instead of mapped (and faulted in) again."""

import subprocess
import sys

import pytest

PROBE = """
import resource, numpy as np
from cnncalc.core.memory import keep_freed_memory
kept = keep_freed_memory()
def touch():
    a = np.ones(1 << 20)  # 8 MB, every page written
    b = np.ones(1 << 20)
    return float(a[-1] + b[-1])
touch()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    touch()
print(kept, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(env_value: str) -> tuple[str, int]:
    env = {"CNNCALC_KEEP_MEMORY": env_value, "PATH": ""}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env)
    kept, faults = out.stdout.split()
    return kept, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_kept_memory_saves_the_page_faults_of_fresh_arrays():
    kept, faults = _faults("1")
    assert kept == "True"
    off, faults_off = _faults("0")
    assert off == "False"
    pages = 2 * (8 << 20) // 4096
    assert faults_off > pages  # passes map their arrays again (measured: 20,000 faults in 20 passes)
    assert faults < pages // 10  # the first pass's memory serves them all (measured: 0)


def test_keep_freed_memory_is_done_once(monkeypatch):
    from cnncalc.core import memory

    calls = []

    def counting_raise_thresholds() -> bool:
        calls.append(1)
        return True

    monkeypatch.setattr(memory, "_DONE", [])
    monkeypatch.setattr(memory, "_raise_thresholds", counting_raise_thresholds)
    assert memory.keep_freed_memory() is True
    assert memory.keep_freed_memory() is True
    assert len(calls) == 1
