r"""Exercises of the chapter "Handwritten digits": a classifier's pipeline.

* :func:`check_one_hot`: the reader writes ``one_hot(labels, n_classes)``,
  the ``(n, C)`` matrix :math:`Y_{ic} = [y_i = c]`.
* :func:`check_batch_accuracy`: ``batch_accuracy(scores, labels)``, the share
  of rows whose largest score is at the true class.
* :func:`check_confusion_matrix`: ``confusion_matrix(labels, predictions,
  n_classes)``, the counts :math:`M_{cd}` of the examples of class :math:`c`
  predicted as :math:`d`.

The expected results come from :mod:`dlbook.numpy.classification`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dlbook.exercises.checker import Case, CheckResult, run_checks
from dlbook.numpy.classification import (
    batch_accuracy,
    confusion_matrix,
    one_hot,
)

ONE_HOT_HINT = (
    "row i holds a single 1, in column labels[i], and 0 everywhere else: "
    "one row per label, one column per class"
)
ARGMAX_HINT = (
    "a row's prediction is the column of its largest score, "
    "scores.argmax(axis=1); compare with the labels and return the fraction "
    "that match (a number from 0 to 1, not a count or a percentage)"
)
CONFUSION_HINT = (
    "row = true class, column = predicted class: add 1 to "
    "M[labels[k], predictions[k]] for every example k"
)


def _random_labels(
    rng: np.random.Generator, n: int, n_classes: int
) -> np.ndarray:
    return rng.integers(0, n_classes, size=n)


def _case(
    reference: Callable[..., Any], description: str, *args: Any, hint: str
) -> Case:
    """A case whose expected result is ``reference(*args)``."""
    return Case(description, args, reference(*args), hint)


def one_hot_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then seeded random ones."""
    prepared = [
        ("three labels, three classes: labels [2, 0, 1]",
         np.array([2, 0, 1]), 3, ONE_HOT_HINT),
        ("five labels, three classes: labels [0, 1, 1, 2, 0]",
         np.array([0, 1, 1, 2, 0]), 3, ONE_HOT_HINT),
        ("a batch without the last class: labels [1, 1, 0], n_classes 4",
         np.array([1, 1, 0]), 4,
         "the result has n_classes columns even when a class is missing "
         "from the batch: use n_classes, not labels.max() + 1"),
        ("a single label: labels [7], n_classes 10", np.array([7]), 10,
         "one label still gives a 2-D result, of shape (1, n_classes)"),
    ]
    cases = [_case(one_hot, description, *args, hint=hint)
             for description, *args, hint in prepared]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        n, n_classes = int(rng.integers(1, 9)), int(rng.integers(2, 11))
        labels = _random_labels(rng, n, n_classes)
        cases.append(_case(
            one_hot,
            f"random labels {k + 1}: {labels.tolist()}, n_classes {n_classes}",
            labels, n_classes, hint=ONE_HOT_HINT,
        ))
    return cases


