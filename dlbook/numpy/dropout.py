r"""Dropout, from scratch in NumPy, with :func:`torch.nn.functional.dropout`'s semantics.

In training, *inverted* dropout zeroes each entry of its input on its own
with probability :math:`p` and scales the survivors by :math:`1 / (1 - p)`:

.. math::

    \mathrm{dropout}(x)_i = \frac{m_i\, x_i}{1 - p}, \qquad
    m_i \sim \mathrm{Bernoulli}(1 - p) \text{ independently,}

so that the expected output equals the input,
:math:`\mathbb{E}[\mathrm{dropout}(x)_i] = x_i`, and nothing needs rescaling
at evaluation, where dropout is the identity.

The mask :math:`m` is drawn by :func:`dropout_mask`; :func:`dropout` draws it
from the generator ``rng`` in exactly the same way, so the same generator state
gives the same mask to both, and :func:`dropout_backward` applies the chain
rule with it:
:math:`\partial \ell / \partial x_i = m_i / (1 - p) \cdot \partial \ell / \partial y_i`.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import ArgumentTypeError, check_count, check_entries, describe, is_integer
from dlbook.numpy._arrays import as_float_array, as_numeric_array


def check_dropout_p(p: float) -> float:
    """``p`` as a float; ``ValueError`` unless it is a number from 0 to 1 (NaN is not)."""
    if not isinstance(p, Real) or not 0.0 <= p <= 1.0:
        raise ValueError(
            f"dropout probability p has to be between 0 and 1, but got {describe(p)}"
        )
    return float(p)


def _check_rng(rng: np.random.Generator | None) -> np.random.Generator:
    """``rng``, or a freshly seeded generator when it is ``None``."""
    if rng is None:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a NumPy Generator such as np.random.default_rng(0), "
            f"got {type(rng).__name__}"
        )
    return rng


def _check_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` (an int or a sequence of sizes, 0 allowed) as a tuple of ints, naming what is wrong with it."""
    if is_integer(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list, np.ndarray)):
        raise ArgumentTypeError(f"shape must be a tuple of sizes, such as (4, 3), got {describe(shape)}")
    sizes = tuple(check_count(f"shape[{axis}]", size, 0) for axis, size in enumerate(shape))
    check_entries(f"a dropout mask of shape {sizes}", math.prod(sizes))
    return sizes


def dropout_mask(
    shape: tuple[int, ...], p: float, rng: np.random.Generator | None = None
) -> np.ndarray:
    r"""The boolean keep mask :math:`m` of dropout for an input of ``shape``.

    Each entry is ``True`` (kept) with probability :math:`1 - p`, on its own:
    ``rng.random(shape) >= p``. For :math:`p = 0` every entry is kept and for
    :math:`p = 1` none is, and no random number is drawn in either case.
    ``rng`` is a NumPy ``Generator`` (a fresh one when ``None``). Raises
    ``ValueError`` unless :math:`0 \le p \le 1`.
    """
    p = check_dropout_p(p)
    shape = _check_shape(shape)
    if p == 0.0 or p == 1.0:
        return np.full(shape, p == 0.0)
    return _check_rng(rng).random(shape) >= p


def apply_dropout_mask(
    input: ArrayLike, mask: ArrayLike, p: float
) -> np.ndarray:
    r"""``input`` times the factor :math:`m_i / (1 - p)` of every entry: dropout with a given mask.

    The factor is computed first, in the input's float dtype, and the input
    multiplied by it, as PyTorch does; for :math:`p = 1` the factor is 0
    everywhere. ``mask`` is a boolean keep mask (:func:`dropout_mask`) of the
    input's shape. Returns a new array; raises ``ValueError`` unless
    :math:`0 \le p \le 1` and the mask fits. Like PyTorch, it lets NaN pass
    and turns a dropped infinity into NaN (:math:`0 \cdot \infty`), silently.
    """
    p = check_dropout_p(p)
    x = as_float_array(input, "input")
    mask = as_numeric_array(mask, "mask")
    if mask.dtype != np.bool_ or mask.shape != x.shape:
        raise ValueError(
            f"mask must be a boolean array of shape {x.shape}, "
            f"got {mask.dtype} of shape {mask.shape}"
        )
    if p == 1.0:
        factor = np.zeros(x.shape, dtype=x.dtype)
    else:
        factor = mask.astype(x.dtype) / x.dtype.type(1.0 - p)
    # 0 * inf is NaN and a huge survivor may overflow to inf, silently, as in PyTorch
    with np.errstate(invalid="ignore", over="ignore"):
        return x * factor


def dropout(
    input: ArrayLike,
    p: float = 0.5,
    training: bool = True,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Inverted dropout, :math:`y_i = m_i\, x_i / (1 - p)`, as ``torch.nn.functional.dropout``.

    In training (``training=True``) each entry of ``input`` is zeroed with
    probability ``p`` and the others are multiplied by :math:`1 / (1 - p)`;
    the mask comes from :func:`dropout_mask` with the same ``rng`` (a NumPy
    ``Generator``, for reproducible masks; a fresh one when ``None``). As in
    PyTorch the input is multiplied by the factor :math:`m_i / (1 - p)`, so
    :math:`p = 1` gives zeros (``0 * x``: NaN and infinities become NaN) and
    :math:`p = 0` the input's values. Not training, the result holds the
    input's values, whatever ``p``. The result is always a new array of the
    input's shape and dtype (float32 stays float32); ``input`` itself is
    never changed. Raises ``ValueError`` unless :math:`0 \le p \le 1`, and,
    as PyTorch refuses to scale integers by :math:`1 / (1 - p)`, for
    integer or boolean input in training with :math:`0 < p < 1`; with
    :math:`p = 0`, :math:`p = 1` or no entries they keep their dtype too.
    """
    p = check_dropout_p(p)
    x = as_numeric_array(input, "input")
    if not training:
        return x.copy()
    if not np.issubdtype(x.dtype, np.floating):
        if p == 0.0 or x.size == 0:
            return x.copy()
        if p == 1.0:
            return np.zeros_like(x)
        raise ValueError(
            "input must hold floating-point numbers for dropout in training "
            f"with 0 < p < 1 (scaled by 1 / (1 - p)), got dtype {x.dtype}"
        )
    return apply_dropout_mask(x, dropout_mask(x.shape, p, rng), p)


def dropout_backward(
    grad_output: ArrayLike, mask: ArrayLike, p: float
) -> np.ndarray:
    r"""The gradient of dropout's input, :math:`\partial \ell / \partial x_i = m_i / (1 - p) \cdot g_i`.

    ``grad_output`` is :math:`g = \partial \ell / \partial y` for the output
    :math:`y` of a training-mode :func:`dropout`; ``mask`` is the keep mask
    :math:`m` it used (:func:`dropout_mask`, drawn with the same generator
    state), of ``grad_output``'s shape; ``p`` its probability. Dropout is
    linear in its input, so the gradient flows only through the kept entries,
    scaled as they were; for :math:`p = 1` it is zero. The result has
    ``grad_output``'s shape and float dtype: it is
    :func:`apply_dropout_mask` applied to the gradient. Raises ``ValueError``
    unless :math:`0 \le p \le 1` and ``mask`` is a boolean array of that
    shape.
    """
    return apply_dropout_mask(as_float_array(grad_output, "grad_output"), mask, p)
