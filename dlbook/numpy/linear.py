r"""Softmax regression: one linear layer from the inputs to the class logits.

The model maps a batch :math:`X` of shape ``(n, n_in)`` to logits of shape
``(n, n_out)``, and softmax turns each row into class probabilities:

.. math::

    L = X W + b, \qquad \hat y_i = \mathrm{softmax}(L_{i,:}).

Trained with the softmax cross-entropy it is multinomial logistic
regression: the network of :mod:`dlbook.numpy.mlp` without its hidden layer.
Given :math:`G = \partial \ell / \partial L`, the backward pass is the last
layer's half of the two-layer one:

.. math::

    \frac{\partial \ell}{\partial W} = X^\top G, \qquad
    \frac{\partial \ell}{\partial b} = \sum_i G_{i,:}.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from dlbook._validate import check_seed
from dlbook.numpy._params import (
    cached_array,
    check_param_arrays,
    check_sizes,
    float_dtype,
    glorot_uniform,
    grad_array,
    layer_input,
)

LINEAR_PARAM_NAMES = ("W", "b")


def init_linear(
    n_in: int, n_out: int, seed: int = 0, dtype: DTypeLike = np.float64
) -> dict[str, np.ndarray]:
    r"""Fresh parameters ``{"W": (n_in, n_out), "b": (n_out,)}`` in ``dtype``.

    :math:`W` is Glorot-uniform, :math:`U(-a, a)` with
    :math:`a = \sqrt{6 / (n_\mathrm{in} + n_\mathrm{out})}`, drawn from
    ``np.random.default_rng(seed)``; :math:`b = 0`.
    """
    check_sizes(n_in=n_in, n_out=n_out)
    dtype = float_dtype(dtype)
    rng = np.random.default_rng(check_seed(seed))
    return {
        "W": glorot_uniform(rng, n_in, n_out, dtype),
        "b": np.zeros(n_out, dtype=dtype),
    }


def check_linear_params(
    params: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``W, b`` after checking keys, shapes, dtypes and NaN."""
    W, b = check_param_arrays(params, LINEAR_PARAM_NAMES)
    if b.shape[0] != W.shape[1]:
        raise ValueError(
            "inconsistent parameter shapes: W (n_in, n_out) and b (n_out,) "
            f"expected, got W {W.shape}, b {b.shape}"
        )
    return W, b


def linear_forward(
    params: dict[str, np.ndarray], X: ArrayLike
) -> tuple[np.ndarray, dict[str, Any]]:
    r"""The logits :math:`L = X W + b`, shape ``(n, n_out)``, and a cache.

    ``X`` has shape ``(n, n_in)`` and is cast to the parameters' dtype. The
    cache holds ``X`` for :func:`linear_backward`. Raises ``ValueError`` on
    mismatched shapes, empty input, NaN (or an infinity in ``X``).
    """
    W, b = check_linear_params(params)
    X = layer_input(X, W, "W")
    logits = X @ W
    logits += b
    return logits, {"X": X}


def linear_backward(
    params: dict[str, np.ndarray],
    cache: dict[str, Any],
    grad_logits: ArrayLike,
) -> dict[str, np.ndarray]:
    r"""Gradients of a loss :math:`\ell` with respect to ``W`` and ``b``.

    :math:`\partial \ell/\partial W = X^\top G` and
    :math:`\partial \ell/\partial b = \sum_i G_{i,:}`. ``cache`` is the second
    output of :func:`linear_forward` and ``grad_logits`` is
    :math:`G = \partial \ell / \partial L`, shape ``(n, n_out)``. Returns a
    dict with the keys and shapes of ``params``.
    """
    W, _ = check_linear_params(params)
    if not isinstance(cache, dict) or "X" not in cache:
        raise ValueError(
            "cache must be the dict returned by linear_forward (key 'X')"
        )
    X = cached_array(cache, "X", W.shape[0], W.dtype, None, "linear_forward")
    G = grad_array(grad_logits, (X.shape[0], W.shape[1]), W.dtype)
    return {"W": X.T @ G, "b": G.sum(axis=0)}
