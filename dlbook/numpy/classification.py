r"""Class labels and scores: one-hot targets, accuracy, the confusion matrix.

A classifier with :math:`C` classes gives every example a row of :math:`C`
scores (logits or probabilities); its prediction is the class with the
largest score, :math:`\hat y_i = \arg\max_c s_{ic}`. Labels are integer class
indices :math:`0, \dots, C - 1`.

* :func:`one_hot`: the label :math:`y` as a row with a 1 in column :math:`y`
  (the target distribution of the cross-entropy), as
  :func:`torch.nn.functional.one_hot`.
* :func:`batch_accuracy`: the share of rows whose largest score is the label's.
* :func:`confusion_matrix`: how often class :math:`i` was predicted as
  :math:`j`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import (
    MAX_ENTRIES,
    check_count,
    check_entries,
    check_ndim,
    check_no_nan,
    check_not_empty,
)
from dlbook.numpy._arrays import as_int64, as_numeric_array


def _class_indices(
    name: str, labels: ArrayLike, n_classes: int | None, count: str = "the number of classes"
) -> np.ndarray:
    """``labels`` as an int64 array, after checking they are class indices.

    Integers only (no floats, no booleans), none negative and, when
    ``n_classes`` is given, all below it; ``count`` says where that number
    comes from (an argument's name).
    """
    labels = as_numeric_array(labels, name)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"{name} must hold integer class indices, got dtype {labels.dtype}"
        )
    labels = as_int64(name, labels)
    if labels.size and labels.min() < 0:
        raise ValueError(
            f"{name} must hold class indices from 0, got {labels.min()}"
        )
    if labels.size and n_classes is not None and labels.max() >= n_classes:
        raise ValueError(
            f"{name} must hold class indices below {n_classes} ({count}), "
            f"got {labels.max()}"
        )
    return labels


def one_hot(labels: ArrayLike, num_classes: int = -1) -> np.ndarray:
    r"""One-hot encoding: a 1 in the column of each label's class, else 0.

    ``labels`` holds integer class indices of any shape; the result has that
    shape plus a last axis of ``num_classes`` entries (1 at the label's
    class, 0 elsewhere), dtype int64, as in
    :func:`torch.nn.functional.one_hot`. ``num_classes = -1`` (the default)
    takes the largest label plus one. A batch :math:`y` of :math:`n` labels
    becomes the :math:`n \times C` matrix :math:`Y_{ic} = [y_i = c]`.
    """
    num_classes = check_count("num_classes", num_classes, -1, MAX_ENTRIES)
    if num_classes == -1:
        labels = _class_indices("labels", labels, None)
        if labels.size == 0:
            raise ValueError(
                "labels is empty: the number of classes cannot be inferred; "
                "give num_classes"
            )
        num_classes = int(labels.max()) + 1
    labels = _class_indices("labels", labels, num_classes, "num_classes")
    check_entries(
        f"the one-hot encoding of {labels.size} labels in {num_classes} classes",
        labels.size * num_classes, "labels must be class indices 0, 1, ..., C - 1",
    )
    return (labels[..., None] == np.arange(num_classes)).astype(np.int64)


def batch_accuracy(scores: ArrayLike, labels: ArrayLike) -> float:
    r"""The share of right answers, :math:`\frac1n \sum_i [\hat y_i = y_i]`.

    The prediction is :math:`\hat y_i = \arg\max_c s_{ic}`. ``scores`` has
    shape ``(n, C)``, one row of logits or probabilities per example
    (softmax keeps the order, so both give the same argmax; a tie goes to
    the first largest class, as in ``np.argmax``). ``labels`` holds
    the ``n`` true classes. Raises ``ValueError`` on mismatched shapes,
    empty input, NaN scores or labels that are not class indices.
    """
    return share_right(scores, labels, "labels")


def share_right(scores: ArrayLike, labels: ArrayLike, labels_name: str) -> float:
    """:func:`batch_accuracy`, with ``labels_name`` naming the labels in error messages."""
    scores = as_numeric_array(scores, "scores")
    check_ndim("scores", scores, (2,))
    check_not_empty("scores", scores)
    check_no_nan("scores", scores)
    labels = _class_indices(labels_name, labels, scores.shape[1], "the number of columns of scores")
    if labels.shape != (scores.shape[0],):
        raise ValueError(
            f"{labels_name} must have shape ({scores.shape[0]},), one per row of "
            f"scores, got {labels.shape}"
        )
    return float(np.mean(scores.argmax(axis=1) == labels))


def confusion_matrix(
    labels: ArrayLike, predictions: ArrayLike, n_classes: int
) -> np.ndarray:
    r"""The confusion matrix of ``n_classes`` classes, as counts.

    :math:`M_{ij} = \#\{k : y_k = i,\ \hat y_k = j\}`, shape
    ``(n_classes, n_classes)``. Row :math:`i` is the true class, column
    :math:`j` the predicted one: the diagonal counts the correct
    predictions, each row sums to the number of examples of its class.
    ``labels`` and ``predictions`` are 1-D integer class indices of equal,
    non-zero length. Returns int64 counts.
    """
    n_classes = check_count("n_classes", n_classes, 1, MAX_ENTRIES)
    check_entries(f"a confusion matrix of {n_classes} classes", n_classes**2, "check n_classes")
    labels = _class_indices("labels", labels, n_classes, "n_classes")
    predictions = _class_indices("predictions", predictions, n_classes, "n_classes")
    check_ndim("labels", labels, (1,))
    check_not_empty("labels", labels)
    if predictions.shape != labels.shape:
        raise ValueError(
            f"labels and predictions must have the same shape, got "
            f"{labels.shape} and {predictions.shape}"
        )
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix
