r"""The geometry of 2-D convolution and pooling, checked once for both backends.

A convolution or a pooling window slides over the last two axes of an input of
shape ``(N, C, H, W)`` (or ``(C, H, W)``, one image without a batch axis). Along
each of those axes, a window of :math:`k` taps spaced :math:`d` apart (the
dilation) covers :math:`d (k - 1) + 1` pixels; it starts every :math:`s` pixels
(the stride) of the input padded by :math:`p` on each side, so the output has

.. math::

    \left\lfloor \frac{H + 2p - d (k - 1) - 1}{s} \right\rfloor + 1

positions along that axis (pooling with ``ceil_mode=True`` rounds up, as long
as the last window starts inside the input or its left padding).

The functions here read only shapes and Python numbers, never values, so the
NumPy side (:mod:`dlbook.numpy.conv`, :mod:`dlbook.numpy.pooling`) and the
PyTorch side (:mod:`dlbook.torch.conv`) reject the same arguments with the same
``ValueError`` messages, where :mod:`torch.nn.functional` raises a
``RuntimeError``. The rules are torch's: stride, padding, dilation and kernel
sizes are an int or a pair of ints (a list of one int counts as that int for
both axes); ``padding="valid"`` is no padding and ``padding="same"`` pads so
that the output has the input's size, which needs stride 1 (an even total
padding is split equally, an odd one puts the extra pixel at the bottom and
right); pooling pads by at most half the kernel; a batch may be empty, the
other axes may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any, Sequence

from dlbook._validate import describe

#: The largest size torch reads (a C ``long long``); beyond it torch says "Overflow when unpacking long long".
LARGEST = 2**63 - 1

#: A size along the two spatial axes, (height, width).
Pair = tuple[int, int]


def _is_int(value: Any) -> bool:
    """True for Python and NumPy integers, not for booleans."""
    return type(value) is int or (isinstance(value, Integral) and not isinstance(value, bool))


def pair(name: str, value: Any) -> Pair:
    """``value`` as ``(height, width)``: an int for both, or a sequence of one or two ints.

    Raises ``ValueError`` naming ``name`` for anything else (floats, booleans,
    three numbers), as torch refuses them.
    """
    sequence = isinstance(value, Sequence) and not isinstance(value, str)
    values = [value] if _is_int(value) else list(value) if sequence else []
    if len(values) in (1, 2) and all(_is_int(v) for v in values):
        if max(abs(int(v)) for v in values) > LARGEST:
            raise ValueError(f"{name} must fit in a 64-bit integer, as in torch, got {describe(value)}")
        return (int(values[0]), int(values[-1]))
    raise ValueError(f"{name} must be an int or a pair of ints (height, width), got {describe(value)}")


def _positive(name: str, value: Pair) -> Pair:
    if min(value) < 1:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def check_input(input_shape: tuple[int, ...], what: str) -> tuple[int, int, int, int]:
    """``(N, C, H, W)`` of an input of shape ``(N, C, H, W)`` or ``(C, H, W)`` (then ``N = 1``).

    ``what`` names the operation in the messages. A batch may be empty
    (``N = 0``); channels, height and width must not.
    """
    if len(input_shape) not in (3, 4):
        raise ValueError(
            f"input of {what} must be 3-D (C, H, W) or 4-D (N, C, H, W), got shape {tuple(input_shape)}"
        )
    n, c, h, w = (1, *input_shape) if len(input_shape) == 3 else input_shape
    if min(c, h, w) == 0:
        raise ValueError(
            f"input of {what} must have at least one channel, row and column, got shape {tuple(input_shape)}"
        )
    return n, c, h, w


def output_size(size: int, kernel: int, stride: int, pad_before: int, pad_after: int, dilation: int) -> int:
    r"""Window positions along one axis: :math:`\lfloor (L + p_1 + p_2 - d (k - 1) - 1) / s \rfloor + 1`."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


