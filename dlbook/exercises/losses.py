r"""Exercises of the chapter "Loss functions, softmax and cross-entropy".

* :func:`check_softmax`: the reader writes ``softmax(z)`` over the last axis,
  :math:`e^{z_i - m} / \sum_j e^{z_j - m}` with :math:`m = \max_j z_j`.
* :func:`check_cross_entropy`: the reader writes ``cross_entropy(logits, target)``,
  the mean of :math:`\log \sum_j e^{z_j} - z_t` over a batch of logits ``(N, C)``
  and class indices ``(N,)``.

Expected results come from :func:`dlbook.numpy.softmax` and
:func:`dlbook.numpy.cross_entropy`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, random_shape, run_checks, same_array
from dlbook.numpy.losses import cross_entropy
from dlbook.numpy.softmax import softmax

RTOL, ATOL = 1e-5, 1e-9  # float32 results round at about 1e-7 relative


def _same(actual: Any, expected: np.ndarray) -> bool:
    """True when ``actual`` has the dtype (float32 or float64), shape and values of ``expected``."""
    return same_array(actual, expected, RTOL, ATOL)


def _softmax_case(description: str, z: np.ndarray, hint: str) -> Case:
    return Case(description, (z,), softmax(z), hint)


def softmax_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random batches."""
    cases = [
        _softmax_case("three logits [1, 2, 3]", np.array([1.0, 2.0, 3.0]),
                      "exponentiate every logit, then divide by the sum of the exponentials"),
        _softmax_case("equal logits [5, 5, 5, 5]", np.full(4, 5.0),
                      "equal logits share the probability equally: each gets 1/4"),
        _softmax_case("a batch of 2 rows of 3 logits", np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 10.0]]),
                      "normalise each row on its own: sum over the last axis (axis=-1, keepdims=True), "
                      "not over the whole array or axis 0"),
        _softmax_case("large logits [1000, 1001, 1002]", np.array([1000.0, 1001.0, 1002.0]),
                      "exp(1000) overflows to inf and inf / inf is NaN: subtract the maximum before exp "
                      "(softmax(z) = softmax(z - max z))"),
        _softmax_case("very negative logits [-1000, -1001, -1002]", np.array([-1000.0, -1001.0, -1002.0]),
                      "exp(-1000) underflows to 0 and 0 / 0 is NaN: subtract the maximum before exp"),
        _softmax_case("a batch with huge logits in one row", np.array([[1e4, 0.0, -1e4], [1.0, 2.0, 3.0]]),
                      "subtract each row's own maximum: z.max(axis=-1, keepdims=True)"),
        _softmax_case("float32 logits", np.array([[0.5, -1.5, 2.0]], dtype=np.float32),
                      "keep the dtype: float32 in, float32 out (do not build float64 arrays)"),
    ]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        shape = random_shape(rng)
        z = rng.normal(scale=5.0, size=shape)
        cases.append(_softmax_case(f"random logits {k + 1}, shape {shape}", z,
                                   "softmax over the last axis, for any number of leading (batch) axes"))
    return cases


def check_softmax(fn: Callable[[np.ndarray], Any]) -> CheckResult:
    r"""Check the reader's ``fn(z)``: the softmax of ``z`` over its last axis, stable for huge logits."""
    return run_checks("check_softmax", fn, softmax_cases(), matches=_same)


def _cross_entropy_case(description: str, logits: np.ndarray, target: np.ndarray, hint: str) -> Case:
    return Case(description, (logits, target), cross_entropy(logits, target), hint)


def cross_entropy_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random batches."""
    cases = [
        _cross_entropy_case("one example, logits log([0.3, 0.4, 0.3]), true class 1",
                            np.log([[0.3, 0.4, 0.3]]), np.array([1]),
                            "the loss is -log of the true class's probability: positive, -log 0.4 = 0.916 here"),
        _cross_entropy_case("one example, logits [2, 1, 0.1], true class 0", np.array([[2.0, 1.0, 0.1]]),
                            np.array([0]),
                            "turn logits into probabilities with softmax first (or use log-sum-exp); "
                            "pick the entry of the true class, target[i], not a fixed column"),
        _cross_entropy_case("a batch of 3 examples", np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0], [1.0, 1.0, 1.0]]),
                            np.array([0, 1, 2]),
                            "average the per-example losses over the batch (mean, not sum); "
                            "pick each row's own true class: log_probs[np.arange(n), target]"),
        _cross_entropy_case("huge logits [[1e4, 0, -1e4]], true class 1", np.array([[1e4, 0.0, -1e4]]),
                            np.array([1]),
                            "exp(1e4) overflows and log(softmax) of a tiny probability is log 0 = -inf: use "
                            "log-softmax z - m - log(sum(exp(z - m))) with m the row's maximum"),
        _cross_entropy_case("a very wrong confident guess [[0, 800]], true class 0", np.array([[0.0, 800.0]]),
                            np.array([0]),
                            "the loss is 800 here, finite: never take the log of a probability that may "
                            "underflow to 0; compute log-softmax directly"),
        _cross_entropy_case("float32 logits", np.array([[0.5, -1.5, 2.0], [1.0, 0.0, 0.0]], dtype=np.float32),
                            np.array([2, 0]),
                            "keep the dtype: float32 logits give a float32 loss"),
    ]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        n, classes = (int(v) for v in rng.integers(1, 7, size=2))
        logits = rng.normal(scale=4.0, size=(n, classes))
        target = rng.integers(0, classes, size=n)
        cases.append(_cross_entropy_case(f"random batch {k + 1}: {n} examples, {classes} classes", logits, target,
                                         "mean over the batch of log(sum(exp(z))) - z[target], computed stably"))
    return cases


def check_cross_entropy(fn: Callable[[np.ndarray, np.ndarray], Any]) -> CheckResult:
    r"""Check the reader's ``fn(logits, target)``: mean cross-entropy from logits ``(N, C)`` and indices ``(N,)``."""
    return run_checks("check_cross_entropy", fn, cross_entropy_cases(), matches=_same)
