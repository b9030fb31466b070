"""The perceptron forward pass in NumPy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_not_bool, check_perceptron_inputs
from dlbook.numpy._arrays import as_float_array
from dlbook.numpy.activations import get_activation


def weighted_sum(x: ArrayLike, w: ArrayLike, b: float) -> np.ndarray:
    r"""The pre-activation :math:`z = x \cdot w + b = \sum_j x_j w_j + b`.

    ``x`` is one example of shape ``(d,)`` (result: a 0-D array) or a batch of
    shape ``(n, d)`` (result: shape ``(n,)``); ``w`` has shape ``(d,)``; ``b``
    is a scalar. Raises ``ValueError`` on mismatched shapes, empty input, NaN
    or infinities, and a ``TypeError`` on what is not numbers.
    """
    check_not_bool("b", b)
    x, w, b = as_float_array(x, "x"), as_float_array(w, "w"), as_float_array(b, "b")
    check_perceptron_inputs(x, w, b)
    z = x @ w
    return z + b.astype(z.dtype)  # a scalar bias must not promote float32 sums to float64


def perceptron(x: ArrayLike, w: ArrayLike, b: float, activation: str = "sigmoid") -> np.ndarray:
    r"""A perceptron's output :math:`\hat y = f(x \cdot w + b)`.

    ``activation`` names :math:`f`: ``"sigmoid"`` (default), ``"tanh"``,
    ``"relu"``, ``"leaky_relu"``, ``"step"`` or ``"identity"``. Shapes and
    errors are those of :func:`weighted_sum`.
    """
    f = get_activation(activation)
    return f(weighted_sum(x, w, b))


def predict_class(x: ArrayLike, w: ArrayLike, b: float) -> np.ndarray:
    r"""The class a perceptron assigns: 1 where :math:`w \cdot x + b > 0`, else 0 (int64).

    For every activation in the book this is the same as thresholding the
    output in the middle of its range (0.5 for sigmoid and step, 0 for tanh).
    """
    return (weighted_sum(x, w, b) > 0).astype(np.int64)
