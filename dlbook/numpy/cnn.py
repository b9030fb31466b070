r"""A small convolutional network for square grey-scale images, LeNet's plan sized for 8 x 8 digits.

Two rounds of convolution, ReLU and max pooling, then one linear layer to the
logits. For an image :math:`x` of :math:`S \times S` pixels and channel counts
:math:`(c_1, c_2)`:

.. math::

    H_1 = \mathrm{pool}(\mathrm{relu}(K_1 \star x + b_1)), \quad
    H_2 = \mathrm{pool}(\mathrm{relu}(K_2 \star H_1 + b_2)), \quad
    L = \mathrm{flatten}(H_2)\, W_3 + b_3,

with :math:`3 \times 3` kernels padded by one pixel (each convolution keeps
the size) and :math:`2 \times 2` max pooling with stride 2 (each halves it):
:math:`S \times S \to S/2 \times S/2 \to S/4 \times S/4`. For the 8 x 8 digits
and :math:`(16, 32)` channels: :math:`K_1` is ``(16, 1, 3, 3)``, :math:`K_2`
``(32, 16, 3, 3)``, and :math:`W_3` maps :math:`32 \cdot 2 \cdot 2 = 128`
features to 10 logits.

The parameters are a dict ``{"K1", "b1", "K2", "b2", "W3", "b3"}`` and the
model is a pair :func:`cnn_forward` / :func:`cnn_backward`, so
:func:`dlbook.numpy.training.train_classifier` trains it as it trains the
other models of the book; :func:`dlbook.numpy.training.train_cnn` takes the
same steps with the unchecked cores :func:`_cnn_forward` and
:func:`_cnn_backward`. Images come in as rows of :math:`S^2` pixels, read
row by row, like every data set of the book. The backward pass applies the
chain rule through each layer as :func:`~dlbook.numpy.conv.conv2d_backward`
and :func:`~dlbook.numpy.pooling.max_pool2d_backward` do; its twin in PyTorch
is :class:`dlbook.torch.cnn.CNN`.
"""

from __future__ import annotations

from functools import lru_cache
from math import isqrt
from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from dlbook._conv_checks import Geometry, conv_geometry
from dlbook._validate import ArgumentTypeError, check_ndim, check_no_nan, check_not_empty, check_seed, describe
from dlbook.numpy._arrays import as_numeric_array
from dlbook.numpy._params import check_param_arrays, check_sizes, float_dtype, glorot_uniform
from dlbook.numpy.conv import Unfolded, _conv2d_backward_unfolded, _conv2d_unfolded
from dlbook.numpy.pooling import _tiled_max, _tiled_max_backward
from dlbook.numpy.softmax import softmax

CNN_PARAM_NAMES = ("K1", "b1", "K2", "b2", "W3", "b3")
#: The number of axes of each parameter: kernels 4-D, the output layer's weights 2-D, biases 1-D.
CNN_PARAM_NDIMS = {"K1": 4, "b1": 1, "K2": 4, "b2": 1, "W3": 2, "b3": 1}
#: The kernels' height and width, and their padding: each convolution keeps the image's size.
KERNEL, PADDING = 3, 1
#: The pooling windows' size and stride: each pooling halves the height and the width.
POOL = 2
#: What :func:`cnn_forward` keeps for :func:`cnn_backward` (and the book's figures).
CACHE_KEYS = ("X", "A1", "H1", "A2", "H2", "columns")


def he_uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype: np.dtype) -> np.ndarray:
    r"""Weights drawn from :math:`U(-a, a)` with :math:`a = \sqrt{6 / \mathrm{fan\_in}}` (He et al., 2015).

    A ReLU zeroes half of its inputs on average, so the variance
    :math:`2 / \mathrm{fan\_in}` (twice Glorot's for a square layer) keeps the
    activations' scale from layer to layer.
    """
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=shape).astype(dtype)


