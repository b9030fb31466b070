r"""Loss functions with PyTorch, mirroring :mod:`dlbook.numpy.losses` name for name.

Each function converts its arguments to tensors the way the NumPy side
converts to arrays, runs the shared checks of :mod:`dlbook._loss_checks`
(so bad input raises the same ``ValueError``), then calls the function of
:mod:`torch.nn.functional` with the same name. The formulas are in the
docstrings of :mod:`dlbook.numpy.losses`.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from dlbook._loss_checks import (
    check_binary_inputs,
    check_cross_entropy_inputs,
    check_elementwise_loss,
    check_nll_inputs,
)
from dlbook.torch._tensors import as_float_tensor


def _as_target(target: Any, input: torch.Tensor) -> torch.Tensor:
    """A float target: float tensors keep their dtype, integers and booleans take the input's."""
    target = torch.as_tensor(target)
    return target if target.is_floating_point() else target.to(input.dtype)


def _as_weight(weight: Any | None, input: torch.Tensor) -> torch.Tensor | None:
    """A weight (a parameter, not data) in the input's dtype, or ``None``."""
    return None if weight is None else torch.as_tensor(weight, dtype=input.dtype)


def _as_indices(target: Any) -> torch.Tensor:
    """Targets as a tensor; integer ones (any width, unsigned too) as int64, the dtype torch's losses index with."""
    target = torch.as_tensor(target)
    integer = not (target.is_floating_point() or target.is_complex() or target.dtype == torch.bool)
    return target.long() if integer else target


def mse_loss(input: Any, target: Any, *, reduction: str = "mean") -> torch.Tensor:
    r"""Mean squared error :math:`\frac1n \sum_i (\hat y_i - y_i)^2` by ``F.mse_loss``; shapes must be equal."""
    input = as_float_tensor(input)
    target = _as_target(target, input)
    check_elementwise_loss(input, target, reduction)
    return F.mse_loss(input, target, reduction=reduction)


def binary_cross_entropy(
    input: Any, target: Any, weight: Any | None = None, *, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy :math:`-w\,[y \log p + (1 - y) \log(1 - p)]` by ``F.binary_cross_entropy``.

    ``F.binary_cross_entropy`` wants one dtype for input and target: both are
    promoted to the wider one, as the NumPy side's arithmetic does.
    """
    input = as_float_tensor(input)
    target = _as_target(target, input)
    weight = _as_weight(weight, input)
    check_binary_inputs(input, target, weight, reduction, input_is_probability=True)
    dtype = torch.promote_types(input.dtype, target.dtype)
    weight = None if weight is None else weight.to(dtype)
    return F.binary_cross_entropy(input.to(dtype), target.to(dtype), weight, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any | None = None,
    *,
    reduction: str = "mean",
    pos_weight: Any | None = None,
) -> torch.Tensor:
    r"""Binary cross-entropy on logits, :math:`p = \sigma(x)`, by ``F.binary_cross_entropy_with_logits``."""
    input = as_float_tensor(input)
    target = _as_target(target, input)
    weight, pos_weight = _as_weight(weight, input), _as_weight(pos_weight, input)
    check_binary_inputs(input, target, weight, reduction, input_is_probability=False, pos_weight=pos_weight)
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=reduction, pos_weight=pos_weight)


def nll_loss(
    input: Any,
    target: Any,
    weight: Any | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Negative log-likelihood :math:`-w_t \log \hat y_t` of class-index targets, by ``F.nll_loss``."""
    input = as_float_tensor(input)
    target = _as_indices(target)
    weight = _as_weight(weight, input)
    check_nll_inputs(input, target, weight, ignore_index, reduction)
    return F.nll_loss(input, target, weight, ignore_index=ignore_index, reduction=reduction)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Cross-entropy :math:`-\sum_c y_c \log \mathrm{softmax}(z)_c` from logits, by ``F.cross_entropy``.

    Targets are class indices (any integer dtype, passed to torch as int64)
    or class probabilities of the input's shape (integer one-hot rows become
    the input's float dtype); see :func:`dlbook.numpy.losses.cross_entropy`.
    """
    input = as_float_tensor(input)
    target = _as_indices(target)
    weight = _as_weight(weight, input)
    probabilities = check_cross_entropy_inputs(input, target, weight, ignore_index, reduction, label_smoothing)
    if probabilities:
        target = _as_target(target, input)
    return F.cross_entropy(
        input, target, weight, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing
    )
