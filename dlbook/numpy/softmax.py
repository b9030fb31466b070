"""Softmax and log-softmax from scratch in NumPy, made stable by subtracting the maximum.

Both follow :func:`torch.nn.functional.softmax` and ``log_softmax``: any shape
(0-D and empty arrays included), any axis, float32 stays float32, NaN passes
through (a row with a NaN becomes all NaN), and extreme logits such as
``1e4`` give exact results without overflow warnings.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dlbook._loss_checks import check_axis
from dlbook.numpy._arrays import as_float_array


def _shifted(z: ArrayLike, axis: int | None, dim: int | None) -> tuple[np.ndarray, int | None]:
    r"""Return :math:`z - \max_j z_j` along the chosen axis, and that axis (``None`` for a 0-D input).

    Every shifted entry is :math:`\le 0`, so its exponential is at most 1 and
    cannot overflow (a gap wider than the float range becomes ``-inf``, whose
    exponential is 0). ``initial=-inf`` lets an empty axis through; an all
    ``-inf`` or ``+inf`` row gives NaN (``inf - inf``), as in torch.
    """
    z = as_float_array(z, "z")
    checked = check_axis("z", z, axis, dim)
    axis = checked if z.ndim else None  # a 0-D input: reduce over its one element
    with np.errstate(invalid="ignore", over="ignore"):
        return z - np.max(z, axis=axis, keepdims=True, initial=-np.inf), axis


def softmax(z: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> np.ndarray:
    r"""Softmax :math:`\mathrm{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}` along ``axis`` (default -1).

    ``dim`` is PyTorch's name for ``axis``; give one or neither. Computed as
    :math:`e^{z_i - m} / \sum_j e^{z_j - m}` with :math:`m = \max_j z_j`, which
    is the same number (the factor :math:`e^{-m}` cancels) but never overflows.
    The result is positive and sums to 1 along ``axis``.
    """
    shifted, axis = _shifted(z, axis, dim)
    e = np.exp(shifted)
    return np.asarray(e / e.sum(axis=axis, keepdims=True))  # an array even for a 0-D input


def log_softmax(z: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> np.ndarray:
    r"""Log-softmax :math:`\log \mathrm{softmax}(z)_i = z_i - \log \sum_j e^{z_j}` along ``axis``.

    Uses the log-sum-exp trick :math:`\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m}`
    with :math:`m = \max_j z_j`: the sum is at least 1, so its log is finite,
    and ``log_softmax([0, -1e4])`` is exactly ``[0, -1e4]`` where
    ``log(softmax(...))`` would give ``-inf``.
    """
    shifted, axis = _shifted(z, axis, dim)
    with np.errstate(divide="ignore"):  # an empty axis sums to 0; its (empty) result needs no log
        return np.asarray(shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)))
