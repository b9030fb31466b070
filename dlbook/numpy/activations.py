"""Activation functions and their derivatives, from scratch in NumPy.

Each function follows :mod:`torch.nn.functional`: it works elementwise on an
array of any shape (empty arrays included), keeps float32 and float64 as they
are, and lets NaN pass through. Every ``<name>_derivative(x)`` is the
derivative with respect to the input ``x``, matching what ``torch.autograd``
computes, including the choice made at the kinks of ReLU and leaky ReLU.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import lookup
from dlbook.numpy._arrays import as_float_array

Activation = Callable[[ArrayLike], np.ndarray]


def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, range :math:`(0, 1)`.

    Stable for any input: only :math:`e^{-|x|} \le 1` is ever computed, so
    ``sigmoid(-1000.0)`` is exactly 0 and ``sigmoid(1000.0)`` exactly 1 with no
    overflow warning. For :math:`x \ge 0` it evaluates :math:`1 / (1 + e^{-x})`,
    for :math:`x < 0` the equal :math:`e^{x} / (1 + e^{x})`.
    """
    x = as_float_array(x)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(x: ArrayLike) -> np.ndarray:
    r""":math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, at most 0.25 (at :math:`x = 0`)."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: ArrayLike) -> np.ndarray:
    r"""Hyperbolic tangent :math:`\tanh(x) = (e^{x} - e^{-x}) / (e^{x} + e^{-x})`, range :math:`(-1, 1)`."""
    return np.tanh(as_float_array(x))


def tanh_derivative(x: ArrayLike) -> np.ndarray:
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`, at most 1 (at :math:`x = 0`)."""
    t = tanh(x)
    return 1 - t * t


def relu(x: ArrayLike) -> np.ndarray:
    r"""Rectified linear unit :math:`\mathrm{relu}(x) = \max(0, x)`, range :math:`[0, \infty)`."""
    x = as_float_array(x)
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def relu_derivative(x: ArrayLike) -> np.ndarray:
    r""":math:`\mathrm{relu}'(x) = 1` if :math:`x > 0` else 0.

    At the kink :math:`x = 0` the derivative is taken as 0, as PyTorch does;
    like PyTorch's autograd it is 1 at NaN (the output is not :math:`\le 0`).
    """
    x = as_float_array(x)
    return (~(x <= 0)).astype(x.dtype)


def leaky_relu(x: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r"""Leaky ReLU: :math:`x` if :math:`x \ge 0`, else :math:`\alpha x` with :math:`\alpha` = ``negative_slope``."""
    x = as_float_array(x)
    return np.where(x >= 0, x, x * x.dtype.type(negative_slope))


def leaky_relu_derivative(x: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r"""1 if :math:`x > 0`, else :math:`\alpha` (also at :math:`x = 0` and at NaN, as PyTorch's autograd)."""
    x = as_float_array(x)
    return np.where(x > 0, x.dtype.type(1), x.dtype.type(negative_slope))


def step(x: ArrayLike) -> np.ndarray:
    r"""Heaviside step, Rosenblatt's original activation: 1 if :math:`x > 0`, else 0 (NaN stays NaN)."""
    x = as_float_array(x)
    return np.where(np.isnan(x), x, (x > 0).astype(x.dtype))


def identity(x: ArrayLike) -> np.ndarray:
    """The identity :math:`f(x) = x`: a neuron with no activation is a linear model."""
    return as_float_array(x)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "step": step,
    "identity": identity,
}

DERIVATIVES: dict[str, Activation] = {
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "leaky_relu": leaky_relu_derivative,
}


def get_activation(name: str) -> Activation:
    """The activation called ``name`` (one of :data:`ACTIVATIONS`)."""
    return lookup("activation", name, ACTIVATIONS)


def get_derivative(name: str) -> Activation:
    """The derivative of the activation called ``name`` (one of :data:`DERIVATIVES`)."""
    return lookup("activation derivative", name, DERIVATIVES)
