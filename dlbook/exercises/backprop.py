r"""Exercises of the chapter "Backpropagation".

* :func:`check_linear_backward`: the reader writes the backward pass of a
  linear layer :math:`Y = X W + b`. Given the upstream gradient
  :math:`G = \partial \ell / \partial Y`, it returns

  .. math::

      \frac{\partial \ell}{\partial X} = G W^\top, \qquad
      \frac{\partial \ell}{\partial W} = X^\top G, \qquad
      \frac{\partial \ell}{\partial b} = \sum_i G_{i,:}.

The checker works as the book checks its own gradients: the expected
gradients are central finite differences (:func:`dlbook.gradcheck.numerical_gradient`)
of :math:`\ell = \sum_{ij} G_{ij} Y_{ij}`, whose gradient with respect to
:math:`Y` is exactly :math:`G`, and an answer passes when its
:func:`~dlbook.gradcheck.relative_error` is below the tolerance.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks
from dlbook.gradcheck import ATOL, TOLERANCE, numerical_gradient, relative_error

FLOAT32_TOLERANCE = 1e-5
"""float32 rounds at about 1e-7 relative, so a float32 answer gets a looser tolerance."""

GRAD_NAMES = ("grad_X", "grad_W", "grad_b")


def numerical_linear_grads(X: np.ndarray, W: np.ndarray, b: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, ...]:
    r"""``(dX, dW, db)`` of :math:`\ell = \sum G \odot (X W + b)` by central differences, in the dtype of ``X``.

    :math:`\ell` is linear in each argument, so a central difference has no
    truncation error for any step; the step :math:`\varepsilon = 1` keeps the
    rounding error (about :math:`|\ell| \cdot 10^{-16} / \varepsilon`) negligible
    even for entries of size :math:`10^3`.
    """

    def loss(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
        return float(np.sum(G * (X @ W + b)))

    X64, W64, b64 = (a.astype(np.float64) for a in (X, W, b))
    grads = (
        numerical_gradient(lambda v: loss(v, W64, b64), X64, eps=1.0),
        numerical_gradient(lambda v: loss(X64, v, b64), W64, eps=1.0),
        numerical_gradient(lambda v: loss(X64, W64, v), b64, eps=1.0),
    )
    return tuple(g.astype(X.dtype) for g in grads)


def _same_gradients(actual: Any, expected: tuple[np.ndarray, ...]) -> bool:
    """True when ``actual`` is three finite arrays with the dtypes and shapes of ``expected``, each within tolerance.

    Within tolerance means a :func:`~dlbook.gradcheck.relative_error` below
    it, with gradcheck's absolute tolerance :data:`~dlbook.gradcheck.ATOL`;
    NaN or an infinity anywhere never passes.
    """
    if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
        return False
    for got, want in zip(actual, expected):
        got = np.asarray(got)
        if got.shape != want.shape or got.dtype != want.dtype or not np.isfinite(got).all():
            return False
        tolerance = FLOAT32_TOLERANCE if want.dtype == np.float32 else TOLERANCE
        if not relative_error(got, want, atol=ATOL, rtol=tolerance) < tolerance:
            return False
    return True


def _case(description: str, X: np.ndarray, W: np.ndarray, b: np.ndarray, G: np.ndarray, hint: str) -> Case:
    return Case(description, (X, W, b, G), numerical_linear_grads(X, W, b, G), hint)


def linear_backward_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then ``n_random`` seeded random layers."""
    rng = np.random.default_rng(seed)
    shapes = (
        "return (grad_X, grad_W, grad_b), each with the shape of X, W and b: "
        "grad_X = G @ W.T, grad_W = X.T @ G, grad_b = G.sum(axis=0)"
    )
    cases = [
        _case("one example, 2 inputs, 1 output, G = [[1]]",
              np.array([[2.0, -1.0]]), np.array([[0.5], [-0.3]]), np.array([0.1]), np.ones((1, 1)), shapes),
        _case("one example, 3 inputs, 2 outputs, G = [[1, 1]]", rng.normal(size=(1, 3)), rng.normal(size=(3, 2)),
              rng.normal(size=2), np.ones((1, 2)),
              "each gradient has the shape of its variable: grad_W like W (inputs, outputs) is X.T @ G; "
              "grad_b like b (outputs,) sums G over the batch axis, G.sum(axis=0)"),
        _case("one example, G = [[1, -2]] is not all ones", rng.normal(size=(1, 3)), rng.normal(size=(3, 2)),
              rng.normal(size=2), np.array([[1.0, -2.0]]),
              "multiply by the upstream gradient G (chain rule); do not assume dl/dY = 1"),
        _case("a batch of 4 examples", rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2),
              rng.normal(size=(4, 2)),
              "b is added to every row of the batch, so its gradient adds up G over all rows: G.sum(axis=0)"),
        _case("a square W (3 inputs, 3 outputs)", rng.normal(size=(5, 3)), rng.normal(size=(3, 3)),
              rng.normal(size=3), rng.normal(size=(5, 3)),
              "with a square W a missing transpose keeps the shape but not the values: "
              "grad_X = G @ W.T and grad_W = X.T @ G"),
        _case("large values (about 1e3)", 1e3 * rng.normal(size=(4, 3)), 1e3 * rng.normal(size=(3, 2)),
              1e3 * rng.normal(size=2), 1e3 * rng.normal(size=(4, 2)),
              "the formulas have no special cases: G @ W.T, X.T @ G and G.sum(axis=0) hold at any scale"),
        _case("float32 inputs", rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(3, 2)).astype(np.float32),
              rng.normal(size=2).astype(np.float32), rng.normal(size=(4, 2)).astype(np.float32),
              "keep the dtype: float32 in, float32 out (do not build float64 arrays)"),
    ]
    for k in range(n_random):
        n, d, m = (int(v) for v in rng.integers(1, 7, size=3))
        cases.append(_case(f"random layer {k + 1}: batch {n}, {d} inputs, {m} outputs", rng.normal(size=(n, d)),
                           rng.normal(size=(d, m)), rng.normal(size=m), rng.normal(size=(n, m)), shapes))
    return cases


def check_linear_backward(fn: Callable[..., Any]) -> CheckResult:
    r"""Check the reader's ``fn(X, W, b, G) -> (grad_X, grad_W, grad_b)``, the backward pass of :math:`Y = XW + b`.

    ``X`` is ``(n, d)``, ``W`` is ``(d, m)``, ``b`` is ``(m,)`` and
    ``G = dl/dY`` is ``(n, m)``. Each returned gradient must have the shape
    and dtype of its variable and agree with central finite differences to a
    relative error below :math:`10^{-6}` (:math:`10^{-5}` in float32).
    """
    return run_checks("check_linear_backward", fn, linear_backward_cases(), matches=_same_gradients)