def batch_accuracy_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then seeded random ones."""
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.3, 0.2],
                       [-2.0, 1.0, 3.0], [1.0, 4.0, 0.0]])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    negative = np.array([[-1.0, -5.0, -2.0], [-3.0, -0.5, -4.0]])
    wide = np.array([[0.1, 0.9, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.2, 0.8]])
    prepared = [
        ("logits of 4 examples, 3 predicted right",
         logits, np.array([0, 1, 2, 2]), ARGMAX_HINT),
        ("the same examples as probabilities (rows sum to 1)",
         probabilities, np.array([0, 1, 2, 2]), ARGMAX_HINT),
        ("every prediction wrong", logits, np.array([1, 0, 0, 0]),
         "when no prediction is right the accuracy is 0.0"),
        ("all scores negative", negative, np.array([0, 1]),
         "the largest score may be negative: use argmax of the scores "
         "themselves, not of their absolute values"),
        ("2 examples, 5 classes", wide, np.array([1, 4]),
         "take the argmax along axis=1, across the classes of each row, "
         "not along axis=0"),
    ]
    cases = [_case(batch_accuracy, description, *args, hint=hint)
             for description, *args, hint in prepared]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        n, n_classes = int(rng.integers(1, 9)), int(rng.integers(2, 8))
        scores = rng.standard_normal((n, n_classes))
        labels = _random_labels(rng, n, n_classes)
        cases.append(_case(
            batch_accuracy, f"random scores {k + 1}, shape {scores.shape}",
            scores, labels, hint=ARGMAX_HINT,
        ))
    return cases


def confusion_matrix_cases(seed: int = 0, n_random: int = 3) -> list[Case]:
    """Prepared cases, each aimed at one slip, then seeded random ones."""
    prepared = [
        ("three classes, two mistakes: labels [0, 1, 2, 0], "
         "predictions [0, 2, 2, 1]",
         np.array([0, 1, 2, 0]), np.array([0, 2, 2, 1]), 3, CONFUSION_HINT),
        ("every prediction right: labels = predictions = [1, 0, 2]",
         np.array([1, 0, 2]), np.array([1, 0, 2]), 3, CONFUSION_HINT),
        ("a class that never occurs: labels [0, 1], predictions [1, 1], "
         "n_classes 4",
         np.array([0, 1]), np.array([1, 1]), 4,
         "the matrix is n_classes x n_classes even when a class never "
         "occurs: use n_classes, not the largest label"),
        ("the same mistake three times: labels [1, 1, 1], "
         "predictions [0, 0, 0]",
         np.array([1, 1, 1]), np.array([0, 0, 0]), 2,
         "count every example: M[labels, predictions] += 1 adds 1 only once "
         "for a repeated pair; loop over the examples or use np.add.at"),
    ]
    cases = [_case(confusion_matrix, description, *args, hint=hint)
             for description, *args, hint in prepared]
    rng = np.random.default_rng(seed)
    for k in range(n_random):
        n, n_classes = int(rng.integers(1, 13)), int(rng.integers(2, 6))
        labels = _random_labels(rng, n, n_classes)
        predictions = _random_labels(rng, n, n_classes)
        cases.append(_case(
            confusion_matrix,
            f"random labels {k + 1}: labels {labels.tolist()}, predictions "
            f"{predictions.tolist()}, n_classes {n_classes}",
            labels, predictions, n_classes, hint=CONFUSION_HINT,
        ))
    return cases


def check_one_hot(fn: Callable[[np.ndarray, int], Any]) -> CheckResult:
    r"""Check the reader's ``fn(labels, n_classes)``.

    Expected results come from
    :func:`~dlbook.numpy.classification.one_hot`: ``fn`` must return the
    ``(len(labels), n_classes)`` matrix with a 1 at column ``labels[i]`` of
    row ``i`` and 0 elsewhere (any numeric dtype).
    """
    return run_checks("one_hot", fn, one_hot_cases(), rtol=0, atol=0)


def check_batch_accuracy(
    fn: Callable[[np.ndarray, np.ndarray], Any],
) -> CheckResult:
    r"""Check the reader's ``fn(scores, labels)``.

    Expected results come from
    :func:`~dlbook.numpy.classification.batch_accuracy`: ``fn`` must return
    one number, :math:`\frac1n \sum_i [\arg\max_c s_{ic} = y_i]`.
    """
    return run_checks("batch_accuracy", fn, batch_accuracy_cases())


def check_confusion_matrix(
    fn: Callable[[np.ndarray, np.ndarray, int], Any],
) -> CheckResult:
    r"""Check the reader's ``fn(labels, predictions, n_classes)``.

    Expected results come from
    :func:`~dlbook.numpy.classification.confusion_matrix`: ``fn`` must
    return the ``(n_classes, n_classes)`` counts, true classes in the rows
    and predicted ones in the columns.
    """
    return run_checks(
        "confusion_matrix", fn, confusion_matrix_cases(), rtol=0, atol=0
    )
