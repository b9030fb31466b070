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

from dlbook._validate import check_real, lookup
from dlbook.numpy._arrays import as_float_array

Activation = Callable[[ArrayLike], np.ndarray]


def _exp_overflow_point(dtype: np.dtype) -> float:
    r"""The :math:`x` below which PyTorch's :math:`1 / (1 + e^{-x})` meets :math:`e^{-x} = \infty` and returns 0.

    That point is :math:`-\ln` of the largest float: about -88.72 in float32 and
    -709.78 in float64. float16 counts as float32, because PyTorch computes
    half precision in float32.
    """
    return -float(np.log(np.finfo(np.promote_types(dtype, np.float32)).max))


def sigmoid(x: ArrayLike) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, range :math:`(0, 1)`.

    Stable for any input: only :math:`e^{-|x|} \le 1` is ever computed, so
    ``sigmoid(-1000.0)`` is exactly 0 and ``sigmoid(1000.0)`` exactly 1 with no
    overflow warning. For large :math:`|x|` that exponential underflows (to a
    subnormal number or to 0), which is harmless: only digits below the
    smallest normal float are lost, so the underflow is not reported, even
    under ``np.errstate(under="raise")``. For :math:`x \ge 0` it evaluates
    :math:`1 / (1 + e^{-x})`, for :math:`x < 0` the equal
    :math:`e^{x} / (1 + e^{x})`. Far left, where PyTorch's :math:`e^{-x}`
    overflows (:math:`x < -\ln(\text{largest float})`), the result is exactly
    0 as in PyTorch; the true value there is below the smallest normal float
    anyway.
    """
    x = as_float_array(x)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return np.where(x < _exp_overflow_point(x.dtype), x.dtype.type(0), s)


def sigmoid_derivative(x: ArrayLike) -> np.ndarray:
    r""":math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, range :math:`[0, 0.25]`.

    The maximum 0.25 is at :math:`x = 0`, where :math:`\sigma(0) = 1/2`.
    """
    s = sigmoid(x)
    return np.asarray(s * (1 - s))


def tanh(x: ArrayLike) -> np.ndarray:
    r"""Hyperbolic tangent :math:`\tanh(x) = (e^{x} - e^{-x}) / (e^{x} + e^{-x})`, range :math:`(-1, 1)`.

    Lower precisions are computed in float64 and rounded back: NumPy's float32
    ``tanh`` can be a few units in the last place off, the rounded float64
    result is almost always the correctly rounded value, as PyTorch's is.
    """
    x = as_float_array(x)
    return np.asarray(np.tanh(x.astype(np.promote_types(x.dtype, np.float64), copy=False)).astype(x.dtype))


def tanh_derivative(x: ArrayLike) -> np.ndarray:
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`, range :math:`[0, 1]`; the maximum 1 is at :math:`x = 0`.

    For tiny :math:`x` the square :math:`\tanh^2(x)` underflows to 0, which is harmless: the result is 1.
    """
    t = tanh(x)
    with np.errstate(under="ignore"):
        return np.asarray(1 - t * t)


def relu(x: ArrayLike) -> np.ndarray:
    r"""Rectified linear unit :math:`\mathrm{relu}(x) = \max(0, x)`, range :math:`[0, \infty)`.

    As in PyTorch, negative inputs become 0 and everything else, including
    -0.0 and NaN, passes through unchanged.
    """
    x = as_float_array(x)
    return np.where(x < 0, x.dtype.type(0), x)


def relu_derivative(x: ArrayLike) -> np.ndarray:
    r""":math:`\mathrm{relu}'(x) = 1` if :math:`x > 0` else 0.

    At the kink :math:`x = 0` the derivative is taken as 0, as PyTorch does;
    like PyTorch's autograd it is 1 at NaN (the output is not :math:`\le 0`).
    """
    x = as_float_array(x)
    return np.where(x <= 0, x.dtype.type(0), x.dtype.type(1))


def leaky_relu(x: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r"""Leaky ReLU: :math:`x` if :math:`x > 0`, else :math:`\alpha x` with :math:`\alpha` = ``negative_slope``.

    Range :math:`(-\infty, \infty)` for :math:`\alpha > 0`. The product
    :math:`\alpha x` is computed only where it is used, in the input's dtype,
    and rounds as PyTorch's does, silently: to 0 when :math:`x` is tiny, to
    :math:`-\infty` when :math:`\alpha > 1` and :math:`x` is near the most negative float.
    """
    x = as_float_array(x)
    slope = x.dtype.type(check_real("negative_slope", negative_slope, finite=False))
    negative = ~(x > 0)
    out = x.copy()
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):  # 0 * inf is NaN, as in torch
        np.multiply(x, slope, out=out, where=negative)
    return out


def leaky_relu_derivative(x: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r""":math:`1` if :math:`x > 0`, else :math:`\alpha` (also at :math:`x = 0` and at NaN, as PyTorch's autograd)."""
    x = as_float_array(x)
    slope = check_real("negative_slope", negative_slope, finite=False)
    return np.where(x > 0, x.dtype.type(1), x.dtype.type(slope))


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


def neuron_curve(
    x: ArrayLike, w: float, b: float, activation: str = "sigmoid"
) -> tuple[np.ndarray, np.ndarray]:
    r"""One neuron on a scalar input: :math:`y = f(w x + b)` and its slope :math:`\frac{dy}{dx} = w\, f'(w x + b)`.

    ``activation`` names :math:`f`, one of :data:`DERIVATIVES`. The weight
    stretches the curve along :math:`x` by :math:`1/w` (a negative :math:`w`
    mirrors it), the bias shifts it so that :math:`f`'s centre :math:`z = 0`
    lands at :math:`x = -b/w`. Returns ``(y, dy_dx)``, both shaped like ``x``.
    """
    f, df = get_activation(activation), get_derivative(activation)
    w, b = check_real("w", w), check_real("b", b)
    with np.errstate(under="ignore"):  # a tiny w may round w x or w f'(z) to 0: harmless
        z = w * as_float_array(x) + b
        return f(z), np.asarray(w * df(z))

