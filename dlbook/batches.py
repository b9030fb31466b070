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

import numpy as np

from dlbook._validate import check_count

#: ``progress(step, loss)``: told the 1-based step number and that step's batch loss; it may
#: return ``True`` to stop the run there.
Progress = Callable[[int, float], "bool | None"]


def steps_per_epoch(n: int, batch_size: int) -> int:
    r"""The number of batches in one pass over ``n`` examples: :math:`\lceil n / B \rceil`.

    The last batch is smaller when ``batch_size`` :math:`B` does not divide ``n``.
    Raises ``ValueError`` unless :math:`1 \le B \le n`.
    """
    check_count("n", n, 1)
    check_count("batch_size", batch_size, 1)
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
    check_count("epochs", epochs, 1)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n)
        for k in range(per_epoch):
            yield order[k * batch_size : (k + 1) * batch_size]


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
    the last one. When it returns ``True`` the run stops after that step (early
    stopping), and only the losses of the steps taken are returned.
    """
    check_count("epochs", epochs, 1)
    check_count("every", every, 1)
    total = epochs * steps_per_epoch(n, batch_size)
    losses = np.empty(total)
    for step, indices in enumerate(minibatches(n, batch_size, epochs, seed), start=1):
        losses[step - 1] = update(indices)
        if progress is not None and (step % every == 0 or step == total):
            if progress(step, float(losses[step - 1])) is True:
                return losses[:step]
    return losses
