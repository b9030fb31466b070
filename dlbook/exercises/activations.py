r"""Exercises of the chapter "Activation functions".

* :func:`check_sigmoid`: the reader writes ``sigmoid(z)``, elementwise
  :math:`\sigma(z) = 1 / (1 + e^{-z})`, which must never overflow: for
  :math:`z < 0` it is computed as :math:`e^{z} / (1 + e^{z})`.

Expected results come from :func:`dlbook.numpy.sigmoid`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, random_shape, run_checks, same_array
from dlbook.numpy.activations import sigmoid

RTOL = 1e-5  # float32 results round at about 1e-7 relative

OVERFLOW_HINT = (
    "np.exp(-z) overflows for z = -1000: compute e = np.exp(-np.abs(z)), which is at most 1, "
    "then use 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0 (np.where picks per entry)"
)


def _same(actual: Any, expected: np.ndarray) -> bool:
    r"""True when ``actual`` has the dtype, shape and values of ``expected`` (NaN where NaN).

    Values below the smallest normal float (``finfo.tiny``) count as equal: they
    are rounding among subnormal numbers, e.g. :math:`\sigma(-100)` in float32.
    """
    return same_array(actual, expected, RTOL, float(np.finfo(expected.dtype).tiny), equal_nan=True)


def _raising_on_overflow(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with NumPy raising ``FloatingPointError`` on overflow, division by zero and invalid operations.

    A sigmoid that overflows in ``exp`` still returns the right 0, with only a
    warning; under this wrapper it fails its case and the reader sees the hint.
    Underflow (``exp(-1000)`` rounding to 0) is harmless and stays allowed.
    """

    def strict(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return fn(*args, **kwargs)

    return strict


def _sigmoid_case(description: str, z: np.ndarray, hint: str) -> Case:
    return Case(description, (z,), sigmoid(z), hint)


def sigmoid_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random arrays."""
    cases = [
        _sigmoid_case("z = [-2, 0, 2]", np.array([-2.0, 0.0, 2.0]),
                      "sigma(z) = 1 / (1 + exp(-z)); sigma(0) = 0.5 and sigma(-z) = 1 - sigma(z)"),
        _sigmoid_case("z = [-1000, 1000]: the answer is exactly [0, 1]", np.array([-1000.0, 1000.0]),
                      OVERFLOW_HINT),
        _sigmoid_case("z = [-40, -20]: tiny but positive answers", np.array([-40.0, -20.0]),
                      "for negative z use exp(z) / (1 + exp(z)); 1 - sigma(-z) cancels to 1 - 1 = 0"),
        _sigmoid_case("a 2 x 3 batch", np.array([[-3.0, -0.5, 0.0], [0.5, 3.0, 800.0]]),
                      "work entry by entry and keep the shape (2, 3); do not sum or flatten"),
        _sigmoid_case("a single number as a 0-D array", np.array(0.7),
                      "a 0-D array in, a 0-D array out: use np.where, not Python if/else on the array"),
        _sigmoid_case("float32 input", np.array([-1000.0, -3.0, 0.25, 1000.0], dtype=np.float32),
                      "keep the dtype: float32 in, float32 out (no float64 constants or np.array(..., dtype=float))"),
        _sigmoid_case("NaN passes through", np.array([np.nan, 1.0]),
                      "NaN in, NaN out, like every NumPy function: do not replace or drop it"),
        _sigmoid_case("an empty array", np.zeros((0, 3)),
                      "an empty array gives an empty array of the same shape"),
    ]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        shape = random_shape(rng)
        z = rng.normal(scale=20.0, size=shape)
        cases.append(_sigmoid_case(f"random z {k + 1}, shape {shape}", z,
                                   "the same formula entry by entry, stable for either sign of z"))
    return cases


def check_sigmoid(fn: Callable[[np.ndarray], Any]) -> CheckResult:
    r"""Check the reader's ``fn(z)``: :math:`\sigma(z)` elementwise, without overflow, dtype and shape kept."""
    return run_checks("check_sigmoid", _raising_on_overflow(fn), sigmoid_cases(), matches=_same)
