"""The exercise checker of the chapter "Activation functions": it passes the reference solution and
fails typical wrong ones with the hint that fixes them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dlbook.numpy as dnp
from dlbook.exercises import check_sigmoid
from dlbook.exercises.activations import sigmoid_cases
from tests.notebook_solutions import load_solutions

CHAPTER = "chapters/03_activation_functions.ipynb"


@pytest.fixture(scope="module")
def solutions() -> dict[str, Any]:
    return load_solutions(CHAPTER)


def test_reference_solution_passes(solutions: dict[str, Any]) -> None:
    result = check_sigmoid(solutions["solution_sigmoid"])
    assert result.passed is True
    assert f"all {len(sigmoid_cases())} cases passed" in result.message


def test_dlbook_sigmoid_passes() -> None:
    assert check_sigmoid(dnp.sigmoid).passed is True


def test_expected_values_come_from_the_formula() -> None:
    """The cases' answers agree with 1 / (1 + exp(-z)) evaluated in float64 where it does not overflow."""
    for case in sigmoid_cases():
        (z,) = case.args
        assert case.expected.dtype == z.dtype and case.expected.shape == z.shape
        moderate = np.abs(z) < 700
        formula = 1 / (1 + np.exp(-z[moderate].astype(np.float64)))
        np.testing.assert_allclose(case.expected[moderate], formula, rtol=1e-6)


def naive(z: np.ndarray) -> np.ndarray:
    """The formula as written: overflows in exp for very negative z (the values still come out right)."""
    return 1 / (1 + np.exp(-z))


def cancelling(z: np.ndarray) -> np.ndarray:
    """Stable against overflow, but 1 - sigma(-z) loses every tiny value to cancellation."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), 1 - 1 / (1 + e))


def float64_always(z: np.ndarray) -> np.ndarray:
    """Right values, but float32 comes back as float64."""
    return dnp.sigmoid(np.asarray(z, dtype=np.float64))


def with_python_if(z: np.ndarray) -> np.ndarray:
    """Decides the branch once for the whole array: right only when every entry has the same sign."""
    if np.all(z >= 0):
        return 1 / (1 + np.exp(-z))
    return np.exp(z) / (1 + np.exp(z))


def nan_to_zero(z: np.ndarray) -> np.ndarray:
    return np.nan_to_num(dnp.sigmoid(z))


def flattening(z: np.ndarray) -> np.ndarray:
    return dnp.sigmoid(np.ravel(z))


def off_by_sign(z: np.ndarray) -> np.ndarray:
    return dnp.sigmoid(-z)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (off_by_sign, "sigma(0) = 0.5 and sigma(-z) = 1 - sigma(z)"),
        (naive, "np.exp(-z) overflows for z = -1000"),
        (with_python_if, "np.exp(-z) overflows for z = -1000"),
        (cancelling, "1 - sigma(-z) cancels"),
        (flattening, "keep the shape (2, 3)"),
        (float64_always, "float32 in, float32 out"),
        (nan_to_zero, "NaN in, NaN out"),
    ],
)
def test_wrong_solutions_fail_with_the_right_hint(fn: Any, hint: str) -> None:
    result = check_sigmoid(fn)
    assert result.passed is False
    assert hint in result.message


def test_overflow_is_reported_as_the_error_it_is() -> None:
    result = check_sigmoid(naive)
    assert "FloatingPointError: overflow encountered in exp" in result.message
    assert "z = [-1000, 1000]" in result.message


def test_a_raising_function_gives_a_failed_result() -> None:
    def broken(z: np.ndarray) -> np.ndarray:
        raise TypeError("unsupported operand")

    result = check_sigmoid(broken)
    assert result.passed is False
    assert "your function raised TypeError: unsupported operand" in result.message


def test_the_reader_stub_reports_not_implemented() -> None:
    def my_sigmoid(z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    result = check_sigmoid(my_sigmoid)
    assert result.passed is False
    assert "not implemented yet" in result.message


def test_numpy_error_state_is_restored_after_a_check() -> None:
    before = np.geterr()
    check_sigmoid(naive)
    assert np.geterr() == before
