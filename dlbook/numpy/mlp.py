r"""A two-layer perceptron (one hidden layer) with backpropagation written out by hand.

The network maps a batch :math:`X` of shape ``(n, n_in)`` to logits of shape
``(n, n_out)``:

.. math::

    Z_1 = X W_1 + b_1, \qquad H = f(Z_1), \qquad Z_2 = H W_2 + b_2 .

The backward pass applies the chain rule layer by layer. Given
:math:`G = \partial L / \partial Z_2` for a loss :math:`L` (shape ``(n, n_out)``):

.. math::

    \frac{\partial L}{\partial W_2} = H^\top G, \quad
    \frac{\partial L}{\partial b_2} = \sum_i G_{i,:}, \quad
    \frac{\partial L}{\partial H} = G W_2^\top, \quad
    \frac{\partial L}{\partial Z_1} = \frac{\partial L}{\partial H} \odot f'(Z_1), \quad
    \frac{\partial L}{\partial W_1} = X^\top \frac{\partial L}{\partial Z_1}, \quad
    \frac{\partial L}{\partial b_1} = \sum_i \Big(\frac{\partial L}{\partial Z_1}\Big)_{i,:}.

Everything is computed in the dtype of the parameters: float32 parameters give
float32 logits and gradients.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from dlbook._validate import check_ndim, check_no_nan, check_not_empty, check_seed, lookup
from dlbook.numpy._arrays import as_float_array, as_int64, as_numeric_array
from dlbook.numpy._params import (
    cached_array,
    check_param_arrays,
    check_sizes,
    float_dtype,
    glorot_uniform,
    grad_array,
    layer_input,
)
from dlbook.numpy.activations import get_activation, get_derivative
from dlbook.numpy.softmax import _log_softmax

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def _tanh_derivative_from_output(h: np.ndarray) -> np.ndarray:
    r""":math:`\tanh'(z) = 1 - h^2` where :math:`h = \tanh(z)`."""
    d = h * h
    np.subtract(1, d, out=d)
    return d


def _sigmoid_derivative_from_output(h: np.ndarray) -> np.ndarray:
    r""":math:`\sigma'(z) = h (1 - h)` where :math:`h = \sigma(z)`."""
    d = 1 - h
    d *= h
    return d


# f'(z) written in terms of the output h = f(z), so the backward pass reuses the
# forward pass's H instead of recomputing f(Z1). ReLU and leaky ReLU keep the
# sign of their input (h > 0 exactly when z > 0), so their derivative at h
# equals their derivative at z. A test compares every entry with get_derivative.
_DERIVATIVE_FROM_OUTPUT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": _tanh_derivative_from_output,
    "sigmoid": _sigmoid_derivative_from_output,
    "relu": get_derivative("relu"),
    "leaky_relu": get_derivative("leaky_relu"),
}


def init_mlp(
    n_in: int, n_hidden: int, n_out: int, seed: int = 0, dtype: DTypeLike = np.float64
) -> dict[str, np.ndarray]:
    r"""Fresh parameters for a two-layer network with Xavier/Glorot-uniform weights and zero biases.

    Each weight matrix of shape ``(fan_in, fan_out)`` is drawn from
    :math:`U(-a, a)` with
    :math:`a = \sqrt{6 / (\mathrm{fan\_in} + \mathrm{fan\_out})}`
    (:func:`~dlbook.numpy._params.glorot_uniform`), which keeps the variance
    of activations and gradients roughly constant from layer to layer.
    Returns ``{"W1": (n_in, n_hidden), "b1": (n_hidden,),
    "W2": (n_hidden, n_out), "b2": (n_out,)}`` in ``dtype``, drawn from
    ``np.random.default_rng(seed)``.
    """
    check_sizes(n_in=n_in, n_hidden=n_hidden, n_out=n_out)
    dtype = float_dtype(dtype)
    rng = np.random.default_rng(check_seed(seed))
    return {
        "W1": glorot_uniform(rng, n_in, n_hidden, dtype),
        "b1": np.zeros(n_hidden, dtype=dtype),
        "W2": glorot_uniform(rng, n_hidden, n_out, dtype),
        "b2": np.zeros(n_out, dtype=dtype),
    }


def check_activation(activation: str) -> None:
    """``ValueError`` unless ``activation`` names a hidden nonlinearity of the network, listing those it knows."""
    lookup("activation", activation, _DERIVATIVE_FROM_OUTPUT)


def check_params(params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return ``W1, b1, W2, b2`` after checking keys, shapes, dtypes and NaN."""
    W1, b1, W2, b2 = check_param_arrays(params, PARAM_NAMES)
    if b1.shape[0] != W1.shape[1] or W2.shape[0] != W1.shape[1] or b2.shape[0] != W2.shape[1]:
        raise ValueError(
            "inconsistent parameter shapes: W1 (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, n_out), "
            f"b2 (n_out,) expected, got W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}"
        )
    return W1, b1, W2, b2


def mlp_forward(
    params: dict[str, np.ndarray], X: ArrayLike, activation: str = "tanh"
) -> tuple[np.ndarray, dict[str, Any]]:
    r"""The forward pass :math:`Z_2 = f(X W_1 + b_1) W_2 + b_2`, the logits.

    ``X`` has shape ``(n, n_in)`` and is cast to the parameters' dtype;
    ``activation`` names the hidden nonlinearity :math:`f` (``"tanh"``,
    ``"sigmoid"``, ``"relu"`` or ``"leaky_relu"``). Returns the logits, shape
    ``(n, n_out)``, and the cache that :func:`mlp_backward` needs (the input
    ``X``, the hidden activations ``H`` and the activation's name). Raises
    ``ValueError`` on mismatched shapes, empty input, NaN (or an infinity in ``X``).
    """
    W1, _, _, _ = check_params(params)
    check_activation(activation)
    return _mlp_forward(params, layer_input(X, W1, "W1"), activation)


