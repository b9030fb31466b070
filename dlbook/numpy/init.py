r"""Initial weights at the scale that keeps signals alive through many layers: Xavier/Glorot and He.

The twin of ``torch.nn.init`` for the book's layers. A layer computes
:math:`z = x W + b` with the weight matrix :math:`W` stored as
``(fan_in, fan_out)``: one row per input, one column per unit, the layout of
:func:`dlbook.numpy.mlp.init_mlp`. (``nn.Linear`` stores the transpose,
``(out_features, in_features)``, so torch reads ``fan_in`` from a weight's
*second* axis and here it is the *first*; both give a layer the same two
numbers.) Each unit of the layer sums ``fan_in`` products, so with weights of
variance :math:`\sigma^2`, inputs of mean square :math:`q` and independent
signs, :math:`\mathrm{Var}(z) = \mathrm{fan\_in}\, \sigma^2 q`; the
backward pass sums ``fan_out`` products, and
:math:`\mathrm{Var}(\partial \ell / \partial x) = \mathrm{fan\_out}\,
\sigma^2\, \mathrm{E}[(\partial \ell / \partial z)^2]`.

* Xavier/Glorot (2010), for activations that are linear near 0 (tanh):
  :math:`\sigma = \mathrm{gain} \sqrt{2 / (\mathrm{fan\_in} + \mathrm{fan\_out})}`,
  a compromise between keeping the forward and the backward variance.
* He/Kaiming (2015), for ReLU, which zeroes half its inputs and so halves
  their mean square: :math:`\sigma = \mathrm{gain} / \sqrt{\mathrm{fan}}`
  with :math:`\mathrm{gain} = \sqrt 2` (:func:`calculate_gain`), ``fan`` the
  layer's ``fan_in`` (``mode="fan_in"``, the forward pass) or ``fan_out``.

The uniform versions draw from :math:`U(-a, a)` with :math:`a = \sqrt 3\,
\sigma`, the bound of a uniform distribution with standard deviation
:math:`\sigma`. Each initialiser returns a new array drawn with
``np.random.default_rng(rng)`` (a seed, a ``Generator`` or ``None``).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import DTypeLike

from dlbook._validate import ArgumentTypeError, check_number, check_seed, describe, shown
from dlbook.numpy._params import check_sizes, float_dtype

Nonlinearity = Literal[
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]
Seed = int | np.random.Generator | None
#: A weight's shape in the book's layout, ``(fan_in, fan_out)`` or ``(fan_in, fan_out, *kernel)``.
Shape = tuple[int, ...]

LINEAR_FUNCTIONS = (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
)


def calculate_gain(nonlinearity: Nonlinearity, param: int | float | None = None) -> float:
    r"""The recommended scale of the weights before ``nonlinearity``, as ``torch.nn.init.calculate_gain``.

    ========================= =====================================================
    nonlinearity              gain
    ========================= =====================================================
    linear, conv*, sigmoid    :math:`1`
    tanh                      :math:`5 / 3`
    relu                      :math:`\sqrt 2`
    leaky_relu                :math:`\sqrt{2 / (1 + \alpha^2)}`, :math:`\alpha` = ``param`` (default 0.01)
    selu                      :math:`3 / 4`
    ========================= =====================================================

    ``param`` (leaky ReLU's negative slope) must be an ``int`` (not a
    ``bool``) or a ``float``; it is ignored for the others. Raises
    ``ValueError`` as torch does for an unknown nonlinearity or a ``param``
    that is not a number.
    """
    if nonlinearity in LINEAR_FUNCTIONS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            negative_slope = check_number("negative_slope", param)
        else:
            raise ValueError(f"negative_slope {shown(param)} not a valid number")
        if abs(negative_slope) > 1e150:  # its square would overflow: 2 / (1 + a^2) is 2 / a^2 in floats
            return math.sqrt(2.0) / abs(float(negative_slope))
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {shown(nonlinearity)}")


def fan_in_and_fan_out(shape: Shape) -> tuple[int, int]:
    r"""``(fan_in, fan_out)`` of a weight of the book's layout ``(fan_in, fan_out, *kernel)``.

    A matrix ``(fan_in, fan_out)`` gives its two sizes. A weight with more
    axes (a convolution's, ``(in_channels, out_channels, k_1, ..., k_d)``)
    multiplies both by its receptive field :math:`k_1 \cdots k_d`: torch's
    rule for the same weight with its first two axes swapped (torch stores
    ``(out, in, *kernel)``). Raises ``ValueError`` for fewer than two axes,
    as torch does, or sizes that are not positive integers.
    """
    if not isinstance(shape, (tuple, list)):
        raise ValueError(f"shape must be a tuple of sizes (fan_in, fan_out, *kernel), got {describe(shape)}")
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions: "
            f"shape must be (fan_in, fan_out, *kernel), got {tuple(shape)}"
        )
    check_sizes(**{f"shape[{axis}]": size for axis, size in enumerate(shape)})
    receptive_field = math.prod(int(size) for size in shape[2:])
    return int(shape[0]) * receptive_field, int(shape[1]) * receptive_field


def xavier_std(shape: Shape, gain: float = 1.0) -> float:
    r"""Xavier/Glorot's standard deviation :math:`\mathrm{gain}\sqrt{2 / (\mathrm{fan\_in} + \mathrm{fan\_out})}`."""
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return check_number("gain", gain) * math.sqrt(2.0 / float(fan_in + fan_out))


def kaiming_std(
    shape: Shape, a: float = 0, mode: Literal["fan_in", "fan_out"] = "fan_in",
    nonlinearity: Nonlinearity = "leaky_relu",
) -> float:
    r"""He/Kaiming's standard deviation :math:`\mathrm{gain} / \sqrt{\mathrm{fan}}`.

    ``gain`` is :func:`calculate_gain` of ``nonlinearity`` with ``a`` (leaky
    ReLU's negative slope); ``fan`` is ``fan_in`` or ``fan_out`` as ``mode``
    says (case ignored, as in torch; ``ValueError`` for another mode).
    """
    if not isinstance(mode, str):
        raise ArgumentTypeError(f"mode must be 'fan_in' or 'fan_out', got {describe(mode)}")
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {shown(mode)} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def _generator(rng: Seed) -> np.random.Generator:
    """``rng`` itself if it is a ``Generator``, else ``np.random.default_rng(rng)`` of a seed (or ``None``)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(None if rng is None else check_seed(rng, "rng"))


def _check_std(std: float, finite: bool) -> float:
    """``std`` itself; ``ValueError`` where torch's ``normal_`` (``finite=False``) or ``uniform_`` refuses it.

    Both refuse a negative or NaN deviation; ``normal_`` draws infinities for
    an infinite one, ``uniform_`` refuses it too.
    """
    if not std >= 0 or (finite and std == math.inf):
        raise ValueError(f"gain (or a) gives the standard deviation {std}; it must be non-negative"
                         + (" and finite" if finite else ""))
    return std


def _uniform(shape: Shape, std: float, rng: Seed, dtype: DTypeLike) -> np.ndarray:
    r"""Draws from :math:`U(-\sqrt 3\,\sigma, \sqrt 3\,\sigma)`, whose standard deviation is :math:`\sigma`."""
    bound = math.sqrt(3.0) * _check_std(std, finite=True)
    return _generator(rng).uniform(-bound, bound, size=tuple(shape)).astype(float_dtype(dtype))


def _normal(shape: Shape, std: float, rng: Seed, dtype: DTypeLike) -> np.ndarray:
    r"""Draws from :math:`N(0, \sigma^2)`."""
    return _generator(rng).normal(0.0, _check_std(std, finite=False), size=tuple(shape)).astype(float_dtype(dtype))


def xavier_uniform(
    shape: Shape, gain: float = 1.0, rng: Seed = None, dtype: DTypeLike = np.float64
) -> np.ndarray:
    r"""``torch.nn.init.xavier_uniform_`` for a ``(fan_in, fan_out)`` weight: :math:`U(-a, a)`.

    :math:`a = \mathrm{gain} \sqrt{6 / (\mathrm{fan\_in} + \mathrm{fan\_out})}`
    (:func:`xavier_std` times :math:`\sqrt 3`).
    """
    return _uniform(shape, xavier_std(shape, gain), rng, dtype)


def xavier_normal(
    shape: Shape, gain: float = 1.0, rng: Seed = None, dtype: DTypeLike = np.float64
) -> np.ndarray:
    r"""``torch.nn.init.xavier_normal_`` for a ``(fan_in, fan_out)`` weight: :math:`N(0, \sigma^2)`.

    :math:`\sigma = \mathrm{gain} \sqrt{2 / (\mathrm{fan\_in} + \mathrm{fan\_out})}` (:func:`xavier_std`).
    """
    return _normal(shape, xavier_std(shape, gain), rng, dtype)


def kaiming_uniform(
    shape: Shape, a: float = 0, mode: Literal["fan_in", "fan_out"] = "fan_in",
    nonlinearity: Nonlinearity = "leaky_relu", rng: Seed = None, dtype: DTypeLike = np.float64,
) -> np.ndarray:
    r"""``torch.nn.init.kaiming_uniform_`` for a ``(fan_in, fan_out)`` weight: :math:`U(-a_u, a_u)`.

    :math:`a_u = \mathrm{gain} \sqrt{3 / \mathrm{fan}}` (:func:`kaiming_std`
    times :math:`\sqrt 3`); for ReLU, ``nonlinearity="relu"``:
    :math:`\sqrt{6 / \mathrm{fan\_in}}`.
    """
    return _uniform(shape, kaiming_std(shape, a, mode, nonlinearity), rng, dtype)


def kaiming_normal(
    shape: Shape, a: float = 0, mode: Literal["fan_in", "fan_out"] = "fan_in",
    nonlinearity: Nonlinearity = "leaky_relu", rng: Seed = None, dtype: DTypeLike = np.float64,
) -> np.ndarray:
    r"""``torch.nn.init.kaiming_normal_`` for a ``(fan_in, fan_out)`` weight: :math:`N(0, \sigma^2)`.

    :math:`\sigma = \mathrm{gain} / \sqrt{\mathrm{fan}}` (:func:`kaiming_std`);
    for ReLU, ``nonlinearity="relu"``: :math:`\sqrt{2 / \mathrm{fan\_in}}`.
    """
    return _normal(shape, kaiming_std(shape, a, mode, nonlinearity), rng, dtype)
