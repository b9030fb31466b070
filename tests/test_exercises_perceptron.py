"""The exercises of chapter 2: the weighted-sum and perceptron checkers and the notebook's reference solutions."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

from dlbook.exercises import check_perceptron, check_weighted_sum
from dlbook.exercises.perceptron import perceptron_cases, weighted_sum_cases
from tests.notebook_solutions import load_solutions

NOTEBOOK = "chapters/02_perceptron.ipynb"


@pytest.fixture(scope="module")
def solutions() -> dict[str, Any]:
    return load_solutions(NOTEBOOK)


def torch_weighted_sum(x: Any, w: Any, b: float) -> torch.Tensor:
    """The weighted sum by PyTorch, in the inputs' dtype (float64 for lists)."""
    x_t = torch.as_tensor(np.asarray(x))
    return x_t @ torch.as_tensor(np.asarray(w)) + b


def torch_output(x: Any, w: Any, b: float, activation: str) -> torch.Tensor:
    z = torch_weighted_sum(x, w, b)
    return torch.sigmoid(z) if activation == "sigmoid" else torch.heaviside(z, torch.zeros_like(z))


def test_the_reference_solutions_pass(solutions: dict[str, Any]) -> None:
    result = check_weighted_sum(solutions["solution_weighted_sum"])
    assert result.passed, result.message
    result = check_perceptron(solutions["solution_perceptron"])
    assert result.passed, result.message


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reference_solutions_pass_other_random_cases(solutions: dict[str, Any], seed: int) -> None:
    assert check_weighted_sum(solutions["solution_weighted_sum"], seed=seed).passed
    assert check_perceptron(solutions["solution_perceptron"], seed=seed).passed


def test_weighted_sum_expectations_agree_with_torch() -> None:
    for case in weighted_sum_cases(seed=4, n_random=5):
        expected = torch_weighted_sum(*case.args)
        assert case.expected.shape == tuple(expected.shape), case.description
        assert str(case.expected.dtype) == str(expected.dtype).removeprefix("torch."), case.description
        np.testing.assert_allclose(case.expected, expected.numpy(), rtol=1e-6, err_msg=case.description)


def test_perceptron_expectations_agree_with_torch() -> None:
    cases = perceptron_cases(seed=4, n_random=6)
    assert {case.kwargs["activation"] for case in cases} == {"sigmoid", "step"}
    for case in cases:
        expected = torch_output(*case.args, case.kwargs["activation"])
        assert case.expected.shape == tuple(expected.shape), case.description
        assert str(case.expected.dtype) == str(expected.dtype).removeprefix("torch."), case.description
        np.testing.assert_allclose(case.expected, expected.numpy(), rtol=1e-6, err_msg=case.description)


def test_the_worked_example_case_is_right_by_hand() -> None:
    first = weighted_sum_cases()[0]
    assert first.expected == pytest.approx(0.4 * 2 + (-0.2) * 3 + 0.1 * (-1) + 0.5)
    sigmoid_case = perceptron_cases()[0]
    assert sigmoid_case.expected == pytest.approx(1 / (1 + np.exp(-0.7)))


# Deliberately wrong weighted sums, each with the slip it makes.


def bias_per_input(x: Any, w: Any, b: float) -> np.ndarray:
    return np.sum(np.asarray(x) * np.asarray(w) + b, axis=-1)


def sums_everything(x: Any, w: Any, b: float) -> np.ndarray:
    return np.sum(np.asarray(x) * np.asarray(w)) + b


def squeezes(x: Any, w: Any, b: float) -> np.ndarray:
    return np.squeeze(np.asarray(x) @ np.asarray(w) + b)


def forces_float64(x: Any, w: Any, b: float) -> np.ndarray:
    return np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b


def needs_arrays(x: Any, w: Any, b: float) -> np.ndarray:
    return x @ w + b


