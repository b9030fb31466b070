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
from dlbook.torch._tensors import as_float_tensor, as_index_tensor, as_tensor, promoted


def _as_target(target: Any, input: torch.Tensor) -> torch.Tensor:
    """A float target: float tensors keep their dtype, integers and booleans take the input's."""
    target = as_tensor(target, "target")
    return target if target.is_floating_point() else target.to(input.dtype)


def _as_weight(weight: Any | None, input: torch.Tensor, name: str = "weight") -> torch.Tensor | None:
    """A weight (a parameter, not data) in the input's dtype, or ``None``; ``name`` names it in errors."""
    return None if weight is None else as_float_tensor(weight, name).to(input.dtype)


def mse_loss(input: Any, target: Any, *, reduction: str = "mean") -> torch.Tensor:
    r"""Mean squared error :math:`\frac1n \sum_i (\hat y_i - y_i)^2` by ``F.mse_loss``; shapes must be equal."""
    input = as_float_tensor(input, "input")
    target = _as_target(target, input)
    check_elementwise_loss(input, target, reduction)
    return F.mse_loss(*promoted(input, target), reduction=reduction)


def binary_cross_entropy(
    input: Any, target: Any, weight: Any | None = None, *, reduction: str = "mean"
) -> torch.Tensor:
    r"""Binary cross-entropy :math:`-w\,[y \log p + (1 - y) \log(1 - p)]` by ``F.binary_cross_entropy``.

    ``F.binary_cross_entropy`` wants one dtype for input and target: both
    (and ``weight``) are promoted to the wider one, as the NumPy side's
    arithmetic does.
    """
    input = as_float_tensor(input, "input")
    target = _as_target(target, input)
    weight = _as_weight(weight, input)
    check_binary_inputs(input, target, weight, reduction, input_is_probability=True)
    input, target = promoted(input, target)
    weight = None if weight is None else weight.to(input.dtype)
    return F.binary_cross_entropy(input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any | None = None,
    *,
    reduction: str = "mean",
    pos_weight: Any | None = None,
) -> torch.Tensor:
    r"""Binary cross-entropy on logits, :math:`p = \sigma(x)`, by ``F.binary_cross_entropy_with_logits``.

    Input and target are promoted to the wider of their dtypes, as the NumPy
    side's arithmetic does (torch itself would return the target's dtype).
    """
    input = as_float_tensor(input, "input")
    target = _as_target(target, input)
    weight, pos_weight = _as_weight(weight, input), _as_weight(pos_weight, input, "pos_weight")
    check_binary_inputs(input, target, weight, reduction, input_is_probability=False, pos_weight=pos_weight)
    input, target = promoted(input, target)
    weight, pos_weight = (None if w is None else w.to(input.dtype) for w in (weight, pos_weight))
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
    input = as_float_tensor(input, "input")
    target = as_index_tensor(target, "target")
    weight = _as_weight(weight, input)
    check_nll_inputs(input, target, weight, ignore_index, reduction)
    return F.nll_loss(input, target, weight, ignore_index=int(ignore_index), reduction=reduction)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    r"""Cross-entropy :math:`-\sum_i y_i \log \mathrm{softmax}(z)_i` from logits, by ``F.cross_entropy``.

    Targets are class indices (any integer dtype, passed to torch as int64)
    or class probabilities of the input's shape (integer one-hot rows become
    the input's float dtype); see :func:`dlbook.numpy.losses.cross_entropy`.
    """
    input = as_float_tensor(input, "input")
    target = as_index_tensor(target, "target")
    weight = _as_weight(weight, input)
    probabilities = check_cross_entropy_inputs(input, target, weight, ignore_index, reduction, label_smoothing)
    if probabilities:
        target = _as_target(target, input)
    return F.cross_entropy(
        input, target, weight, ignore_index=int(ignore_index), reduction=reduction,
        label_smoothing=float(label_smoothing),
    )
