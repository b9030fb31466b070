r"""Splitting labelled data into parts (training, validation, test) by class.

A *stratified* split keeps every class's share the same in every part: if
10% of all examples are sevens, about 10% of the training, the validation
and the test set are sevens. Written out in NumPy: shuffle each class's
examples with a seeded generator, then cut them at the same fractions.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import ArgumentTypeError, check_ndim, check_not_empty, check_seed, describe
from dlbook.numpy._arrays import as_float_array, as_numeric_array


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    """``fractions`` as a float array: at least two, each positive, sum 1."""
    try:
        shares = as_float_array(fractions, "fractions")
    except TypeError:
        raise ArgumentTypeError(f"fractions must be a sequence of numbers, got {describe(fractions)}") from None
    if shares.ndim != 1 or shares.size < 2:
        raise ValueError(
            "fractions must list at least two parts, e.g. (0.6, 0.2, 0.2), "
            f"got {describe(fractions)}"
        )
    if not np.all(shares > 0) or abs(shares.sum() - 1) > 1e-9:
        raise ValueError(
            f"fractions must be positive and sum to 1, got {describe(fractions)} "
            f"(sum {shares.sum():g})"
        )
    return shares


def stratified_split(
    y: ArrayLike, fractions: Sequence[float] = (0.6, 0.2, 0.2), seed: int = 0
) -> tuple[np.ndarray, ...]:
    r"""Indices of a stratified split of the examples with labels ``y``.

    Returns one sorted int64 index array per entry of ``fractions``. For
    each class :math:`c` with :math:`n_c` examples, a random permutation of
    its indices (``np.random.default_rng(seed)``) is cut after
    :math:`\mathrm{round}(n_c (f_1 + \dots + f_k))` entries for
    :math:`k = 1, 2, \dots`, so part :math:`k` receives
    :math:`f_k n_c` examples of the class, give or take one. The parts are
    disjoint and together hold every index once; the same ``seed`` always
    gives the same split. Raises ``ValueError`` unless ``y`` is a non-empty
    1-D array of integer labels and ``fractions`` are positive and sum to 1,
    or when a part would receive no example at all.
    """
    y = as_numeric_array(y, "y")
    check_ndim("y", y, (1,))
    check_not_empty("y", y)
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"y must hold integer class labels, got dtype {y.dtype}"
        )
    shares = _check_fractions(fractions)
    cuts = np.cumsum(shares)[:-1]
    rng = np.random.default_rng(check_seed(seed))
    parts: list[list[np.ndarray]] = [[] for _ in range(len(cuts) + 1)]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        bounds = np.round(cuts * len(members)).astype(np.int64)
        for part, piece in zip(parts, np.split(members, bounds)):
            part.append(piece)
    split = tuple(np.sort(np.concatenate(part)) for part in parts)
    for k, indices in enumerate(split):
        if indices.size == 0:
            raise ValueError(
                f"part {k} of the split is empty: {len(y)} examples are too "
                f"few for fractions {tuple(shares.tolist())}"
            )
    return split
