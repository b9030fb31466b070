r"""Exercises of the chapter "The perceptron".

* :func:`check_weighted_sum`: the reader writes ``weighted_sum(x, w, b)``,
  :math:`z = x \cdot w + b = \sum_j x_j w_j + b`, for one example ``x`` of shape
  ``(d,)`` (a scalar result) or a batch of shape ``(n, d)`` (shape ``(n,)``).
* :func:`check_perceptron`: the reader writes ``perceptron(x, w, b, activation)``,
  :math:`\hat y = f(x \cdot w + b)` with :math:`f` the ``"sigmoid"``
  :math:`1 / (1 + e^{-z})` (stable for any :math:`z`) or the ``"step"``
  (1 where :math:`z > 0`, else 0).

Expected results come from :func:`dlbook.numpy.weighted_sum` and
:func:`dlbook.numpy.perceptron`. Float32 inputs must give float32 results, as
the book's functions do.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks, same_array
from dlbook.numpy.perceptron import perceptron, weighted_sum

RTOL, ATOL = 1e-5, 1e-12  # float32 results round at about 1e-7 relative

ONE_SUM_HINT = "multiply each input by its weight, add up the products, then add the bias b once"
BATCH_HINT = "for a batch X of shape (n, d), X @ w gives one weighted sum per row: shape (n,)"
FLOAT32_HINT = "keep the dtype: float32 inputs give a float32 result (do not convert to float64)"
SIGMOID_HINT = "y_hat = sigmoid(z) = 1 / (1 + exp(-z)) with z = x @ w + b"
STEP_HINT = "the step activation is 1 where z > 0 and 0 elsewhere"


def _same(actual: Any, expected: np.ndarray) -> bool:
    """True when ``actual`` has the shape and values of ``expected``, and is float32 where ``expected`` is."""
    return same_array(actual, expected, RTOL, ATOL, exact_dtype=expected.dtype == np.float32)


def _sum_case(description: str, x: Any, w: Any, b: float, hint: str) -> Case:
    return Case(description, (x, w, b), weighted_sum(x, w, b), hint)


def weighted_sum_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random batches."""
    cases = [
        _sum_case("one example: x = [2, 3, -1], w = [0.4, -0.2, 0.1], b = 0.5",
                  np.array([2.0, 3.0, -1.0]), np.array([0.4, -0.2, 0.1]), 0.5, ONE_SUM_HINT),
        _sum_case("zero weights: x = [1, 2], w = [0, 0], b = -1.5",
                  np.array([1.0, 2.0]), np.zeros(2), -1.5, "with zero weights the weighted sum is just the bias b"),
        _sum_case("a batch of 4 examples, shape (4, 3)",
                  np.array([[2.0, 3.0, -1.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 2.0], [0.5, 0.5, 0.5]]),
                  np.array([0.4, -0.2, 0.1]), 0.5, BATCH_HINT),
        _sum_case("a batch of one example, shape (1, 2)", np.array([[2.0, 3.0]]), np.array([0.4, -0.2]), 0.5,
                  "a batch of one is still a batch: return shape (1,), not a single number (no squeeze)"),
        _sum_case("one input (d = 1): x = [3], w = [2], b = 1", np.array([3.0]), np.array([2.0]), 1.0,
                  "d = 1 is an ordinary case: the sum has a single term, x[0] * w[0] + b"),
        _sum_case("float32 batch, shape (3, 2)", np.array([[1.5, -2.0], [0.25, 4.0], [3.0, 3.0]], dtype=np.float32),
                  np.array([0.5, -0.25], dtype=np.float32), 0.1, FLOAT32_HINT),
        _sum_case("plain Python lists: x = [[1, 2], [3, 4]], w = [0.5, -1]", [[1.0, 2.0], [3.0, 4.0]], [0.5, -1.0],
                  2.0, "x and w may be Python lists: convert them with np.asarray before computing"),
    ]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        n, d = (int(v) for v in rng.integers(1, 7, size=2))
        x, w, b = rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal())
        cases.append(_sum_case(f"random batch {k + 1}, shape ({n}, {d})", x, w, b, BATCH_HINT))
    return cases


