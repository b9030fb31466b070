"""The exercise checker of the chapter "Backpropagation": it passes the book's reference solution and
fails typical slips with the hint that points at them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from dlbook.exercises import check_linear_backward
from dlbook.exercises.backprop import linear_backward_cases
from dlbook.gradcheck import relative_error
from tests.notebook_solutions import load_solutions

NOTEBOOK = Path(__file__).resolve().parents[1] / "chapters" / "05_backpropagation.ipynb"


def test_the_reference_solution_from_the_notebook_passes() -> None:
    solution = load_solutions(NOTEBOOK)["solution_linear_backward"]
    result = check_linear_backward(solution)
    assert result.passed is True, result.message
    assert "all 10 cases passed" in result.message


def test_expected_gradients_agree_with_torch_autograd() -> None:
    """The checker's finite-difference answers against an independent oracle."""
    for case in linear_backward_cases():
        X, W, b, G = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in case.args)
        (X @ W + b).backward(G.detach())
        for want, got in zip((X.grad, W.grad, b.grad), case.expected):
            assert got.dtype == case.args[0].dtype
            tolerance = 1e-6 if got.dtype == np.float32 else 1e-8  # float32 rounds at about 1e-7
            assert relative_error(got, want.numpy()) < tolerance, case.description


def _right(X, W, b, G):
    return G @ W.T, X.T @ G, G.sum(axis=0)


SLIPS = {
    "bias summed over the wrong axis": (
        lambda X, W, b, G: (G @ W.T, X.T @ G, G.sum(axis=1)), "sums G over the batch axis, G.sum(axis=0)"),
    "bias gradient from the first row only": (
        lambda X, W, b, G: (G @ W.T, X.T @ G, G[0]), "adds up G over all rows"),
    "upstream gradient ignored": (
        lambda X, W, b, G: _right(X, W, b, np.ones_like(G)), "multiply by the upstream gradient G"),
    "missing transpose of W, caught when W is square": (
        lambda X, W, b, G: (G @ W if W.shape[0] == W.shape[1] else G @ W.T, X.T @ G, G.sum(axis=0)),
        "a missing transpose keeps the shape but not the values"),
    "missing transpose of W, raising": (
        lambda X, W, b, G: (G @ W, X.T @ G, G.sum(axis=0)), "grad_X = G @ W.T"),
    "gradient with a flipped sign": (
        lambda X, W, b, G: tuple(-g for g in _right(X, W, b, G)), "grad_X = G @ W.T, grad_W = X.T @ G"),
    "float32 turned into float64": (
        lambda X, W, b, G: tuple(g.astype(np.float64) for g in _right(X, W, b, G)), "float32 in, float32 out"),
    "only two gradients returned": (
        lambda X, W, b, G: _right(X, W, b, G)[:2], "return (grad_X, grad_W, grad_b)"),
    "a wrong entry at large scale": (
        lambda X, W, b, G: (G @ W.T, X.T @ G, G.sum(axis=0) + (np.abs(X).max() > 100)),
        "hold at any scale"),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_slips_fail_with_the_right_hint(slip: str) -> None:
    fn, hint = SLIPS[slip]
    result = check_linear_backward(fn)
    assert result.passed is False
    assert hint in result.message, result.message


def test_a_function_that_raises_gives_a_failed_result() -> None:
    def broken(X, W, b, G):
        raise ZeroDivisionError("oops")

    result = check_linear_backward(broken)
    assert result.passed is False
    assert "raised ZeroDivisionError: oops" in result.message


def test_the_notebook_stub_reports_not_implemented() -> None:
    def stub(X, W, b, G):
        raise NotImplementedError

    result = check_linear_backward(stub)
    assert result.passed is False and "not implemented yet" in result.message
