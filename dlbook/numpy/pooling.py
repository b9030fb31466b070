r"""2-D max and average pooling from scratch in NumPy, with the semantics of ``torch.nn.functional``.

Pooling summarises each window of every channel by one number: its largest
value (max pooling) or its mean (average pooling). For windows of
:math:`k_h \times k_w` pixels placed every :math:`s` pixels,

.. math::

    y_{n,c,i,j} = \max_{a, q}\, \tilde x_{n,\,c,\,i s_h + a d_h,\, j s_w + q d_w}
    \qquad\text{or}\qquad
    y_{n,c,i,j} = \frac{1}{D_{ij}} \sum_{a, q} \tilde x_{n,\,c,\,i s_h + a,\, j s_w + q},

where :math:`\tilde x` is the input padded by :math:`p` on each side (with
:math:`-\infty` for max pooling, so padding is never the maximum; with zeros
for average pooling) and :math:`D_{ij}` the divisor: the window's size, the
part of it inside the padded input (``count_include_pad=True``, torch's
default), or only the input pixels it covers (``count_include_pad=False``).
There are no weights: pooling has nothing to learn. A 2 x 2 window with
stride 2 halves the height and the width.

The stride defaults to the kernel size; the padding may be at most half the
kernel; ``ceil_mode`` rounds the output size up (see
:mod:`dlbook._conv_checks`). Max pooling breaks ties as torch does: the first
maximum in the window, row by row, and a NaN wins (the last NaN if there are
several); its backward pass sends each output's gradient to that one pixel.
(One corner case differs on purpose: a window that covers no input pixel at
all, possible only with dilation and padding, gives :math:`-\infty` and
torch's index, that of its first tap at a row and column not before the
image's, which lies off the plane or on a pixel outside the window; torch's
backward pass then writes the window's gradient at that index, off the
plane, corrupting memory, or onto that pixel. Here it goes nowhere.)
Average pooling's sends :math:`1 / D_{ij}` of it to every pixel of the window.
Results keep the input's floating-point dtype; NaN passes through.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from dlbook._conv_checks import Geometry, check_avg_options, check_grad_output, pool_geometry
from dlbook._validate import has_nan
from dlbook.numpy._windows import add_windows, batched, pad, tiles, unbatched, windows
from dlbook.numpy.conv import as_float_arrays


@lru_cache(maxsize=64)
def _inside(geometry: Geometry) -> np.ndarray:
    """Which taps of each window lie on the input, not its padding: booleans ``(H_out, W_out, kH * kW)``.

    Cached per geometry (a training run pools the same shapes at every step); read-only.
    """
    plane = np.ones((1, 1, geometry.height, geometry.width), dtype=bool)
    inside = windows(pad(plane, geometry, False), geometry)[0, 0].reshape(*geometry.output_plane, -1)
    inside.flags.writeable = False
    return inside


def _tap_stack(x: np.ndarray, geometry: Geometry, fill: float) -> np.ndarray:
    """Every tap of every window, ``(kH * kW, N, C, H_out, W_out)``: row ``a * kW + b`` is tap ``(a, b)``.

    ``x`` is padded with ``fill`` first. One contiguous copy, so that the
    per-tap steps below work on contiguous arrays (the windows' own view,
    with its small strided axes, is several times slower to compute on).
    """
    (kh, kw), (out_h, out_w) = geometry.kernel, geometry.output_plane
    if tiles(geometry):  # windows side by side, covering the input: its own reshape
        n, c = x.shape[:2]
        view = x.reshape(n, c, out_h, kh, out_w, kw).transpose(3, 5, 0, 1, 2, 4)
    else:
        view = windows(pad(x, geometry, fill), geometry).transpose(4, 5, 0, 1, 2, 3)
    return np.ascontiguousarray(view).reshape(kh * kw, *view.shape[2:])


def _winners(x: np.ndarray, geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    r"""The maximum of each window, and which tap holds it, torch's way: ``(largest, winners)``.

    ``winners`` has the shape of the tap stack, ``(kH * kW, N, C, H_out, W_out)``,
    and is True at exactly one tap of each window. Torch scans a window's
    input pixels row by row, starting from the first one with
    :math:`-\infty`, and moves on to a pixel when it is larger (strictly: the
    first of equal maxima stays) or NaN (so the last NaN wins). So the winner
    is the first tap on the input that equals the maximum, or, in a window
    with NaN, the last NaN; found here for all windows at once, tap by tap.
    """
    stack = _tap_stack(x, geometry, -np.inf)
    largest = stack.max(axis=0)
    candidates = stack == largest
    inside = _inside(geometry)
    if not inside.all():
        candidates &= np.moveaxis(inside, -1, 0)[:, None, None]
    winners = _first(candidates)
    nan = np.isnan(largest)
    if nan.any():
        winners = np.where(nan, _first(np.isnan(stack)[::-1])[::-1], winners)
    return largest, winners


def _first(candidates: np.ndarray) -> np.ndarray:
    """Only the first True along axis 0 of a boolean array (the first candidate tap of each window)."""
    first = np.empty_like(candidates)
    taken = np.zeros_like(candidates[0])
    for tap, candidate in enumerate(candidates):
        np.greater(candidate, taken, out=first[tap])  # a candidate, and none before it
        taken |= candidate
    return first


def _tile_taps(x: np.ndarray, kernel: tuple[int, int]) -> list[np.ndarray]:
    """Tap ``(a, b)`` of every window, row by row, for windows that tile the batched ``x`` (:func:`tiles`):
    ``x[:, :, a::kH, b::kW]``, views of shape ``(N, C, H / kH, W / kW)``."""
    kh, kw = kernel
    return [x[:, :, a::kh, b::kw] for a in range(kh) for b in range(kw)]


def _tiled_max(x: np.ndarray, kernel: tuple[int, int]) -> np.ndarray:
    """:func:`max_pool2d` of a batched ``x`` whose windows tile it: the taps' elementwise maximum (NaN wins).

    No copy of the windows: the taps are strided views of ``x``, and a
    convolutional network pools this way (2 x 2, stride 2) at every step.
    """
    first, *others = _tile_taps(x, kernel)
    largest = first.copy()
    for tap in others:
        np.maximum(largest, tap, out=largest)
    return largest


def _tiled_max_backward(grad_output: np.ndarray, x: np.ndarray, largest: np.ndarray,
                        kernel: tuple[int, int]) -> np.ndarray:
    """:func:`max_pool2d_backward` for windows that tile the batched ``x``, given ``largest = _tiled_max(x)``:
    each window's gradient goes to its first tap, row by row, that holds its maximum. (A window whose
    maximum is NaN sends nothing: torch sends it to its last NaN, :func:`max_pool2d_backward`'s general way.)"""
    grad = np.empty_like(x)
    taken = np.zeros(largest.shape, dtype=bool)
    for tap, target in zip(_tile_taps(x, kernel), _tile_taps(grad, kernel)):
        wins = tap == largest
        wins &= ~taken
        taken |= wins
        target[...] = np.where(wins, grad_output, x.dtype.type(0))
    return grad


