"""Turning user input into PyTorch tensors the way the rest of the backend expects.

What is not a tensor is read exactly as :mod:`dlbook.numpy` reads it
(:func:`dlbook.numpy._arrays.as_float_array`): the same numbers, lists and
arrays are accepted, with the same dtypes (Python numbers and lists become
float64, not PyTorch's float32), and the same errors are raised.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from dlbook._validate import ArgumentTypeError
from dlbook.numpy._arrays import as_float_array, as_int64, as_numeric_array


def from_numpy(arr: np.ndarray, name: str = "x") -> torch.Tensor:
    """A tensor holding the NumPy array ``arr``'s numbers (shared memory where PyTorch can share it).

    Arrays PyTorch cannot share memory with (read-only, negative strides) are
    copied; a dtype PyTorch lacks (``float128``) raises an error naming ``name``.
    """
    if not arr.flags.writeable or any(s < 0 for s in arr.strides):
        arr = arr.copy()
    try:
        return torch.from_numpy(arr)
    except TypeError:
        raise ArgumentTypeError(f"{name} has dtype {arr.dtype}, which PyTorch does not support") from None


def as_tensor(a: Any, name: str = "x") -> torch.Tensor:
    """``a`` as a tensor of real numbers, any dtype kept; non-tensors read as :func:`~dlbook.numpy._arrays.as_numeric_array` does."""
    if isinstance(a, torch.Tensor):
        if a.is_complex():
            raise ArgumentTypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
        return a
    return from_numpy(as_numeric_array(a, name), name)


def as_float_tensor(a: Any, name: str = "x") -> torch.Tensor:
    """Return ``a`` as a floating-point tensor, as :mod:`dlbook.numpy` would make an array of it.

    Float tensors and float NumPy arrays keep their dtype; integers, booleans
    and Python numbers become float64, NumPy's default float (not PyTorch's
    float32), so both backends compute in the same precision.
    """
    if isinstance(a, torch.Tensor):
        t = as_tensor(a, name)
        return t if t.is_floating_point() else t.to(torch.float64)
    return from_numpy(as_float_array(a, name), name)


def as_index_tensor(a: Any, name: str = "target") -> torch.Tensor:
    """``a`` as a tensor; integer ones (any width, unsigned too) as int64, the dtype torch's losses index with.

    An unsigned index beyond int64 raises ``ValueError`` rather than wrapping
    around to a negative one (:func:`~dlbook.numpy._arrays.as_int64`).
    """
    t = as_tensor(a, name)
    if t.is_floating_point() or t.dtype == torch.bool:
        return t
    if not t.is_signed():  # uint8 to uint64: checked in NumPy, where they compare
        return torch.from_numpy(as_int64(name, t.numpy()))
    return t.long()


def promoted(*tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The tensors in one dtype, the widest of theirs (float32 and float64 give float64), as NumPy promotes."""
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return tuple(t.to(dtype) for t in tensors)


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
