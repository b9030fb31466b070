r"""Convolution and pooling with PyTorch, mirroring :mod:`dlbook.numpy.conv` and :mod:`dlbook.numpy.pooling`.

The forward passes are :func:`torch.nn.functional.conv2d`, ``max_pool2d`` and
``avg_pool2d``; the backward passes ask :mod:`torch.autograd` for the
gradients of the same call. Arguments are converted to tensors as the NumPy
side converts them to arrays and go through the same checks
(:mod:`dlbook._conv_checks`), so bad input raises the same ``ValueError``
where torch would raise a ``RuntimeError``. The formulas are in the NumPy
modules' docstrings.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import torch
import torch.nn.functional as F

from dlbook._conv_checks import (
    check_avg_options,
    check_grad_output,
    check_same_dtype,
    conv_geometry,
    pool_geometry,
    windows_off_the_input,
)
from dlbook.torch._tensors import as_tensor


def as_float_tensors(**arrays: Any) -> list[torch.Tensor | None]:
    """The arguments as tensors of one floating-point dtype, as :func:`dlbook.numpy.conv.as_float_arrays` does."""
    converted = {name: None if a is None and name == "bias" else as_tensor(a, name) for name, a in arrays.items()}
    floats = {name: t for name, t in converted.items() if t is not None and t.is_floating_point()}
    check_same_dtype(**floats)
    dtype = next(iter(floats.values())).dtype if floats else torch.float64
    return [None if t is None else t.to(dtype) for t in converted.values()]


def _conv(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, stride: Any, padding: Any, dilation: Any,
          groups: int) -> torch.Tensor:
    """``F.conv2d``, quiet about the copy it makes for ``padding="same"`` with an even kernel."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
        return F.conv2d(x, w, b, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> torch.Tensor:
    """The convolution of ``F.conv2d``; see :func:`dlbook.numpy.conv.conv2d`."""
    x, w, b = as_float_tensors(input=input, weight=weight, bias=bias)
    conv_geometry(tuple(x.shape), tuple(w.shape), None if b is None else tuple(b.shape), stride, padding, dilation,
                  groups)
    return _conv(x, w, b, stride, padding, dilation, groups)


def _gradients(f: Callable[..., torch.Tensor], grad_output: torch.Tensor, *inputs: torch.Tensor
               ) -> tuple[torch.Tensor, ...]:
    """:math:`\\partial \\ell / \\partial` each of ``inputs`` of ``f(*inputs)`` given ``grad_output``, by autograd."""
    with torch.enable_grad():
        leaves = [t.detach().requires_grad_(True) for t in inputs]
        return torch.autograd.grad(f(*leaves), leaves, grad_output)


def conv2d_backward(grad_output: Any, input: Any, weight: Any, stride: Any = 1, padding: Any = 0,
                    dilation: Any = 1, groups: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(grad_input, grad_weight, grad_bias)`` of :func:`conv2d` by autograd; see the NumPy twin."""
    x, w, g = as_float_tensors(input=input, weight=weight, grad_output=grad_output)
    geometry = conv_geometry(tuple(x.shape), tuple(w.shape), None, stride, padding, dilation, groups)
    check_grad_output(tuple(g.shape), geometry, w.shape[0])
    bias = torch.zeros(w.shape[0], dtype=w.dtype)
    return _gradients(lambda *t: _conv(*t, stride, padding, dilation, groups), g, x, w, bias)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The window maxima of ``F.max_pool2d``; see :func:`dlbook.numpy.pooling.max_pool2d`."""
    (x,) = as_float_tensors(input=input)
    pool_geometry(tuple(x.shape), kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    return F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode,
                        return_indices=return_indices)


def max_pool2d_backward(grad_output: Any, input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                        dilation: Any = 1, ceil_mode: bool = False) -> torch.Tensor:
    """The gradient for the input of :func:`max_pool2d` by autograd."""
    x, g = as_float_tensors(input=input, grad_output=grad_output)
    geometry = pool_geometry(tuple(x.shape), kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    check_grad_output(tuple(g.shape), geometry, geometry.channels)
    off_rows, off_cols = windows_off_the_input(geometry)
    if any(off_rows) or any(off_cols):
        return _max_pool2d_backward_by_indices(g, x, off_rows, off_cols, kernel_size, stride, padding, dilation,
                                               ceil_mode)
    (grad,) = _gradients(lambda t: F.max_pool2d(t, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode),
                         g, x)
    return grad


def _max_pool2d_backward_by_indices(g: torch.Tensor, x: torch.Tensor, off_rows: list[bool], off_cols: list[bool],
                                    kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                                    ceil_mode: bool) -> torch.Tensor:
    """What autograd computes, each window's gradient added at its maximum's index, but none from windows off the input.

    Their index lies off the plane or on a pixel outside the window, and
    torch's own backward pass writes their gradient there (off the plane:
    memory corruption); here, as in :mod:`dlbook.numpy.pooling`, it goes
    nowhere.
    """
    _, indices = F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode, return_indices=True)
    off = (torch.tensor(off_rows)[:, None] | torch.tensor(off_cols)[None, :]).flatten()  # (H_out * W_out,)
    plane = x.shape[-2] * x.shape[-1]
    grad = torch.zeros((*x.shape[:-2], plane), dtype=x.dtype)
    grad.scatter_add_(-1, indices.flatten(-2).masked_fill(off, 0), g.flatten(-2).masked_fill(off, 0))
    return grad.reshape(x.shape)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> torch.Tensor:
    """The window means of ``F.avg_pool2d``; see :func:`dlbook.numpy.pooling.avg_pool2d`."""
    (x,) = as_float_tensors(input=input)
    check_avg_options(count_include_pad, divisor_override)
    pool_geometry(tuple(x.shape), kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    return F.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool2d_backward(grad_output: Any, input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                        ceil_mode: bool = False, count_include_pad: bool = True,
                        divisor_override: int | None = None) -> torch.Tensor:
    """The gradient for the input of :func:`avg_pool2d` by autograd."""
    x, g = as_float_tensors(input=input, grad_output=grad_output)
    check_avg_options(count_include_pad, divisor_override)
    geometry = pool_geometry(tuple(x.shape), kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    check_grad_output(tuple(g.shape), geometry, geometry.channels)
    (grad,) = _gradients(lambda t: F.avg_pool2d(t, kernel_size, stride, padding, ceil_mode, count_include_pad,
                                                divisor_override), g, x)
    return grad
