"""The chapter's exercise checkers: they pass the notebook's reference solutions and fail typical slips.

The reference solutions are loaded from the cells of ``chapters/04_loss_functions.ipynb``
tagged ``"solution"``; the wrong solutions below each make one mistake a reader might make.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.exercises import check_cross_entropy, check_softmax
from dlbook.exercises.losses import cross_entropy_cases, softmax_cases
from tests.notebook_solutions import load_solutions

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "04_loss_functions.ipynb"


@pytest.fixture(scope="module")
def solutions() -> dict[str, Any]:
    return load_solutions(CHAPTER)


def test_reference_solutions_pass(solutions: dict[str, Any]) -> None:
    for name, check in (("solution_softmax", check_softmax), ("solution_cross_entropy", check_cross_entropy)):
        result = check(solutions[name])
        assert result.passed, result.message
        assert "passed" in result.message


def test_expected_values_agree_with_torch() -> None:
    """The cases' expected answers (from dlbook) are what torch.nn.functional computes."""
    for case in softmax_cases():
        (z,) = case.args
        np.testing.assert_allclose(case.expected, F.softmax(torch.from_numpy(z), dim=-1).numpy(), rtol=1e-6)
    for case in cross_entropy_cases():
        logits, target = case.args
        expected = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(target)).numpy()
        np.testing.assert_allclose(case.expected, expected, rtol=1e-6)


# ---------------------------------------------------------------- wrong softmax solutions

def naive_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_over_axis_0(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_over_everything(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_in_float64(z: np.ndarray) -> np.ndarray:
    z = z.astype(np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_of_negated_logits(z: np.ndarray) -> np.ndarray:
    e = np.exp(-z + z.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize(("wrong", "hint"), [
    (naive_softmax, "subtract the maximum before exp"),
    (softmax_over_axis_0, "sum over the last axis"),
    (softmax_over_everything, "sum over the last axis"),
    (softmax_in_float64, "float32 in, float32 out"),
    (softmax_of_negated_logits, "exponentiate every logit"),
])
def test_wrong_softmax_fails_with_the_right_hint(wrong: Callable, hint: str) -> None:
    result = check_softmax(wrong)
    assert result.passed is False
    assert hint in result.message, result.message


# ---------------------------------------------------------------- wrong cross-entropy solutions

def _log_softmax(logits: np.ndarray) -> np.ndarray:
    m = logits.max(axis=1, keepdims=True)
    return logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))


def cross_entropy_wrong_sign(logits: np.ndarray, target: np.ndarray) -> Any:
    return _log_softmax(logits)[np.arange(len(target)), target].mean()


def cross_entropy_summed(logits: np.ndarray, target: np.ndarray) -> Any:
    return -_log_softmax(logits)[np.arange(len(target)), target].sum()


def cross_entropy_log_of_softmax(logits: np.ndarray, target: np.ndarray) -> Any:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    return -np.log(probs[np.arange(len(target)), target]).mean()


def cross_entropy_without_shift(logits: np.ndarray, target: np.ndarray) -> Any:
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(target)), target].mean()


def cross_entropy_on_raw_logits(logits: np.ndarray, target: np.ndarray) -> Any:
    # Treats the logits as log-probabilities: right only when they happen to be normalised already.
    return -logits[np.arange(len(target)), target].mean()


@pytest.mark.parametrize(("wrong", "hint"), [
    (cross_entropy_wrong_sign, "-log of the true class's probability"),
    (cross_entropy_summed, "mean, not sum"),
    (cross_entropy_log_of_softmax, "log-softmax"),
    (cross_entropy_without_shift, "log-softmax"),
    (cross_entropy_on_raw_logits, "softmax first"),
])
def test_wrong_cross_entropy_fails_with_the_right_hint(wrong: Callable, hint: str) -> None:
    result = check_cross_entropy(wrong)
    assert result.passed is False
    assert hint in result.message, result.message


@pytest.mark.parametrize("check", [check_softmax, check_cross_entropy])
def test_a_crashing_function_is_a_failed_result_not_an_exception(check: Callable) -> None:
    def crashes(*args: Any) -> None:
        raise ZeroDivisionError("oops")

    result = check(crashes)
    assert result.passed is False
    assert "ZeroDivisionError" in result.message and "hint:" in result.message


@pytest.mark.parametrize("check", [check_softmax, check_cross_entropy])
def test_the_reader_stub_reports_not_implemented(check: Callable) -> None:
    def stub(*args: Any) -> None:
        raise NotImplementedError

    result = check(stub)
    assert result.passed is False and "not implemented yet" in result.message
