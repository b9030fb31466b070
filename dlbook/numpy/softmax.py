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


def _checked(z: ArrayLike, axis: int | None, dim: int | None) -> tuple[np.ndarray, int | None]:
    """``z`` as a float array and the axis to reduce along, checked (``None`` for a 0-D input)."""
    z = as_float_array(z, "z")
    checked = check_axis("z", z, axis, dim)
    return z, checked if z.ndim else None  # a 0-D input: reduce over its one element


def _shifted(z: np.ndarray, axis: int | None) -> np.ndarray:
    r""":math:`z - \max_j z_j` along ``axis``.

    Every shifted entry is :math:`\le 0`, so its exponential is at most 1 and
    cannot overflow (a gap wider than the float range becomes ``-inf``, whose
    exponential is 0). ``initial=-inf`` lets an empty axis through; an all
    ``-inf`` or ``+inf`` row gives NaN (``inf - inf``), as in torch.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        return z - np.max(z, axis=axis, keepdims=True, initial=-np.inf)


def softmax(z: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> np.ndarray:
    r"""Softmax :math:`\mathrm{softmax}(z)_c = e^{z_c} / \sum_j e^{z_j}` along ``axis`` (default -1).

    ``dim`` is PyTorch's name for ``axis``; give one or neither. Computed as
    :math:`e^{z_c - m} / \sum_j e^{z_j - m}` with :math:`m = \max_j z_j`, which
    is the same number (the factor :math:`e^{-m}` cancels) but never overflows.
    The result is positive and sums to 1 along ``axis``.
    """
    z, axis = _checked(z, axis, dim)
    e = np.exp(_shifted(z, axis))
    return np.asarray(e / e.sum(axis=axis, keepdims=True))  # an array even for a 0-D input


def log_softmax(z: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> np.ndarray:
    r"""Log-softmax :math:`\log \mathrm{softmax}(z)_c = z_c - \log \sum_j e^{z_j}` along ``axis``.

    Uses the log-sum-exp trick :math:`\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m}`
    with :math:`m = \max_j z_j`: the sum is at least 1, so its log is finite,
    and ``log_softmax([0, -1e4])`` is exactly ``[0, -1e4]`` where
    ``log(softmax(...))`` would give ``-inf``.
    """
    return _log_softmax(*_checked(z, axis, dim))


def _log_softmax(z: np.ndarray, axis: int | None) -> np.ndarray:
    """:func:`log_softmax` of a float array along an axis already checked."""
    shifted = _shifted(z, axis)
    with np.errstate(divide="ignore"):  # an empty axis sums to 0; its (empty) result needs no log
        return np.asarray(shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)))
