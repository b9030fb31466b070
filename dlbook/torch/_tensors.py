"""Turning user input into PyTorch tensors the way the rest of the backend expects."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch


def as_float_tensor(a: Any) -> torch.Tensor:
    """Return ``a`` as a floating-point tensor.

    Float tensors and float NumPy arrays keep their dtype; integers, booleans
    and Python numbers become PyTorch's default float (float32). NumPy arrays
    that PyTorch cannot share memory with (read-only, negative strides) are copied.
    """
    if isinstance(a, np.ndarray) and (not a.flags.writeable or any(s < 0 for s in a.strides)):
        a = a.copy()
    t = torch.as_tensor(a)
    if not t.is_floating_point():
        t = t.to(torch.get_default_dtype())
    return t


def elementwise_derivative(f: Callable[[torch.Tensor], torch.Tensor], x: Any) -> torch.Tensor:
    """The derivative of the elementwise function ``f`` at every entry of ``x``, by autograd.

    Because ``f`` acts entry by entry, back-propagating a tensor of ones gives
    :math:`f'(x_i)` in position ``i``.
    """
    with torch.enable_grad():  # also inside a caller's torch.no_grad()
        x = as_float_tensor(x).detach().requires_grad_(True)
        y = f(x)
        (grad,) = torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y))
    return grad