def check_weighted_sum(fn: Callable[[Any, Any, float], Any], seed: int = 0) -> CheckResult:
    r"""Check the reader's ``weighted_sum(x, w, b)``: :math:`z = x \cdot w + b`, one example or a batch."""
    return run_checks("check_weighted_sum", fn, weighted_sum_cases(seed), matches=_same)


def _perceptron_case(description: str, x: Any, w: Any, b: float, activation: str, hint: str) -> Case:
    return Case(description, (x, w, b), perceptron(x, w, b, activation), hint, kwargs={"activation": activation})


def perceptron_cases(seed: int = 0, n_random: int = 4) -> list[Case]:
    """Prepared cases (sigmoid, step, the step at z = 0, batches, huge z, float32), then seeded random ones."""
    cases = [
        _perceptron_case("sigmoid, the chapter's example: x = [2, 3], w = [0.4, -0.2], b = 0.5",
                         np.array([2.0, 3.0]), np.array([0.4, -0.2]), 0.5, "sigmoid", SIGMOID_HINT),
        _perceptron_case("step, z = 0.7 > 0: x = [2, 3], w = [0.4, -0.2], b = 0.5",
                         np.array([2.0, 3.0]), np.array([0.4, -0.2]), 0.5, "step",
                         "use the activation the argument names: " + STEP_HINT),
        _perceptron_case("step at exactly z = 0: x = [1, 1], w = [1, -1], b = 0",
                         np.array([1.0, 1.0]), np.array([1.0, -1.0]), 0.0, "step",
                         "step(0) = 0: the perceptron fires only when z is strictly greater than 0"),
        _perceptron_case("step on a batch of 5, shape (5, 2)",
                         np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, 0.5], [2.0, -3.0], [0.0, 0.0]]),
                         np.array([1.0, 2.0]), -0.5, "step",
                         "apply the activation to every weighted sum: a batch gives shape (n,) of 0s and 1s"),
        _perceptron_case("sigmoid on a batch of 3, shape (3, 3)",
                         np.array([[2.0, 3.0, -1.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 2.0]]),
                         np.array([0.4, -0.2, 0.1]), 0.5, "sigmoid", BATCH_HINT),
        _perceptron_case("sigmoid at z = -1000 and z = +1000", np.array([[-1000.0], [1000.0]]), np.array([1.0]), 0.0,
                         "sigmoid",
                         "never compute exp of a large positive number (exp(1000) is inf, and inf / inf is NaN): "
                         "use 1 / (1 + exp(-z)) for z >= 0 and exp(z) / (1 + exp(z)) for z < 0"),
        _perceptron_case("sigmoid on a float32 batch, shape (2, 2)",
                         np.array([[1.5, -2.0], [0.25, 4.0]], dtype=np.float32),
                         np.array([0.5, -0.25], dtype=np.float32), 0.1, "sigmoid", FLOAT32_HINT),
    ]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        n, d = (int(v) for v in rng.integers(1, 7, size=2))
        x, w, b = rng.normal(scale=3.0, size=(n, d)), rng.normal(size=d), float(rng.normal())
        activation = ("sigmoid", "step")[k % 2]
        hint = SIGMOID_HINT if activation == "sigmoid" else STEP_HINT
        cases.append(_perceptron_case(f"random batch {k + 1}, shape ({n}, {d}), {activation}",
                                      x, w, b, activation, hint))
    return cases


def check_perceptron(fn: Callable[..., Any], seed: int = 0) -> CheckResult:
    r"""Check the reader's ``perceptron(x, w, b, activation)``: :math:`f(x \cdot w + b)`, sigmoid or step."""
    return run_checks("check_perceptron", fn, perceptron_cases(seed), matches=_same)
