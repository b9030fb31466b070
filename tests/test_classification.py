"""One-hot encoding, batch accuracy and the confusion matrix, against PyTorch and by definition."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlbook.numpy.classification import batch_accuracy, confusion_matrix, one_hot


@settings(max_examples=50, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple),
    classes=st.integers(1, 6),
    infer=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_one_hot_matches_torch(shape: tuple, classes: int, infer: bool, seed: int) -> None:
    labels = np.random.default_rng(seed).integers(0, classes, size=shape)
    if infer and labels.size == 0:
        return  # torch cannot infer the number of classes either (tested below)
    num_classes = -1 if infer else classes
    expected = F.one_hot(torch.from_numpy(labels), num_classes).numpy()
    result = one_hot(labels, num_classes)
    assert result.dtype == np.int64 and result.shape == expected.shape
    np.testing.assert_array_equal(result, expected)


def test_one_hot_takes_any_integer_dtype() -> None:
    np.testing.assert_array_equal(one_hot(np.array([2, 0], dtype=np.uint8), 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(one_hot([1], 2), [[0, 1]])


@pytest.mark.parametrize(
    ("labels", "num_classes", "match"),
    [
        (np.array([0, 3]), 3, "below 3"),
        (np.array([-1, 0]), 3, "from 0"),
        (np.array([0.0, 1.0]), 2, "integer class indices"),
        (np.array([True, False]), 2, "integer class indices"),
        (np.zeros(0, dtype=int), -1, "labels is empty"),
        (np.array([0, 1]), -2, "num_classes must be an integer of at least -1"),
        (np.array([0, 1]), 2.0, "num_classes must be an integer"),
    ],
)
def test_one_hot_rejects_bad_input(labels: np.ndarray, num_classes: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        one_hot(labels, num_classes)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 30), classes=st.integers(1, 8), seed=st.integers(0, 1000))
def test_batch_accuracy_is_the_share_of_argmax_hits(n: int, classes: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((n, classes))
    labels = rng.integers(0, classes, size=n)
    hits = sum(int(np.argmax(row) == label) for row, label in zip(scores, labels))
    assert batch_accuracy(scores, labels) == pytest.approx(hits / n)
    # softmax keeps the order: probabilities give the same accuracy as logits
    probabilities = torch.softmax(torch.from_numpy(scores), dim=1).numpy()
    assert batch_accuracy(probabilities, labels) == batch_accuracy(scores, labels)


def test_batch_accuracy_ties_go_to_the_first_class_as_argmax() -> None:
    assert batch_accuracy(np.array([[1.0, 1.0]]), np.array([0])) == 1.0
    assert batch_accuracy(np.array([[1.0, 1.0]]), np.array([1])) == 0.0


@pytest.mark.parametrize(
    ("scores", "labels", "match"),
    [
        (np.zeros(3), np.array([0]), "scores must be 2-D"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), "scores is empty"),
        (np.array([[np.nan, 0.0]]), np.array([0]), "scores contains NaN"),
        (np.zeros((2, 3)), np.array([0, 1, 2]), r"labels must have shape \(2,\)"),
        (np.zeros((2, 3)), np.array([0, 3]), "below 3"),
        (np.zeros((2, 3)), np.array([0.0, 1.0]), "integer class indices"),
    ],
)
def test_batch_accuracy_rejects_bad_input(scores: np.ndarray, labels: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        batch_accuracy(scores, labels)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 40), classes=st.integers(1, 6), seed=st.integers(0, 1000))
def test_confusion_matrix_counts_every_pair(n: int, classes: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels, predictions = rng.integers(0, classes, size=(2, n))
    matrix = confusion_matrix(labels, predictions, classes)
    assert matrix.shape == (classes, classes) and matrix.dtype == np.int64
    for i in range(classes):
        for j in range(classes):
            assert matrix[i, j] == np.sum((labels == i) & (predictions == j))
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(labels, minlength=classes))
    assert np.trace(matrix) / n == batch_accuracy(one_hot(predictions, classes), labels)


def test_confusion_matrix_counts_repeated_pairs() -> None:
    np.testing.assert_array_equal(confusion_matrix([1, 1, 1], [0, 0, 0], 2), [[0, 0], [3, 0]])


@pytest.mark.parametrize(
    ("labels", "predictions", "n_classes", "match"),
    [
        (np.array([0, 1]), np.array([0]), 2, "same shape"),
        (np.zeros((2, 2), dtype=int), np.zeros((2, 2), dtype=int), 2, "labels must be 1-D"),
        (np.zeros(0, dtype=int), np.zeros(0, dtype=int), 2, "labels is empty"),
        (np.array([0, 2]), np.array([0, 1]), 2, "labels must hold class indices below 2"),
        (np.array([0, 1]), np.array([0, -1]), 2, "predictions must hold class indices from 0"),
        (np.array([0, 1]), np.array([0.0, 1.0]), 2, "predictions must hold integer"),
        (np.array([0, 1]), np.array([0, 1]), 0, "n_classes must be an integer of at least 1"),
    ],
)
def test_confusion_matrix_rejects_bad_input(
    labels: np.ndarray, predictions: np.ndarray, n_classes: int, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        confusion_matrix(labels, predictions, n_classes)
