r"""Sliding windows over images, the machinery under convolution and pooling.

A window of :math:`k_h \times k_w` taps, dilation :math:`d` and stride :math:`s`
placed at output position :math:`(i, j)` reads the padded input at rows
:math:`i s_h + a d_h` and columns :math:`j s_w + b d_w` for
:math:`0 \le a < k_h`, :math:`0 \le b < k_w`. :func:`windows` gives every
window at once as a strided *view*, shape ``(N, C, H_out, W_out, kH, kW)``,
without copying a pixel (:func:`numpy.lib.stride_tricks.sliding_window_view`);
:func:`taps` gives the slices that read one tap of every window;
:func:`add_windows` does the reverse for a backward pass, adding what each
window sends back to the pixels it read. Both are vectorised over the batch,
the channels and the output positions.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlbook._conv_checks import Geometry


def pad(x: np.ndarray, geometry: Geometry, value: float = 0.0) -> np.ndarray:
    """``x`` of shape ``(N, C, H, W)`` padded as ``geometry`` says (and its ``extra``), filled with ``value``."""
    top, bottom, left, right = geometry.padding
    bottom, right = bottom + geometry.extra[0], right + geometry.extra[1]
    if top == bottom == left == right == 0:
        return x
    padded = np.full((*x.shape[:2], x.shape[2] + top + bottom, x.shape[3] + left + right), value, dtype=x.dtype)
    padded[:, :, top:top + x.shape[2], left:left + x.shape[3]] = x
    return padded


def windows(padded: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Every window of the padded input as a view of shape ``(N, C, H_out, W_out, kH, kW)``."""
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    view = sliding_window_view(padded, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    return view[:, :, : sh * (geometry.out_height - 1) + 1 : sh, : sw * (geometry.out_width - 1) + 1 : sw, ::dh, ::dw]


def taps(geometry: Geometry) -> Iterator[tuple[int, int, slice, slice]]:
    """For each tap ``(a, b)`` of the window, row by row: ``a``, ``b`` and the slices of the padded plane it reads.

    ``padded[:, :, rows, cols]`` is then that tap of every window at once,
    shape ``(N, C, H_out, W_out)``.
    """
    (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    out_h, out_w = geometry.output_plane
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dh, a * dh + sh * (out_h - 1) + 1, sh)
            cols = slice(b * dw, b * dw + sw * (out_w - 1) + 1, sw)
            yield a, b, rows, cols


def crop(padded: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The input's own pixels of a padded array: the inverse of :func:`pad`."""
    top, _, left, _ = geometry.padding
    return padded[:, :, top:top + geometry.height, left:left + geometry.width]


def tiles(geometry: Geometry) -> bool:
    """True when the windows tile the input exactly: side by side (stride = kernel, no dilation), no padding,
    and nothing left over. Then a window tap's pixels are a plain reshape of the input.
    """
    (kh, kw) = geometry.kernel
    return (geometry.stride == geometry.kernel and geometry.dilation == (1, 1) and not any(geometry.padding)
            and geometry.height == geometry.out_height * kh and geometry.width == geometry.out_width * kw)


def add_windows(grad_taps: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The gradient for the input, ``(N, C, H, W)``, from one per window tap, ``(kH * kW, N, C, H_out, W_out)``.

    ``grad_taps[a * kW + b]`` is what tap ``(a, b)`` of every window sends
    back. Each pixel receives the sum of what every tap that read it sends.
    The loop runs over the :math:`k_h k_w` taps (9 for a 3 x 3 kernel), each
    step adding a strided slice for the whole batch at once; the padding's
    share is dropped.
    """
    if tiles(geometry):  # every pixel in exactly one window: the gradient is the taps put back in place
        (kh, kw), (n, c, h, w) = geometry.kernel, geometry.padded_shape  # no padding: the input's shape
        blocks = grad_taps.reshape(kh, kw, n, c, h // kh, w // kw).transpose(2, 3, 4, 0, 5, 1)
        grad = blocks.reshape(n, c, h, w)  # for a 1 x 1 kernel a view of grad_taps, maybe read-only (broadcast)
        return grad if grad.flags.writeable else grad.copy()
    grad = np.zeros(geometry.padded_shape, dtype=grad_taps.dtype)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: NaN, a huge sum: inf, silently as in torch
        for a, b, rows, cols in taps(geometry):
            grad[:, :, rows, cols] += grad_taps[a * geometry.kernel[1] + b]
    return crop(grad, geometry)


def batched(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """``x`` with a batch axis: ``(1, C, H, W)`` for an unbatched ``(C, H, W)`` input."""
    return x if geometry.batched else x[None]


def unbatched(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The inverse of :func:`batched`: the batch axis removed again where the input had none."""
    return x if geometry.batched else x[0]
