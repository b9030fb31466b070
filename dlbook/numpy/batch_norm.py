r"""Batch normalisation, from scratch in NumPy, with :func:`torch.nn.functional.batch_norm`'s semantics.

The input has shape :math:`(N, C)`, :math:`(N, C, L)` or
:math:`(N, C, H, W)` (any number of trailing axes): :math:`N` examples of
:math:`C` *channels* (features). Each channel :math:`c` is normalised over
the :math:`m = N \cdot L` (or :math:`N H W`) values it has in the batch, then
scaled and shifted by its own learned :math:`\gamma_c` (``weight``) and
:math:`\beta_c` (``bias``):

.. math::

    \mu_c = \frac1m \sum_i x_{ic}, \qquad
    \sigma_c^2 = \frac1m \sum_i (x_{ic} - \mu_c)^2, \qquad
    \hat x_{ic} = \frac{x_{ic} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}}, \qquad
    y_{ic} = \gamma_c \hat x_{ic} + \beta_c .

In *training* the statistics are the batch's own, and the running estimates
are updated in place with momentum :math:`\alpha`:
:math:`\hat\mu_c \leftarrow (1 - \alpha) \hat\mu_c + \alpha \mu_c` and
:math:`\hat\sigma_c^2 \leftarrow (1 - \alpha) \hat\sigma_c^2 + \alpha \frac{m}{m - 1} \sigma_c^2`
(the *unbiased* variance, while the normalisation itself uses the biased
:math:`\sigma_c^2`). In *evaluation* the running estimates take the place
of :math:`\mu_c` and :math:`\sigma_c^2`: every example is then normalised on
its own, whatever else is in the batch.

:func:`batch_norm_backward` is the backward pass of training mode.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import check_ndim, check_number, describe
from dlbook.numpy._arrays import as_numeric_array

#: Like PyTorch, NaN and infinities pass through silently (inf - inf is NaN, a
#: negative running variance gives NaN): no floating-point warnings.
_AS_TORCH = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


def _check_input(input: ArrayLike) -> np.ndarray:
    """``input`` as a float array of at least two axes, ``(N, C, ...)``."""
    x = as_numeric_array(input, "input")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"input must hold floating-point numbers, got dtype {x.dtype}"
        )
    if x.ndim < 2:
        raise ValueError(
            "input must have a batch axis and a channel axis, (N, C) or "
            f"(N, C, ...), got shape {x.shape}"
        )
    return x


def _check_batch_size(shape: tuple[int, ...]) -> None:
    """Training needs more than one value per channel (torch's ``_verify_batch_size``)."""
    if int(np.prod(shape[:1] + shape[2:])) == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, "
            f"got input size {shape}"
        )


def _check_eps(eps: float, training: bool) -> None:
    """``eps`` as ``torch.nn.functional.batch_norm`` requires it."""
    if isinstance(eps, bool) or not isinstance(eps, Real):
        raise ValueError(f"eps must be a number, got {describe(eps)}")
    check_number("eps", eps)  # an integer too large for a float
    # torch's own comparisons: NaN passes both, and gives NaN
    if training and eps <= 0:
        raise ValueError(
            f"batch_norm eps must be positive during training, but got {eps}"
        )
    if eps < 0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")


def _channel_vector(
    name: str, value: ArrayLike | None, channels: int, dtype: np.dtype
) -> np.ndarray | None:
    """``value`` (``None`` allowed) as a 1-D array of ``channels`` entries in ``dtype``."""
    if value is None:
        return None
    v = as_numeric_array(value, name)
    check_ndim(name, v, (1,))
    if v.shape[0] != channels:
        raise ValueError(
            f"{name} should contain {channels} elements not {v.shape[0]}"
        )
    return v.astype(dtype, copy=False)


def _axes(x: np.ndarray) -> tuple[int, ...]:
    """Every axis but the channel axis 1: the axes a channel's statistics run over."""
    return (0, *range(2, x.ndim))