def forgets_bias(x: Any, w: Any, b: float) -> np.ndarray:
    return np.asarray(x) @ np.asarray(w)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (bias_per_input, "add the bias b once"),
        (forgets_bias, "add the bias b once"),
        (sums_everything, "one weighted sum per row: shape (n,)"),
        (squeezes, "a batch of one is still a batch"),
        (forces_float64, "float32 inputs give a float32 result"),
        (needs_arrays, "convert them with np.asarray"),
    ],
)
def test_wrong_weighted_sums_fail_with_the_right_hint(wrong: Callable[..., Any], hint: str) -> None:
    result = check_weighted_sum(wrong)
    assert result.passed is False
    assert hint in result.message, result.message


# Deliberately wrong perceptrons.


def _z(x: Any, w: Any, b: float) -> np.ndarray:
    return np.asarray(x) @ np.asarray(w) + b


def wrong_sign_sigmoid(x: Any, w: Any, b: float, activation: str = "sigmoid") -> np.ndarray:
    z = _z(x, w, b)
    return 1 / (1 + np.exp(z)) if activation == "sigmoid" else (z > 0).astype(z.dtype)


def always_sigmoid(x: Any, w: Any, b: float, activation: str = "sigmoid") -> np.ndarray:
    return 1 / (1 + np.exp(-_z(x, w, b)))


def fires_at_zero(x: Any, w: Any, b: float, activation: str = "sigmoid") -> np.ndarray:
    z = _z(x, w, b)
    return 1 / (1 + np.exp(-z)) if activation == "sigmoid" else (z >= 0).astype(z.dtype)


def overflowing_sigmoid(x: Any, w: Any, b: float, activation: str = "sigmoid") -> np.ndarray:
    z = _z(x, w, b)
    return np.exp(z) / (1 + np.exp(z)) if activation == "sigmoid" else (z > 0).astype(z.dtype)


def float64_perceptron(x: Any, w: Any, b: float, activation: str = "sigmoid") -> np.ndarray:
    z = np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b
    return 1 / (1 + np.exp(-z)) if activation == "sigmoid" else (z > 0).astype(z.dtype)


def step_of_the_first_example_only(x: Any, w: Any, b: float, activation: str = "sigmoid") -> np.ndarray:
    z = np.atleast_1d(_z(x, w, b))
    if activation == "sigmoid":
        return np.squeeze(1 / (1 + np.exp(-z)))
    return np.float64(z[0] > 0)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (wrong_sign_sigmoid, "1 / (1 + exp(-z))"),
        (always_sigmoid, "use the activation the argument names"),
        (fires_at_zero, "step(0) = 0"),
        (step_of_the_first_example_only, "a batch gives shape (n,) of 0s and 1s"),
        (overflowing_sigmoid, "never compute exp of a large positive number"),
        (float64_perceptron, "float32 inputs give a float32 result"),
    ],
)
def test_wrong_perceptrons_fail_with_the_right_hint(wrong: Callable[..., Any], hint: str) -> None:
    result = check_perceptron(wrong)
    assert result.passed is False
    assert hint in result.message, result.message


def test_the_overflow_shows_up_in_the_message_not_as_an_error() -> None:
    result = check_perceptron(overflowing_sigmoid)
    assert "got:      [ 0. nan]" in result.message
    assert "RuntimeWarning: overflow encountered in exp" in result.message


def test_exceptions_and_stubs_are_reported_not_raised() -> None:
    def crashes(x: Any, w: Any, b: float, activation: str = "sigmoid") -> np.ndarray:
        raise KeyError(activation)

    def my_weighted_sum(x: Any, w: Any, b: float) -> np.ndarray:
        raise NotImplementedError

    result = check_perceptron(crashes)
    assert result.passed is False
    assert "your function raised KeyError: 'sigmoid'" in result.message
    stub = check_weighted_sum(my_weighted_sum)
    assert stub.passed is False and "not implemented yet" in stub.message


def test_the_reference_perceptron_rejects_an_unknown_activation(solutions: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="activation must be 'sigmoid' or 'step', got 'relu'"):
        solutions["solution_perceptron"](np.ones(2), np.ones(2), 0.0, activation="relu")