@dataclass(frozen=True)
class Geometry:
    """Where the windows of a convolution or pooling lie, for an input of ``(N, C, H, W)``.

    ``padding`` is ``(top, bottom, left, right)``: what is added before the
    first window and after the last one. For pooling with ``ceil_mode`` the
    last window may reach past the bottom or right padding: ``extra`` (rows,
    columns) is how far, so that a padded array of
    ``(H + top + bottom + extra_rows, W + left + right + extra_cols)`` holds
    every window. ``batched`` says whether the input had a batch axis.
    """

    batched: bool
    n: int
    channels: int
    height: int
    width: int
    kernel: Pair
    stride: Pair
    padding: tuple[int, int, int, int]
    dilation: Pair
    out_height: int
    out_width: int
    extra: Pair = (0, 0)

    @property
    def output_plane(self) -> Pair:
        """``(H_out, W_out)``."""
        return self.out_height, self.out_width

    @property
    def padded_shape(self) -> tuple[int, int, int, int]:
        """``(N, C, H_padded, W_padded)``: the input with its padding and any ``extra`` rows and columns."""
        top, bottom, left, right = self.padding
        return (self.n, self.channels, self.height + top + bottom + self.extra[0],
                self.width + left + right + self.extra[1])


def _same_padding(kernel: Pair, dilation: Pair) -> tuple[int, int, int, int]:
    """Padding that keeps the size at stride 1: :math:`d (k - 1)` in all, the odd pixel after."""
    (kh, kw), (dh, dw) = kernel, dilation
    total_h, total_w = dh * (kh - 1), dw * (kw - 1)
    return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2


def conv_geometry(
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    bias_shape: tuple[int, ...] | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
) -> Geometry:
    """Check the arguments of ``conv2d`` (shapes and hyperparameters) and return where its windows lie.

    ``weight`` has shape ``(C_out, C_in / groups, kH, kW)``; ``bias``, if
    given, ``(C_out,)``. ``groups`` splits the input channels and the filters
    into that many groups, each filter seeing only its group's channels.
    """
    if len(weight_shape) != 4:
        raise ValueError(
            f"weight of conv2d must be 4-D (C_out, C_in / groups, kH, kW), got shape {tuple(weight_shape)}"
        )
    n, c, h, w = check_input(input_shape, "conv2d")
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"groups must be a positive integer, got {describe(groups)}")
    stride = _positive("stride", pair("stride", stride))
    dilation = _positive("dilation", pair("dilation", dilation))
    c_out, c_group, kh, kw = weight_shape
    if min(weight_shape) == 0:
        raise ValueError(f"weight of conv2d must not be empty, got shape {tuple(weight_shape)}")
    if c_out % groups:
        raise ValueError(f"weight's {c_out} output channels (shape {tuple(weight_shape)}) must be divisible by "
                         f"groups={groups}")
    if c_group * groups != c:
        raise ValueError(
            f"input has {c} channels (shape {tuple(input_shape)}) but weight of shape {tuple(weight_shape)} with "
            f"groups={groups} expects {c_group * groups}"
        )
    if bias_shape is not None and tuple(bias_shape) != (c_out,):
        raise ValueError(f"bias must have shape ({c_out},), one value per output channel of weight "
                         f"{tuple(weight_shape)}, got shape {tuple(bias_shape)}")
    pads = conv_padding(padding, stride, (kh, kw), dilation)
    top, bottom, left, right = pads
    reach = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if h + top + bottom < reach[0] or w + left + right < reach[1]:
        raise ValueError(
            f"the kernel, {reach[0]} x {reach[1]} pixels with dilation {dilation}, is larger than the padded "
            f"input, {h + top + bottom} x {w + left + right} (input shape {tuple(input_shape)}, "
            f"padding {describe(padding)})"
        )
    return Geometry(
        batched=len(input_shape) == 4, n=n, channels=c, height=h, width=w, kernel=(kh, kw), stride=stride,
        padding=pads, dilation=dilation,
        out_height=output_size(h, kh, stride[0], top, bottom, dilation[0]),
        out_width=output_size(w, kw, stride[1], left, right, dilation[1]),
    )


