"""The perceptron forward pass in PyTorch, mirroring :mod:`dlbook.numpy.perceptron`."""

from __future__ import annotations

from typing import Any

import torch

from dlbook._validate import check_not_bool, check_perceptron_inputs
from dlbook.torch._tensors import as_float_tensor, promoted
from dlbook.torch.activations import get_activation


def weighted_sum(x: Any, w: Any, b: Any) -> torch.Tensor:
    r"""The pre-activation :math:`z = x \cdot w + b`; same shapes and errors as the NumPy version."""
    check_not_bool("b", b)
    x, w, b = as_float_tensor(x, "x"), as_float_tensor(w, "w"), as_float_tensor(b, "b")
    check_perceptron_inputs(x, w, b)
    z = torch.matmul(*promoted(x, w))  # float32 and float64 give float64, as in NumPy
    return z + b.to(z.dtype)


def perceptron(x: Any, w: Any, b: Any, activation: str = "sigmoid") -> torch.Tensor:
    r"""A perceptron's output :math:`\hat y = f(x \cdot w + b)`; see :func:`dlbook.numpy.perceptron`."""
    f = get_activation(activation)
    return f(weighted_sum(x, w, b))


def predict_class(x: Any, w: Any, b: Any) -> torch.Tensor:
    r"""1 where :math:`w \cdot x + b > 0`, else 0 (int64); see :func:`dlbook.numpy.perceptron.predict_class`."""
    return (weighted_sum(x, w, b) > 0).to(torch.int64)
