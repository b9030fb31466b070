"""Mini-batch stochastic gradient descent, the part that does not depend on the backend.

Which examples each step sees, and the walk through those steps: both live
here once, so a NumPy run and a PyTorch run of the same training see exactly
the same batches in the same order, report progress at the same steps, and
their losses can be compared step by step. Each backend only supplies the
update itself (:func:`dlbook.numpy.training.train_mlp`,
:func:`dlbook.torch.training.train_mlp`).
"""

from __future__ import annotations

from typing import Callable, Iterator

import math
from numbers import Real

import numpy as np

from dlbook._validate import (
    MAX_ENTRIES,
    ArgumentTypeError,
    check_count,
    check_entries,
    check_function,
    check_seed,
    describe,
)

#: ``progress(step, loss)``: told the 1-based step number and that step's batch loss.
Progress = Callable[[int, float], None]


def steps_per_epoch(n: int, batch_size: int) -> int:
    r"""The number of batches in one pass over ``n`` examples: :math:`\lceil n / B \rceil`.

    The last batch is smaller when ``batch_size`` :math:`B` does not divide ``n``.
    Raises ``ValueError`` unless :math:`1 \le B \le n`.
    """
    n = check_count("n", n, 1, MAX_ENTRIES)
    batch_size = check_count("batch_size", batch_size, 1)
    check_entries(f"a permutation of n = {n} examples", n, "check n")
    if batch_size > n:
        raise ValueError(
            f"batch_size must be at most the number of examples n = {n}, got {batch_size}; "
            f"use batch_size={n} for full-batch gradient descent"
        )
    return -(-n // batch_size)


def minibatches(n: int, batch_size: int, epochs: int = 1, seed: int = 0) -> Iterator[np.ndarray]:
    r"""Yield the indices of every mini-batch of ``epochs`` passes over ``n`` examples.

    Each epoch draws a fresh random permutation of :math:`0, \dots, n-1`
    (from one ``numpy.random.default_rng(seed)``) and cuts it into
    :func:`steps_per_epoch` consecutive slices of ``batch_size`` indices, so
    every example is used exactly once per epoch. The same arguments always
    give the same batches. ``batch_size = n`` is full-batch gradient descent.
    """
    per_epoch = steps_per_epoch(n, batch_size)
    epochs = check_count("epochs", epochs, 1)
    check_entries(f"{epochs:,} epochs of {n:,} examples", epochs * n, "check epochs")
    rng = np.random.default_rng(check_seed(seed))
    for _ in range(epochs):
        order = rng.permutation(n)
        for k in range(per_epoch):
            yield order[k * batch_size : (k + 1) * batch_size]


def _batch_loss(loss: object, step: int) -> float:
    """The loss ``update`` returned at ``step``, checked to be a number other than NaN."""
    if hasattr(loss, "item") and getattr(loss, "ndim", None) == 0:
        loss = loss.item()  # a 0-D array or tensor
    if isinstance(loss, bool) or not isinstance(loss, Real):
        raise ArgumentTypeError(f"update must return the batch loss as a number, got {describe(loss)} at step {step}")
    if math.isnan(loss):
        raise ValueError(
            f"update returned a NaN loss at step {step}: the training diverged; try a smaller learning rate lr"
        )
    return float(loss)


def run_sgd(
    update: Callable[[np.ndarray], float],
    n: int,
    batch_size: int,
    epochs: int,
    seed: int = 0,
    progress: Progress | None = None,
    every: int = 1,
) -> np.ndarray:
    r"""Call ``update(indices)`` on every mini-batch of :func:`minibatches`; return the losses.

    ``update`` performs one step :math:`\theta \leftarrow \theta - \eta\,\nabla_\theta L_B(\theta)`
    on the batch :math:`B` given by ``indices`` and returns the batch loss
    :math:`L_B` measured *before* the step. The result holds those losses, one
    per step, as a float64 array of length ``epochs * steps_per_epoch(n, batch_size)``.
    ``progress(step, loss)`` is called after every ``every``-th step and after
    the last one. Raises ``TypeError`` when ``update`` returns something
    other than a number, and ``ValueError`` when it returns NaN: the training
    diverged (a learning rate far too large) and its parameters are lost.
    """
    epochs = check_count("epochs", epochs, 1)
    every = check_count("every", every, 1)
    check_function("update", update)
    check_function("progress", progress, optional=True)
    total = epochs * steps_per_epoch(n, batch_size)
    check_entries("the losses of every step", total, "check epochs")
    losses = np.empty(total)
    for step, indices in enumerate(minibatches(n, batch_size, epochs, seed), start=1):
        losses[step - 1] = _batch_loss(update(indices), step)
        if progress is not None and (step % every == 0 or step == total):
            progress(step, float(losses[step - 1]))
    return losses