def conv_padding(padding: Any, stride: Pair, kernel: Pair, dilation: Pair) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` from conv2d's ``padding``: an int, a pair, ``"valid"`` or ``"same"``."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"padding='same' needs stride 1 (the output keeps the input's size), "
                                 f"got stride {stride}")
            return _same_padding(kernel, dilation)
        raise ValueError(f"padding must be an int, a pair of ints, 'valid' or 'same', got {describe(padding)}")
    ph, pw = pair("padding", padding)
    if min(ph, pw) < 0:
        raise ValueError(f"padding must be non-negative, got {(ph, pw)}")
    return ph, ph, pw, pw


def pool_geometry(
    input_shape: tuple[int, ...],
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    what: str,
) -> Geometry:
    """Check the arguments of a pooling (``what``: its name) and return where its windows lie.

    ``stride`` defaults to ``kernel_size`` (``None`` or an empty sequence);
    ``padding`` may be at most half the kernel. With ``ceil_mode`` the output
    size is rounded up, except that a window must start inside the input or
    its top or left padding (torch's rule).
    """
    n, c, h, w = check_input(input_shape, what)
    kernel = _positive("kernel_size", pair("kernel_size", kernel_size))
    empty = stride is None or (isinstance(stride, Sequence) and not isinstance(stride, str) and len(stride) == 0)
    stride = kernel if empty else _positive("stride", pair("stride", stride))
    dilation = _positive("dilation", pair("dilation", dilation))
    pads = pair("padding", padding)
    if min(pads) < 0:
        raise ValueError(f"padding must be non-negative, got {pads}")
    if pads[0] > kernel[0] // 2 or pads[1] > kernel[1] // 2:
        raise ValueError(f"padding must be at most half the kernel size, got padding {pads} for kernel_size {kernel}")
    if not isinstance(ceil_mode, bool):
        raise ValueError(f"ceil_mode must be True or False, got {describe(ceil_mode)}")
    sizes, extra = [], []
    for size, k, s, p, d in zip((h, w), kernel, stride, pads, dilation):
        span = size + 2 * p - d * (k - 1) - 1
        out = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (out - 1) * s >= size + p:  # the last window would start in the bottom/right padding
            out -= 1
        sizes.append(out)
        extra.append(max(0, (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p)))
    if min(sizes) < 1:
        raise ValueError(
            f"{what} of input shape {tuple(input_shape)} with kernel_size {kernel}, stride {stride}, padding "
            f"{pads} and dilation {dilation} has no output: output size {sizes[0]} x {sizes[1]}"
        )
    return Geometry(
        batched=len(input_shape) == 4, n=n, channels=c, height=h, width=w, kernel=kernel, stride=stride,
        padding=(pads[0], pads[0], pads[1], pads[1]), dilation=dilation, out_height=sizes[0], out_width=sizes[1],
        extra=(extra[0], extra[1]),
    )


def windows_off_the_input(geometry: Geometry) -> tuple[list[bool], list[bool]]:
    r"""Which rows and which columns of windows have no tap on the input, only on padding (``(H_out,)``, ``(W_out,)``).

    Along an axis, the windows at output position :math:`o` have taps at
    :math:`o s - p + j d` for :math:`0 \le j < k`; they miss the input when
    none of them lies in :math:`[0, L)`. Possible only with dilation and
    padding. Window :math:`(i, j)` is off the input when its row or its
    column is.
    """
    top, _, left, _ = geometry.padding
    rows, cols = ([not any(0 <= o * s - p + j * d < size for j in range(k)) for o in range(out)]
                  for size, out, k, s, d, p in zip((geometry.height, geometry.width), geometry.output_plane,
                                                   geometry.kernel, geometry.stride, geometry.dilation, (top, left)))
    return rows, cols


def check_avg_options(count_include_pad: Any, divisor_override: Any) -> None:
    """Raise ``ValueError`` unless ``count_include_pad`` is a bool and ``divisor_override`` ``None`` or a non-zero int."""
    if not isinstance(count_include_pad, bool):
        raise ValueError(f"count_include_pad must be True or False, got {describe(count_include_pad)}")
    if divisor_override is not None and (not _is_int(divisor_override) or divisor_override == 0):
        raise ValueError(f"divisor_override must be a non-zero integer or None, got {describe(divisor_override)}")


def check_grad_output(grad_shape: tuple[int, ...], geometry: Geometry, channels: int) -> None:
    """Raise ``ValueError`` unless ``grad_output`` has the shape of the forward pass's output."""
    plane = (channels, geometry.out_height, geometry.out_width)
    expected = (geometry.n, *plane) if geometry.batched else plane
    if tuple(grad_shape) != expected:
        raise ValueError(f"grad_output must have the shape of the output, {expected}, got {tuple(grad_shape)}")


def check_same_dtype(**arrays: Any) -> None:
    """Raise ``ValueError`` unless the named arrays (``None`` skipped) share one dtype, as torch demands."""
    if len({a.dtype for a in arrays.values() if a is not None}) < 2:
        return
    given = {name: str(a.dtype).removeprefix("torch.") for name, a in arrays.items() if a is not None}
    if len(set(given.values())) > 1:
        listed = ", ".join(f"{name} {dtype}" for name, dtype in given.items())
        raise ValueError(f"arguments must share one floating-point dtype, got {listed}")