def max_pool2d(
    input: ArrayLike,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""The largest value of every window, as ``F.max_pool2d``: shape ``(N, C, H_out, W_out)``.

    :math:`H_{out} = \lfloor (H + 2 p_h - d_h (k_h - 1) - 1) / s_h \rfloor + 1`
    (rounded up with ``ceil_mode``), likewise :math:`W_{out}`; ``stride``
    defaults to ``kernel_size``. ``input`` is ``(N, C, H, W)`` or ``(C, H, W)``.
    With ``return_indices`` also returns where each maximum is, as int64
    indices :math:`h W + w` into its input channel's flattened plane.
    """
    (x,) = as_float_arrays(input=input)
    geometry = pool_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    if not return_indices:  # the value alone (NaN if any): no need to know which tap holds it
        xb = batched(x, geometry)
        largest = _tiled_max(xb, geometry.kernel) if tiles(geometry) else _tap_stack(xb, geometry, -np.inf).max(axis=0)
        return unbatched(largest, geometry)
    largest, winners = _winners(batched(x, geometry), geometry)
    best = np.argmax(winners, axis=0)
    return unbatched(largest, geometry), unbatched(_input_indices(best, geometry), geometry)


def _input_indices(tap: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Turn each window's tap (index into ``kH * kW``) into the flat index :math:`h W + w` of its input pixel.

    A window with no tap on the input gets torch's index for it: that of its
    first tap at a row and a column that are not negative, whether or not
    it lies on the plane.
    """
    (_, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    top, _, left, _ = geometry.padding
    out_h, out_w = geometry.output_plane
    row_starts, col_starts = np.arange(out_h)[:, None] * sh - top, np.arange(out_w)[None, :] * sw - left
    rows = row_starts + (tap // kw) * dh
    cols = col_starts + (tap % kw) * dw
    nowhere = ~_inside(geometry).any(axis=-1)  # (H_out, W_out)
    if nowhere.any():
        rows = np.where(nowhere, row_starts + -(row_starts // dh).clip(max=0) * dh, rows)
        cols = np.where(nowhere, col_starts + -(col_starts // dw).clip(max=0) * dw, cols)
    return (rows * geometry.width + cols).astype(np.int64)


def max_pool2d_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    r"""The gradient for the input of :func:`max_pool2d`: each window's gradient goes to its maximum.

    :math:`\partial \ell / \partial x_p = \sum_{(i,j):\ p = \arg\max} G_{ij}`:
    a pixel that is the maximum (torch's choice among ties) of several
    overlapping windows collects all their gradients; the others get zero.
    ``grad_output`` has the shape of the output; the result that of ``input``.
    """
    x, g = as_float_arrays(input=input, grad_output=grad_output)
    geometry = pool_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    check_grad_output(g.shape, geometry, geometry.channels)
    xb, gb = batched(x, geometry), batched(g, geometry)
    if tiles(geometry):
        largest = _tiled_max(xb, geometry.kernel)
        if not has_nan(largest):  # with NaN, the last NaN of a window wins: the general way below
            return unbatched(_tiled_max_backward(gb, xb, largest, geometry.kernel), geometry)
    _, winners = _winners(xb, geometry)
    grad_taps = np.where(winners, gb, x.dtype.type(0))
    return unbatched(add_windows(grad_taps, geometry), geometry)


def _divisors(geometry: Geometry, count_include_pad: bool, divisor_override: Any) -> np.ndarray:
    """:math:`D_{ij}` of average pooling for every output position, shape ``(H_out, W_out)`` (torch's rule)."""
    if divisor_override is not None:
        return np.full(geometry.output_plane, divisor_override)
    spans = []
    for size, out, k, s, p in zip((geometry.height, geometry.width), geometry.output_plane, geometry.kernel,
                                  geometry.stride, geometry.padding[::2]):
        start = np.arange(out) * s - p
        end = np.minimum(start + k, size + p)  # the window, cut off where the padding ends
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)  # only the input's pixels
        spans.append(end - start)
    return np.outer(*spans)


def avg_pool2d(
    input: ArrayLike,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    r"""The mean of every window, as ``F.avg_pool2d``: :math:`\frac{1}{D_{ij}} \sum` over the window.

    Output size as in :func:`max_pool2d` (average pooling has no dilation).
    The padding counts as zeros; :math:`D_{ij}` is the window's size within
    the padded input (``count_include_pad=True``), the number of input pixels
    in it (``False``), or ``divisor_override``.
    """
    (x,) = as_float_arrays(input=input)
    check_avg_options(count_include_pad, divisor_override)
    geometry = pool_geometry(x.shape, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: NaN, a huge sum: inf, silently as in torch
        sums = _tap_stack(batched(x, geometry), geometry, 0.0).sum(axis=0)  # tap by tap, as torch adds
        means = sums / _divisors(geometry, count_include_pad, divisor_override).astype(x.dtype)
    return unbatched(means, geometry)


def avg_pool2d_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    r"""The gradient for the input of :func:`avg_pool2d`: :math:`G_{ij} / D_{ij}` to every pixel of window :math:`(i, j)`.

    A pixel in several overlapping windows collects the shares of all of them.
    ``grad_output`` has the shape of the output; the result that of ``input``.
    """
    x, g = as_float_arrays(input=input, grad_output=grad_output)
    check_avg_options(count_include_pad, divisor_override)
    geometry = pool_geometry(x.shape, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    check_grad_output(g.shape, geometry, geometry.channels)
    share = batched(g, geometry) / _divisors(geometry, count_include_pad, divisor_override).astype(x.dtype)
    kh, kw = geometry.kernel
    return unbatched(add_windows(np.broadcast_to(share, (kh * kw, *share.shape)), geometry), geometry)