def check_cnn_sizes(channels: tuple[int, int], side: int, n_classes: int) -> tuple[int, int]:
    """``channels`` as ``(c1, c2)``, after checking the sizes of a network (a multiple of 4 for ``side``)."""
    if isinstance(channels, (str, bytes)) or not isinstance(channels, Sequence) or len(channels) != 2:
        raise ArgumentTypeError(f"channels must be a pair of channel counts (c1, c2), got {describe(channels)}")
    check_sizes(**{"channels[0]": channels[0], "channels[1]": channels[1], "side": side, "n_classes": n_classes})
    if side % (POOL * POOL):
        raise ValueError(f"side must be a multiple of {POOL * POOL} (two poolings halve it), got {side}")
    return int(channels[0]), int(channels[1])


def init_cnn(
    channels: tuple[int, int] = (16, 32),
    side: int = 8,
    n_classes: int = 10,
    seed: int = 0,
    dtype: DTypeLike = np.float64,
) -> dict[str, np.ndarray]:
    r"""Fresh parameters for images of ``side`` x ``side`` pixels and ``channels`` = :math:`(c_1, c_2)`.

    The kernels are He-uniform (:func:`he_uniform`, fan-in :math:`9` and
    :math:`9 c_1`), the output layer Glorot-uniform
    (:func:`~dlbook.numpy._params.glorot_uniform`), the biases zero; all drawn
    from ``np.random.default_rng(seed)`` in ``dtype``. ``side`` must be a
    multiple of 4 (two poolings halve it).
    """
    c1, c2 = check_cnn_sizes(channels, side, n_classes)
    dtype = float_dtype(dtype)
    rng = np.random.default_rng(check_seed(seed))
    features = c2 * (side // (POOL * POOL)) ** 2
    return {
        "K1": he_uniform(rng, (c1, 1, KERNEL, KERNEL), KERNEL * KERNEL, dtype),
        "b1": np.zeros(c1, dtype=dtype),
        "K2": he_uniform(rng, (c2, c1, KERNEL, KERNEL), c1 * KERNEL * KERNEL, dtype),
        "b2": np.zeros(c2, dtype=dtype),
        "W3": glorot_uniform(rng, features, n_classes, dtype),
        "b3": np.zeros(n_classes, dtype=dtype),
    }


def check_cnn_params(params: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Return ``K1, b1, K2, b2, W3, b3`` after checking keys, shapes, dtypes and NaN."""
    K1, b1, K2, b2, W3, b3 = check_param_arrays(params, CNN_PARAM_NAMES, CNN_PARAM_NDIMS)
    c1, c2 = K1.shape[0], K2.shape[0]
    fits = (K1.shape[1:] == (1, KERNEL, KERNEL) and K2.shape[1:] == (c1, KERNEL, KERNEL) and b1.shape == (c1,)
            and b2.shape == (c2,) and W3.shape[0] % c2 == 0 and b3.shape == (W3.shape[1],))
    if not fits:
        raise ValueError(
            f"inconsistent parameter shapes: K1 (c1, 1, {KERNEL}, {KERNEL}), b1 (c1,), K2 (c2, c1, {KERNEL}, "
            f"{KERNEL}), b2 (c2,), W3 (c2 * (side / 4)^2, n_classes), b3 (n_classes,) expected, got "
            + ", ".join(f"{name} {p.shape}" for name, p in zip(CNN_PARAM_NAMES, (K1, b1, K2, b2, W3, b3)))
        )
    return K1, b1, K2, b2, W3, b3


def image_side(W3: np.ndarray, c2: int) -> int:
    """The side of the images a network with output layer ``W3`` reads: ``W3.shape[0] = c2 * (side / 4)^2``."""
    return POOL * POOL * isqrt(W3.shape[0] // c2)


def images(X: ArrayLike, W3: np.ndarray, c2: int) -> np.ndarray:
    """The rows of ``X`` (``(n, side * side)``, row by row) as images ``(n, 1, side, side)`` in ``W3``'s dtype.

    ``side`` is the one the output layer ``W3`` was made for:
    ``W3.shape[0] = c2 * (side / 4)^2``.
    """
    X = as_numeric_array(X, "X")
    check_ndim("X", X, (2,))
    check_not_empty("X", X)
    side = image_side(W3, c2)
    if X.shape[1] != side * side or c2 * (side // (POOL * POOL)) ** 2 != W3.shape[0]:
        raise ValueError(f"X has shape {X.shape} but the network reads images of {side} x {side} = "
                         f"{side * side} pixels (W3 has shape {W3.shape})")
    X = X.astype(W3.dtype, copy=False)
    check_no_nan("X", X)
    return X.reshape(-1, 1, side, side)


def cnn_forward(params: dict[str, np.ndarray], X: ArrayLike) -> tuple[np.ndarray, dict[str, Any]]:
    r"""The logits :math:`L`, shape ``(n, n_classes)``, of the images in the rows of ``X``, and a cache.

    ``X`` has shape ``(n, side * side)`` and is cast to the parameters'
    dtype. The cache holds what :func:`cnn_backward` needs and what the book
    draws: the input images ``"X"`` ``(n, 1, S, S)``, the ReLU outputs before
    pooling, ``"A1"`` ``(n, c1, S, S)`` and ``"A2"`` ``(n, c2, S/2, S/2)``
    (the *feature maps*), the pooled ones ``"H1"`` and ``"H2"``, and both
    convolutions' input columns, ``"columns"``
    (:func:`~dlbook.numpy.conv.conv2d_unfolded`).
    """
    _, _, K2, _, W3, _ = check_cnn_params(params)
    return _cnn_forward(params, images(X, W3, K2.shape[0]))


@lru_cache(maxsize=16)
def _conv_geometry(input_shape: tuple[int, ...], weight_shape: tuple[int, ...]) -> Geometry:
    """The geometry of the network's convolutions (3 x 3, padding 1, stride 1) for these shapes."""
    return conv_geometry(input_shape, weight_shape, weight_shape[:1], 1, PADDING, 1, 1)


def _convolve(x: np.ndarray, K: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Unfolded]:
    """One convolution of the network, its arguments already checked: its output and its input's columns."""
    return _conv2d_unfolded(x, K, b, _conv_geometry(x.shape, K.shape), 1)


def _cnn_forward(params: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """:func:`cnn_forward` of arguments already checked, on images ``x`` ``(n, 1, S, S)`` in the parameters'
    dtype: a training loop's step."""
    K1, b1, K2, b2, W3, b3 = (params[name] for name in CNN_PARAM_NAMES)
    Z1, unfolded1 = _convolve(x, K1, b1)
    A1 = np.maximum(Z1, 0, out=Z1)
    H1 = _tiled_max(A1, (POOL, POOL))
    Z2, unfolded2 = _convolve(H1, K2, b2)
    A2 = np.maximum(Z2, 0, out=Z2)
    H2 = _tiled_max(A2, (POOL, POOL))
    logits = H2.reshape(len(x), -1) @ W3
    logits += b3
    return logits, {"X": x, "A1": A1, "H1": H1, "A2": A2, "H2": H2, "columns": (unfolded1, unfolded2)}


def cnn_backward(
    params: dict[str, np.ndarray], cache: dict[str, Any], grad_logits: ArrayLike
) -> dict[str, np.ndarray]:
    r"""Gradients of a loss :math:`\ell` with respect to every parameter, layer by layer.

    ``cache`` is the second output of :func:`cnn_forward` and ``grad_logits``
    is :math:`G = \partial \ell / \partial L`. Going back:
    :math:`\partial \ell / \partial W_3 = F^\top G` and
    :math:`\partial \ell / \partial b_3 = \sum_i G_{i,:}` for the flattened
    features :math:`F`; :math:`\partial \ell / \partial F = G W_3^\top`, sent by
    each pooling to the maximum of its window, multiplied by the ReLU's
    derivative (1 where its output is positive, else 0), and through each
    convolution by :func:`~dlbook.numpy.conv.conv2d_backward`. Returns a dict
    with the keys and shapes of ``params``.
    """
    K1, _, K2, _, W3, _ = check_cnn_params(params)
    if not isinstance(cache, dict) or set(cache) != set(CACHE_KEYS):
        raise ValueError(f"cache must be the dict returned by cnn_forward (keys {', '.join(CACHE_KEYS)})")
    x, A1, A2, H2 = (cache[name] for name in ("X", "A1", "A2", "H2"))
    unfolded1, unfolded2 = cache["columns"]
    G = as_numeric_array(grad_logits, "grad_logits")
    expected = (len(x), W3.shape[1])
    if G.shape != expected:
        raise ValueError(f"grad_logits must have shape {expected} (batch, n_classes), got {G.shape}")
    G = G.astype(W3.dtype, copy=False)
    check_no_nan("grad_logits", G)
    return _cnn_backward(params, cache, G)


def _pool_and_relu_backward(grad: np.ndarray, A: np.ndarray, H: np.ndarray) -> np.ndarray:
    r"""The gradient for a convolution's output :math:`Z` from ``grad``, that of :math:`H = \mathrm{pool}(A)`
    with :math:`A = \mathrm{relu}(Z)`: back through the pooling and the ReLU,

    .. math::

        \frac{\partial \ell}{\partial Z_p} = \begin{cases}
            \partial \ell / \partial H_w & p \text{ the first maximum of window } w \text{ and } H_w > 0, \\
            0 & \text{otherwise,}
        \end{cases}

    the first maximum taken row by row: :func:`~dlbook.numpy.pooling.max_pool2d_backward`
    followed by the ReLU's derivative :math:`[A_p > 0]`, which at a window's
    maximum is :math:`[H_w > 0]`. A window holding NaN sends nothing back
    (``NaN > 0`` is false).
    """
    return _tiled_max_backward(np.where(H > 0, grad, 0), A, H, (POOL, POOL))


def _cnn_backward(params: dict[str, np.ndarray], cache: dict[str, Any], G: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`cnn_backward` of arguments already checked (``G`` in the parameters' dtype): a training loop's
    step."""
    K1, K2, W3 = params["K1"], params["K2"], params["W3"]
    x, A1, H1, A2, H2 = (cache[name] for name in ("X", "A1", "H1", "A2", "H2"))
    unfolded1, unfolded2 = cache["columns"]
    features = H2.reshape(len(x), -1)
    grad_A2 = _pool_and_relu_backward((G @ W3.T).reshape(H2.shape), A2, H2)
    grad_H1, grad_K2, grad_b2 = _conv2d_backward_unfolded(grad_A2, unfolded2, K2)
    grad_A1 = _pool_and_relu_backward(grad_H1, A1, H1)
    _, grad_K1, grad_b1 = _conv2d_backward_unfolded(grad_A1, unfolded1, K1, input_grad=False)  # x needs none
    return {"K1": grad_K1, "b1": grad_b1, "K2": grad_K2, "b2": grad_b2, "W3": features.T @ G, "b3": G.sum(axis=0)}


def cnn_predict_proba(params: dict[str, np.ndarray], X: ArrayLike) -> np.ndarray:
    r"""The network's class probabilities :math:`\mathrm{softmax}(L)` for the images in the rows of ``X``.

    ``X`` has shape ``(n, side * side)``; the result ``(n, n_classes)``, each
    row positive and summing to 1 (:func:`cnn_forward`'s logits through
    :func:`~dlbook.numpy.softmax.softmax`).
    """
    return softmax(cnn_forward(params, X)[0], axis=1)