def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    """A ``(C,)`` vector shaped ``(1, C, 1, ...)`` to broadcast over an input of ``ndim`` axes."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _batch_statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    r"""Per channel: the mean :math:`\mu_c`, the sum of squared deviations, and :math:`m`.

    The sum :math:`\sum_i (x_{ic} - \mu_c)^2` is :math:`m \sigma_c^2`.
    Computed in float64 at least (as PyTorch accumulates in double on the
    CPU), in two passes, as PyTorch does: the mean, then the squared
    deviations from it. ``x`` holds at least one value per channel.
    """
    wide = x.astype(np.promote_types(x.dtype, np.float64), copy=False)
    axes = _axes(x)
    m = x.size // x.shape[1]
    mean = wide.sum(axis=axes) / m
    centred = wide - _per_channel(mean, x.ndim)
    return mean, np.sum(centred * centred, axis=axes), m


def batch_norm(
    input: ArrayLike,
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    weight: ArrayLike | None = None,
    bias: ArrayLike | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> np.ndarray:
    r"""Batch normalisation :math:`y = \gamma (x - \mu) / \sqrt{\sigma^2 + \epsilon} + \beta`, per channel.

    ``input`` has shape ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)`` (any
    trailing axes); ``running_mean``, ``running_var``, ``weight``
    (:math:`\gamma`, 1 when ``None``) and ``bias`` (:math:`\beta`, 0 when
    ``None``) have one entry per channel. With ``training=True`` the batch's
    own mean and biased variance normalise it, and the running statistics,
    if given (NumPy float arrays), are updated **in place** with
    ``momentum`` :math:`\alpha`:
    :math:`\hat\mu \leftarrow (1 - \alpha)\hat\mu + \alpha \mu` and
    :math:`\hat\sigma^2 \leftarrow (1 - \alpha)\hat\sigma^2 + \alpha \frac{m}{m-1}\sigma^2`
    (unbiased), :math:`m` the number of values per channel. They may both
    be ``None`` in training;
    in evaluation (``training=False``) they are required and normalise the
    input instead of the batch's statistics.

    As ``torch.nn.functional.batch_norm``, the result is a new array of the
    input's shape and dtype, and ``ValueError`` is raised for training with a
    single value per channel ("Expected more than 1 value per channel when
    training"), for ``eps`` not positive in training (negative in
    evaluation), for only one of the running statistics given, for running
    statistics missing in evaluation, for a vector with the wrong number of
    entries and for input that is not floating-point with at least two axes.
    An input with no values is returned as a copy with only the batch size
    and ``eps`` checked, the running statistics untouched, as torch does.
    NaN passes through (a NaN ``eps`` too, giving NaN). Statistics are computed in float64 at least and the
    result is rounded to the input's dtype.
    """
    x = _check_input(input)
    if training:
        _check_batch_size(x.shape)
    _check_eps(eps, training)
    if isinstance(momentum, bool) or not isinstance(momentum, Real):
        raise ValueError(f"momentum must be a number, got {describe(momentum)}")
    check_number("momentum", momentum)
    if x.size == 0:  # no values: as in torch, nothing else is looked at
        return x.copy()
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "running_mean and running_var must either both be None or "
            "neither be None"
        )
    if not training and running_mean is None:
        raise ValueError("running_mean must be defined in evaluation mode")
    channels = x.shape[1]
    wide = np.promote_types(x.dtype, np.float64)
    for name, stat in (("running_mean", running_mean),
                       ("running_var", running_var)):
        if stat is not None:
            if not isinstance(stat, np.ndarray) or not np.issubdtype(
                stat.dtype, np.floating
            ):
                raise ValueError(
                    f"{name} must be a floating-point NumPy array (it is "
                    f"updated in place), got {type(stat).__name__}"
                )
            _channel_vector(name, stat, channels, stat.dtype)
    gamma = _channel_vector("weight", weight, channels, wide)
    beta = _channel_vector("bias", bias, channels, wide)
    with np.errstate(**_AS_TORCH):
        if training:
            mean, squares, m = _batch_statistics(x)
            var = squares / m
            if running_mean is not None:
                running_mean[...] = momentum * mean + (1 - momentum) * running_mean
                running_var[...] = momentum * (squares / (m - 1)) + (
                    (1 - momentum) * running_var
                )
        else:
            mean = running_mean.astype(wide)
            var = running_var.astype(wide)
        scale = 1 / np.sqrt(var + eps)
        if gamma is not None:
            scale = scale * gamma
        out = (x - _per_channel(mean, x.ndim)) * _per_channel(scale, x.ndim)
        if beta is not None:
            out += _per_channel(beta, x.ndim)
        return out.astype(x.dtype, copy=False)


def batch_norm_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    weight: ArrayLike | None = None,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradients of training-mode :func:`batch_norm`: ``(grad_input, grad_weight, grad_bias)``.

    ``grad_output`` is :math:`g = \partial \ell / \partial y`, shaped like
    ``input``, the batch :math:`x` that was normalised with its own
    statistics; ``weight`` is :math:`\gamma` (1 when ``None``) and ``eps``
    the forward pass's :math:`\epsilon`. Per channel, with
    :math:`\hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}` and the sums
    over the channel's :math:`m` values:

    .. math::

        \frac{\partial \ell}{\partial \beta} = \sum_i g_i, \qquad
        \frac{\partial \ell}{\partial \gamma} = \sum_i g_i \hat x_i, \qquad
        \frac{\partial \ell}{\partial x_i} = \frac{\gamma}{m \sqrt{\sigma^2 + \epsilon}}
        \Big(m g_i - \sum_j g_j - \hat x_i \sum_j g_j \hat x_j\Big).

    The last one holds three paths from :math:`x_i` to the loss: directly,
    through :math:`\mu` and through :math:`\sigma^2`; it is what
    ``torch.autograd`` computes. ``grad_weight`` and ``grad_bias`` have one
    entry per channel and are returned also when ``weight`` is ``None`` (then
    as for :math:`\gamma = 1`, :math:`\beta = 0`). Results are in the input's
    dtype. Raises ``ValueError`` as :func:`batch_norm` does in training, and
    when ``grad_output`` has another shape than ``input``.
    """
    x = _check_input(input)
    _check_batch_size(x.shape)
    _check_eps(eps, True)
    g = as_numeric_array(grad_output, "grad_output")
    if g.shape != x.shape:
        raise ValueError(
            f"grad_output must have the shape of input {x.shape}, "
            f"got {g.shape}"
        )
    wide = np.promote_types(x.dtype, np.float64)
    gamma = _channel_vector("weight", weight, x.shape[1], wide)
    if x.size == 0:
        zeros = np.zeros(x.shape[1], dtype=x.dtype)
        return np.zeros_like(x), zeros, zeros.copy()
    g = g.astype(wide, copy=False)
    with np.errstate(**_AS_TORCH):
        mean, squares, m = _batch_statistics(x)
        inv_std = 1 / np.sqrt(squares / m + eps)
        x_hat = (x - _per_channel(mean, x.ndim)) * _per_channel(inv_std, x.ndim)
        axes = _axes(x)
        grad_bias = g.sum(axis=axes)
        grad_weight = (g * x_hat).sum(axis=axes)
        factor = inv_std / m
        if gamma is not None:
            factor = factor * gamma
        grad_input = _per_channel(factor, x.ndim) * (
            m * g
            - _per_channel(grad_bias, x.ndim)
            - x_hat * _per_channel(grad_weight, x.ndim)
        )
        return tuple(  # type: ignore[return-value]
            a.astype(x.dtype, copy=False)
            for a in (grad_input, grad_weight, grad_bias)
        )
