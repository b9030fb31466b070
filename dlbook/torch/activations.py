"""Activation functions and their derivatives, the PyTorch way.

The functions are :mod:`torch.nn.functional`'s own; the derivatives are not
written by hand but asked of ``torch.autograd``. Names and signatures mirror
:mod:`dlbook.numpy.activations`.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
import torch.nn.functional as F

from dlbook._validate import check_real, lookup
from dlbook.torch._tensors import as_float_tensor, elementwise_derivative

Activation = Callable[[Any], torch.Tensor]


def sigmoid(x: Any) -> torch.Tensor:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, range :math:`(0, 1)` (``torch.sigmoid``)."""
    return torch.sigmoid(as_float_tensor(x))


def sigmoid_derivative(x: Any) -> torch.Tensor:
    r""":math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, computed by autograd."""
    return elementwise_derivative(torch.sigmoid, x)


def tanh(x: Any) -> torch.Tensor:
    r"""Hyperbolic tangent :math:`\tanh(x) = (e^{x} - e^{-x}) / (e^{x} + e^{-x})` (``torch.tanh``).

    Range :math:`(-1, 1)`.
    """
    return torch.tanh(as_float_tensor(x))


def tanh_derivative(x: Any) -> torch.Tensor:
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`, computed by autograd."""
    return elementwise_derivative(torch.tanh, x)


def relu(x: Any) -> torch.Tensor:
    r"""Rectified linear unit :math:`\max(0, x)`, range :math:`[0, \infty)` (``torch.nn.functional.relu``)."""
    return F.relu(as_float_tensor(x))


def relu_derivative(x: Any) -> torch.Tensor:
    r""":math:`\mathrm{relu}'(x) = 1` if :math:`x > 0` else 0, computed by autograd (0 at the kink)."""
    return elementwise_derivative(F.relu, x)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> torch.Tensor:
    r"""Leaky ReLU: :math:`x` if :math:`x > 0`, else :math:`\alpha x` (``torch.nn.functional.leaky_relu``)."""
    return F.leaky_relu(as_float_tensor(x), check_real("negative_slope", negative_slope, finite=False))


def leaky_relu_derivative(x: Any, negative_slope: float = 0.01) -> torch.Tensor:
    r"""1 if :math:`x > 0`, else :math:`\alpha` = ``negative_slope`` (also at the kink), computed by autograd."""
    slope = check_real("negative_slope", negative_slope, finite=False)
    return elementwise_derivative(lambda t: F.leaky_relu(t, slope), x)


def step(x: Any) -> torch.Tensor:
    r"""Heaviside step: 1 if :math:`x > 0`, else 0 (NaN stays NaN)."""
    x = as_float_tensor(x)
    return torch.where(torch.isnan(x), x, (x > 0).to(x.dtype))


def identity(x: Any) -> torch.Tensor:
    """The identity :math:`f(x) = x`."""
    return as_float_tensor(x)


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


def neuron_curve(x: Any, w: float, b: float, activation: str = "sigmoid") -> tuple[torch.Tensor, torch.Tensor]:
    r"""One neuron on a scalar input: :math:`y = f(w x + b)` and :math:`dy/dx`, the slope found by autograd.

    Same arguments, names and errors as :func:`dlbook.numpy.neuron_curve`; here
    the chain rule :math:`dy/dx = w\, f'(w x + b)` is left to ``torch.autograd``.
    """
    get_derivative(activation)  # the same choice of activations as the NumPy side, the same error
    f = get_activation(activation)
    w, b = check_real("w", w), check_real("b", b)
    x = as_float_tensor(x)
    return f(w * x + b), elementwise_derivative(lambda t: f(w * t + b), x)
