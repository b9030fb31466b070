"""Timing helpers shared by the benchmarks: repeats after warm-ups, and their minimum, median and percentiles.

Every figure is a set of repeated wall-clock samples (``time.perf_counter``).
The minimum estimates the cost on an idle machine (noise only ever adds time);
the median shows what a typical repeat costs; a percentile such as p95 bounds
the slow tail that a reader notices while dragging a slider.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Sequence


def percentile(samples: Sequence[float], q: float) -> float:
    r"""The ``q``-th percentile of ``samples`` with linear interpolation (NumPy's default method).

    For sorted samples :math:`s_0 \le \dots \le s_{n-1}` and :math:`h = (n - 1)\, q / 100`,
    the result is :math:`s_{\lfloor h \rfloor} + (h - \lfloor h \rfloor)(s_{\lfloor h \rfloor + 1} - s_{\lfloor h \rfloor})`.
    """
    if not samples:
        raise ValueError("samples is empty; a percentile needs at least one sample")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be between 0 and 100, got {q}")
    s = sorted(samples)
    h = (len(s) - 1) * q / 100
    low = math.floor(h)
    high = min(low + 1, len(s) - 1)
    return s[low] + (h - low) * (s[high] - s[low])


@dataclass(frozen=True)
class Stats:
    """Repeated samples of one duration, in seconds."""

    samples: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.samples:
            raise ValueError("Stats needs at least one sample")

    @property
    def min(self) -> float:
        """The fastest repeat."""
        return min(self.samples)

    @property
    def median(self) -> float:
        """The middle repeat (p50)."""
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """The 95th percentile: 95 % of the repeats took at most this long."""
        return percentile(self.samples, 95)

    def to_dict(self) -> dict[str, float | int]:
        """The summary as plain numbers (for JSON): ``n``, ``min``, ``median``, ``p95`` in seconds."""
        return {"n": len(self.samples), "min": self.min, "median": self.median, "p95": self.p95}


def time_call(fn: Callable[[], object]) -> float:
    """Seconds that one call of ``fn()`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def repeat(fn: Callable[[], object], repeats: int, warmup: int = 1) -> Stats:
    """Call ``fn`` ``warmup`` times untimed, then time ``repeats`` calls one by one."""
    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got repeats={repeats}, warmup={warmup}")
    for _ in range(warmup):
        fn()
    return Stats(tuple(time_call(fn) for _ in range(repeats)))


def calls_per_sample(fn: Callable[[], object], target_s: float) -> int:
    """How many back-to-back calls of ``fn`` last about ``target_s`` (at least one), judged from one call."""
    return max(1, math.ceil(target_s / max(time_call(fn), 1e-9)))


def interleaved(fns: Sequence[Callable[[], object]], repeats: int, warmup: int = 3,
                target_s: float = 0.002) -> list[Stats]:
    """Per-call times of several functions, their repeats interleaved so that machine noise hits all alike.

    After ``warmup`` untimed calls of each, every repeat times a batch of
    back-to-back calls of each function in turn (batches of about ``target_s``
    seconds, so that sub-millisecond calls are not lost in timer noise) and
    records the batch time divided by its number of calls.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got repeats={repeats}, warmup={warmup}")
    for fn in fns:
        for _ in range(warmup):
            fn()
    numbers = [calls_per_sample(fn, target_s) for fn in fns]
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, number, out in zip(fns, numbers, samples):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            out.append((time.perf_counter() - start) / number)
    return [Stats(tuple(s)) for s in samples]


def run_timed(command: Sequence[str], cwd: str, interval_s: float = 0.25) -> tuple[float, float, int, str]:
    """Run ``command`` in ``cwd``: its wall seconds, the CPU seconds of it and every process it started, its exit
    status and its output (stdout, then stderr).

    CPU is sampled every ``interval_s`` seconds from each process of the tree
    (user and system time, as the kernel counts it), a process at its last
    sample, so up to ``interval_s`` of each is missed; the operating system's
    count of finished children misses the processes whose parent never waits
    for them (browsers, kernels do not). The larger of the two is returned.
    """
    import resource
    import subprocess
    import tempfile

    import psutil

    def reaped() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    last: dict[tuple[int, float], float] = {}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start, before = time.perf_counter(), reaped()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True)
        root = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                tree = []
            for member in tree:
                try:
                    times = member.cpu_times()
                    last[(member.pid, member.create_time())] = times.user + times.system
                except psutil.Error:
                    pass
            time.sleep(interval_s)
        elapsed, cpu = time.perf_counter() - start, max(sum(last.values()), reaped() - before)
        out.seek(0)
        err.seek(0)
        return elapsed, cpu, process.returncode, out.read() + err.read()


def losses_agree(steps: Sequence[Callable[[], float]], dtype: str, what: object, count: int = 3) -> float:
    """Take ``count`` steps with both functions of ``steps`` (NumPy, PyTorch); return the largest relative
    difference of their losses.

    Raises ``RuntimeError`` naming ``what`` when they differ by more than the
    dtype allows (``1e-4`` relative in float32, ``1e-9`` in float64): then the
    two would not be timing the same computation.
    """
    first, second = steps
    worst = 0.0
    for _ in range(count):
        a, b = first(), second()
        worst = max(worst, abs(a - b) / max(abs(b), 1e-12))
    tolerance = 1e-4 if dtype == "float32" else 1e-9
    if worst > tolerance:
        raise RuntimeError(f"NumPy and PyTorch steps disagree for {what}: relative loss difference {worst:.2e}")
    return worst
