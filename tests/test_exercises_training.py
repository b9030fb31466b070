"""The SGD-step exercise: the chapter's reference solution passes, typical slips fail with the right hint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlbook.exercises import check_sgd_step
from dlbook.exercises.training import sgd_step_cases
from dlbook.numpy.training import sgd_step
from tests.notebook_solutions import load_solutions

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "06_training.ipynb"


def test_the_reference_solution_in_the_chapter_passes() -> None:
    solution = load_solutions(CHAPTER)["solution_sgd_step"]
    result = check_sgd_step(solution)
    assert result.passed, result.message
    assert "passed" in result.message


def test_the_book_implementation_passes() -> None:
    assert check_sgd_step(sgd_step).passed


def test_expected_values_follow_the_formula() -> None:
    for case in sgd_step_cases():
        params, grads, lr = case.args
        for name, p in params.items():
            np.testing.assert_allclose(case.expected[name], p - lr * np.asarray(grads[name]), rtol=1e-6)
            assert case.expected[name].dtype == p.dtype


def test_cases_include_the_edge_cases_and_are_reproducible() -> None:
    cases = sgd_step_cases()
    dtypes = {p.dtype for case in cases for p in case.args[0].values()}
    assert np.dtype(np.float32) in dtypes and np.dtype(np.float64) in dtypes
    assert any(p.ndim == 0 for case in cases for p in case.args[0].values())
    assert any(list(case.args[0]) != list(case.args[1]) for case in cases)  # keys in another order
    again = sgd_step_cases()
    assert [c.description for c in cases] == [c.description for c in again]
    assert [c.description for c in sgd_step_cases(seed=1)] != [c.description for c in cases]


def plus_sign(params: dict, grads: dict, lr: float) -> dict:
    return {k: p + lr * grads[k] for k, p in params.items()}


def without_lr(params: dict, grads: dict, lr: float) -> dict:
    return {k: p - grads[k] for k, p in params.items()}


def weights_only(params: dict, grads: dict, lr: float) -> dict:
    return {k: p - lr * grads[k] if k.startswith(("W", "w")) else p for k, p in params.items()}


def to_float64(params: dict, grads: dict, lr: float) -> dict:
    return {k: np.asarray(p, dtype=np.float64) - lr * np.asarray(grads[k], dtype=np.float64) for k, p in params.items()}


def paired_by_position(params: dict, grads: dict, lr: float) -> dict:
    return {k: p - lr * g for (k, p), g in zip(params.items(), grads.values())}


def row_loop(params: dict, grads: dict, lr: float) -> dict:
    return {k: np.array([row - lr * g for row, g in zip(p, grads[k])]) for k, p in params.items()}


def in_place_without_return(params: dict, grads: dict, lr: float) -> None:
    for k in params:
        params[k] -= lr * grads[k]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (plus_sign, "subtract, do not add"),
        (without_lr, "multiply the gradient by the learning rate"),
        (weights_only, "the biases b1 and b2 too"),
        (to_float64, "float32 in, float32 out"),
        (paired_by_position, "by name, grads[name]"),
        (row_loop, "not loops over rows"),
        (in_place_without_return, "did you forget `return`"),
    ],
)
def test_typical_slips_fail_with_the_matching_hint(wrong: object, hint: str) -> None:
    result = check_sgd_step(wrong)
    assert result.passed is False
    assert hint in result.message


def test_a_function_that_raises_gives_a_failed_result() -> None:
    def broken(params: dict, grads: dict, lr: float) -> dict:
        raise KeyError("W1")

    result = check_sgd_step(broken)
    assert result.passed is False
    assert "KeyError" in result.message


def test_the_stub_is_reported_as_not_implemented() -> None:
    def stub(params: dict, grads: dict, lr: float) -> dict:
        raise NotImplementedError

    result = check_sgd_step(stub)
    assert result.passed is False
    assert "not implemented yet" in result.message
