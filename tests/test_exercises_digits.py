"""The digits chapter's exercises: reference solutions pass, typical slips fail with the right hint."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from dlbook.exercises import check_batch_accuracy, check_confusion_matrix, check_one_hot
from dlbook.exercises.digits import batch_accuracy_cases, confusion_matrix_cases, one_hot_cases
from dlbook.numpy.classification import batch_accuracy, confusion_matrix, one_hot
from tests.exercise_contract import contract_tests

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "07_handwritten_digits.ipynb"
CHECKERS = {
    "one_hot": (check_one_hot, one_hot, one_hot_cases),
    "batch_accuracy": (check_batch_accuracy, batch_accuracy, batch_accuracy_cases),
    "confusion_matrix": (check_confusion_matrix, confusion_matrix, confusion_matrix_cases),
}


(test_the_reference_solution_in_the_chapter_passes, test_the_book_implementation_passes,
 test_cases_are_reproducible_and_the_seed_matters) = contract_tests(CHAPTER, CHECKERS)


def test_expected_values_follow_the_definitions() -> None:
    for case in one_hot_cases():
        labels, n_classes = case.args
        for i, label in enumerate(labels):
            assert case.expected[i].tolist() == [int(c == label) for c in range(n_classes)]
    for case in batch_accuracy_cases():
        scores, labels = case.args
        assert case.expected == np.mean([np.argmax(row) == label for row, label in zip(scores, labels)])
    for case in confusion_matrix_cases():
        labels, predictions, n_classes = case.args
        expected = [[sum(1 for t, p in zip(labels, predictions) if (t, p) == (i, j)) for j in range(n_classes)]
                    for i in range(n_classes)]
        assert case.expected.tolist() == expected


# Typical slips, one function each.


def one_hot_transposed(labels: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[labels].T


def one_hot_inferred_width(labels: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(labels.max() + 1)[labels]


def one_hot_flat(labels: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[labels].ravel() if len(labels) == 1 else np.eye(n_classes)[labels]


def accuracy_count(scores: np.ndarray, labels: np.ndarray) -> float:
    return float(np.sum(scores.argmax(axis=1) == labels))


def accuracy_percent(scores: np.ndarray, labels: np.ndarray) -> float:
    return 100 * float(np.mean(scores.argmax(axis=1) == labels))


def accuracy_abs(scores: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.abs(scores).argmax(axis=1) == labels))


def accuracy_axis0(scores: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(scores.argmax(axis=0) == labels))


def confusion_transposed(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    return confusion_matrix(labels, predictions, n_classes).T


def confusion_fancy_index(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    M = np.zeros((n_classes, n_classes), dtype=int)
    M[labels, predictions] += 1  # a repeated pair counts once
    return M


def confusion_inferred_size(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    size = max(labels.max(), predictions.max()) + 1
    return confusion_matrix(labels, predictions, size)


@pytest.mark.parametrize(
    ("check", "wrong", "hint"),
    [
        (check_one_hot, one_hot_transposed, "one row per label, one column per class"),
        (check_one_hot, one_hot_inferred_width, "use n_classes, not labels.max() + 1"),
        (check_one_hot, one_hot_flat, "a 2-D result, of shape (1, n_classes)"),
        (check_batch_accuracy, accuracy_count, "not a count or a percentage"),
        (check_batch_accuracy, accuracy_percent, "not a count or a percentage"),
        (check_batch_accuracy, accuracy_abs, "not of their absolute values"),
        (check_batch_accuracy, accuracy_axis0, "scores.argmax(axis=1)"),
        (check_confusion_matrix, confusion_transposed, "row = true class, column = predicted class"),
        (check_confusion_matrix, confusion_fancy_index, "np.add.at"),
        (check_confusion_matrix, confusion_inferred_size, "use n_classes, not the largest label"),
    ],
)
def test_typical_slips_fail_with_the_matching_hint(check: Callable, wrong: Callable, hint: str) -> None:
    result = check(wrong)
    assert result.passed is False
    assert hint in result.message


@pytest.mark.parametrize("check", [check_one_hot, check_batch_accuracy, check_confusion_matrix])
def test_a_function_that_raises_or_is_a_stub_gives_a_failed_result(check: Callable) -> None:
    def broken(*args: Any) -> None:
        raise IndexError("oops")

    def stub(*args: Any) -> None:
        raise NotImplementedError

    result = check(broken)
    assert result.passed is False and "IndexError" in result.message
    result = check(stub)
    assert result.passed is False and "not implemented yet" in result.message