def _mlp_forward(params: dict[str, np.ndarray], X: np.ndarray, activation: str) -> tuple[np.ndarray, dict[str, Any]]:
    """:func:`mlp_forward` of arguments already checked (``X`` in the parameters' dtype): a training loop's step."""
    W1, b1, W2, b2 = (params[name] for name in PARAM_NAMES)
    Z1 = X @ W1
    Z1 += b1
    # tanh, the default, is applied in place in the parameters' dtype. The general
    # dlbook.numpy.tanh rounds through float64 to agree with PyTorch to the last bit;
    # here that float64 copy and the slower float64 tanh would double the time of a
    # whole training step at batch 1024, hidden 512 (see benchmarks/mlp_step.py).
    H = np.tanh(Z1, out=Z1) if activation == "tanh" else get_activation(activation)(Z1)
    logits = H @ W2
    logits += b2
    return logits, {"X": X, "H": H, "activation": activation}


def mlp_backward(
    params: dict[str, np.ndarray], cache: dict[str, Any], grad_logits: ArrayLike
) -> dict[str, np.ndarray]:
    r"""Gradients of a loss :math:`L` with respect to every parameter, by the chain rule.

    ``cache`` is the second output of :func:`mlp_forward` and ``grad_logits``
    is :math:`G = \partial L / \partial Z_2`, shape ``(n, n_out)``. Returns a
    dict with the keys and shapes of ``params``:
    :math:`\partial L/\partial W_2 = H^\top G`, :math:`\partial L/\partial b_2 = \sum_i G_{i,:}`,
    :math:`\delta = (G W_2^\top) \odot f'(Z_1)`,
    :math:`\partial L/\partial W_1 = X^\top \delta`, :math:`\partial L/\partial b_1 = \sum_i \delta_{i,:}`.
    The factor :math:`f'(Z_1)` is computed from the cached :math:`H = f(Z_1)`
    (e.g. :math:`1 - H^2` for tanh).
    """
    W1, _, W2, _ = check_params(params)
    if not isinstance(cache, dict) or not {"X", "H", "activation"} <= set(cache):
        raise ValueError("cache must be the dict returned by mlp_forward (keys 'X', 'H', 'activation')")
    check_activation(cache["activation"])
    X = cached_array(cache, "X", W1.shape[0], W1.dtype, None, "mlp_forward")
    cached_array(cache, "H", W2.shape[0], W1.dtype, X.shape[0], "mlp_forward")
    return _mlp_backward(params, cache, grad_array(grad_logits, (X.shape[0], W2.shape[1]), W1.dtype))


def _mlp_backward(params: dict[str, np.ndarray], cache: dict[str, Any], G: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`mlp_backward` of arguments already checked (``G`` in the parameters' dtype): a training loop's step."""
    X, H, W2 = cache["X"], cache["H"], params["W2"]
    delta = G @ W2.T
    delta *= _DERIVATIVE_FROM_OUTPUT[cache["activation"]](H)
    return {
        "W1": X.T @ delta,
        "b1": delta.sum(axis=0),
        "W2": H.T @ G,
        "b2": G.sum(axis=0),
    }


def softmax_cross_entropy(logits: ArrayLike, y: ArrayLike) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of softmax probabilities, and its gradient with respect to the logits.

    For logits :math:`z` of shape ``(n, C)`` and integer classes :math:`y_i`:

    .. math::

        L = \frac{1}{n} \sum_i \Big(\log \sum_c e^{z_{ic}} - z_{i y_i}\Big), \qquad
        \frac{\partial L}{\partial z} = \frac{\mathrm{softmax}(z) - \mathrm{onehot}(y)}{n}.

    The log-probabilities come from :func:`~dlbook.numpy.softmax.log_softmax`
    (log-sum-exp after subtracting each row's maximum), so huge logits do not
    overflow. Returns ``(loss, grad)``; ``grad`` keeps the dtype
    of ``logits``.
    """
    z = as_float_array(logits, "logits")
    check_ndim("logits", z, (2,))
    check_not_empty("logits", z)
    check_no_nan("logits", z)
    if (z == np.inf).any():  # -inf is a probability of 0, +inf has no softmax (inf / inf)
        raise ValueError("logits contains +inf; the softmax of an infinite logit is undefined")
    y = as_numeric_array(y, "y")
    n, n_classes = z.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one class index per row of logits, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold integer class indices, got dtype {y.dtype}")
    y = as_int64("y", y)
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold class indices in [0, {n_classes - 1}], got values from {y.min()} to {y.max()}")
    return _softmax_cross_entropy(z, y)


def _softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """:func:`softmax_cross_entropy` of arguments already checked (float logits, int64 classes): a training step's."""
    n = len(z)
    log_probs = _log_softmax(z, 1)
    rows = np.arange(n)
    loss = -float(log_probs[rows, y].mean())
    with np.errstate(under="ignore"):
        grad = np.exp(log_probs)
    grad[rows, y] -= 1
    grad /= n
    return loss, grad
