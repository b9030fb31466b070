r"""2-D convolution from scratch in NumPy, with the semantics of ``torch.nn.functional.conv2d``.

A convolution slides one small pattern of weights, the *kernel*, over an image
and takes a weighted sum wherever it lies. With input :math:`x` of shape
``(N, C_in, H, W)``, weights :math:`w` of shape ``(C_out, C_in, kH, kW)`` and
biases :math:`b`, output channel :math:`o` at position :math:`(i, j)` is

.. math::

    y_{n,o,i,j} = b_o + \sum_{c} \sum_{a=0}^{k_h - 1} \sum_{q=0}^{k_w - 1}
        w_{o,c,a,q}\, \tilde x_{n,\, c,\, i s_h + a d_h,\, j s_w + q d_w},

where :math:`\tilde x` is the input padded with zeros, :math:`s` the stride and
:math:`d` the dilation. (This is cross-correlation: the kernel is not flipped,
as in every deep-learning library.) With ``groups`` :math:`g`, the channels
are split into :math:`g` groups and each output channel sums over the
:math:`C_{in} / g` channels of its own group only.

Vectorised as *im2col*: every window of the padded input is laid out as a
column (a strided view of the input, copied once), so the whole convolution
is one matrix product per group, kernels times columns. The columns are
taken at every column of the padded width, at stride 1 (:func:`_wide_view`),
and the output keeps every :math:`s_w`-th of them: the copy then reads whole
rows of pixels at a time, which on small images is faster than the few
pixels of each window's row, at the price of computing the columns that are
thrown away. The backward pass (:func:`conv2d_backward`) is two more
products, and the windows' gradients added back onto the pixels they read,
one kernel tap at a time.

Arguments follow torch: ``input`` is ``(N, C, H, W)`` or one image ``(C, H, W)``;
``stride``, ``padding`` and ``dilation`` are an int or a pair; ``padding`` may
also be ``"valid"`` (none) or ``"same"`` (stride 1 only). Results keep the
floating-point dtype of the arguments, which must agree (float32 in, float32
out); integer input becomes float64. Shapes that do not fit raise
``ValueError`` naming them (see :mod:`dlbook._conv_checks`). NaN passes
through, as in torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import ArrayLike

from dlbook._conv_checks import Geometry, check_grad_output, check_same_dtype, conv_geometry
from dlbook.numpy._arrays import as_numeric_array
from dlbook.numpy._windows import batched, unbatched


#: As in torch, what overflows becomes inf and inf - inf NaN, silently.
QUIET = {"invalid": "ignore", "over": "ignore"}


def as_float_arrays(**arrays: ArrayLike | None) -> list[np.ndarray | None]:
    """The arguments as arrays in one floating-point dtype, in order (a ``bias`` of ``None`` stays ``None``).

    Float arrays keep their dtype and must all share it (``ValueError``
    otherwise, as torch refuses a float32 input with float64 weights); the
    others (integers, booleans, lists) take that dtype, or float64 if no
    argument is a float array.
    """
    converted = {name: None if a is None and name == "bias" else as_numeric_array(a, name)
                 for name, a in arrays.items()}
    floats = {name: a for name, a in converted.items() if a is not None and np.issubdtype(a.dtype, np.floating)}
    check_same_dtype(**floats)
    dtype = next(iter(floats.values())).dtype if floats else np.dtype(np.float64)
    return [None if a is None else a.astype(dtype, copy=False) for a in converted.values()]


def _flat_padded(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The batched input zero-padded, each channel's plane flattened: ``(N, C, (H_p + 1) * W_p)``.

    One extra zero row at the bottom lets the last windows read past the
    padded plane's end (see :func:`_wide_view`).
    """
    top, bottom, left, right = geometry.padding
    n, c, h, w = x.shape
    rows, row = h + top + bottom + 1, w + left + right
    flat = np.zeros((n, c, rows, row), dtype=x.dtype)
    flat[:, :, top:top + h, left:left + w] = x
    return flat.reshape(n, c, rows * row)


def _wide_view(flat: np.ndarray, geometry: Geometry, writeable: bool = False) -> np.ndarray:
    r"""Every window tap as a view of the flattened planes: ``(C, kH, kW, N, H_out, W_p)``.

    Element ``[c, a, q, n, i, j]`` is padded pixel ``(i s_h + a d_h, j + q d_w)``
    of channel ``c`` of image ``n``: the windows at *every* column ``j`` of the
    padded width :math:`W_p`, at stride 1, of which the output keeps
    :math:`j = 0, s_w, 2 s_w, \dots`. Reading whole padded rows this way makes
    the innermost axis contiguous, :math:`W_p` pixels long; the columns past a
    row's end read the next row, and only those thrown away. Taps overlap in
    memory: write through it (``writeable``) one tap ``[:, a, q]`` at a time.
    """
    n, c = flat.shape[:2]
    kh, kw = geometry.kernel
    (sh, _), (dh, dw) = geometry.stride, geometry.dilation
    row = geometry.padded_shape[3]  # W_p, the padded width
    step = flat.strides[2]
    shape = (c, kh, kw, n, geometry.out_height, row)
    strides = (flat.strides[1], dh * row * step, dw * step, flat.strides[0], sh * row * step, step)
    return as_strided(flat, shape, strides, writeable=writeable)


def _columns(x: np.ndarray, geometry: Geometry, groups: int) -> np.ndarray:
    """im2col: the windows of the batched input ``x`` as columns, ``(groups, C/groups * kH * kW, N * H_out * W_p)``.

    Row ``(c, a, q)`` of group ``g`` holds tap ``(a, q)`` of channel ``c`` of that
    group; column ``(n, i, j)`` is the window at row ``i`` and padded column
    ``j`` of image ``n`` (see :func:`_wide_view`).
    """
    view = _wide_view(_flat_padded(x, geometry), geometry)
    c, kh, kw, n, out_h, row = view.shape
    return view.reshape(groups, c // groups * kh * kw, n * out_h * row)


def _kernels(weight: np.ndarray, groups: int) -> np.ndarray:
    """The weights as one matrix per group, ``(groups, C_out / groups, C_in / groups * kH * kW)``."""
    return weight.reshape(groups, weight.shape[0] // groups, -1)


def _output_columns_only(wide: np.ndarray, geometry: Geometry) -> np.ndarray:
    """``wide`` (columns as :func:`_columns`'s, ``N * H_out * W_p`` on the last axis) with the others zeroed, in place.

    The backward pass multiplies the columns thrown away by zeros, which is
    NaN where they hold an infinity: torch never computes them.
    """
    rows = wide.reshape(*wide.shape[:-1], -1, geometry.padded_shape[3])
    thrown_away = np.ones(rows.shape[-1], dtype=bool)
    thrown_away[_output_columns(geometry)] = False
    rows[..., thrown_away] = 0
    return wide


def _output_columns(geometry: Geometry) -> slice:
    """Which of the :math:`W_p` wide columns are the output's: every :math:`s_w`-th, :math:`W_{out}` of them."""
    return slice(0, geometry.stride[1] * (geometry.out_width - 1) + 1, geometry.stride[1])


@dataclass(frozen=True)
class Unfolded:
    """A convolution's input laid out as columns (im2col), kept from the forward pass for the backward pass.

    ``columns`` are :func:`_columns`'s; ``geometry`` and ``groups`` those of
    the convolution; ``shape`` is the input's, with its batch axis.
    """

    columns: np.ndarray
    geometry: Geometry
    groups: int
    shape: tuple[int, ...]


def conv2d(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> np.ndarray:
    r"""The convolution :math:`y = b + w \star x` of ``F.conv2d``; shape ``(N, C_out, H_out, W_out)``.

    :math:`H_{out} = \lfloor (H + 2 p_h - d_h (k_h - 1) - 1) / s_h \rfloor + 1`,
    likewise :math:`W_{out}`. ``input`` is ``(N, C_in, H, W)`` or ``(C_in, H, W)``
    (then so is the result, without the batch axis); ``weight`` is
    ``(C_out, C_in / groups, kH, kW)``; ``bias`` is ``(C_out,)`` or ``None``.
    """
    return conv2d_unfolded(input, weight, bias, stride, padding, dilation, groups)[0]


def conv2d_unfolded(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> tuple[np.ndarray, Unfolded]:
    """:func:`conv2d`, and the input's columns for :func:`conv2d_backward_unfolded` (a network keeps them)."""
    x, w, b = as_float_arrays(input=input, weight=weight, bias=bias)
    geometry = conv_geometry(x.shape, w.shape, None if b is None else b.shape, stride, padding, dilation, groups)
    out, unfolded = _conv2d_unfolded(batched(x, geometry), w, b, geometry, groups)
    return unbatched(out, geometry), unfolded


def _conv2d_unfolded(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, geometry: Geometry, groups: int
) -> tuple[np.ndarray, Unfolded]:
    """:func:`conv2d_unfolded` of a batched input, its arguments already checked (one dtype, ``geometry``
    theirs): a network's step."""
    unfolded = Unfolded(_columns(x, geometry, groups), geometry, groups, x.shape)
    with np.errstate(**QUIET):
        wide = _kernels(weight, groups) @ unfolded.columns  # (groups, C_out / groups, N * H_out * W_p)
    out = wide.reshape(weight.shape[0], len(x), geometry.out_height, geometry.padded_shape[3])
    # One copy into the usual layout, image by image: what follows (ReLU, pooling) runs several times faster on it.
    out = np.ascontiguousarray(out[..., _output_columns(geometry)].transpose(1, 0, 2, 3))
    if bias is not None:
        with np.errstate(**QUIET):
            out += bias[:, None, None]
    return out, unfolded


def conv2d_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    weight: ArrayLike,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradients of a loss :math:`\ell` through :func:`conv2d`: ``(grad_input, grad_weight, grad_bias)``.

    Given :math:`G = \partial \ell / \partial y` (``grad_output``, the shape of
    the output) and the arguments of the forward pass (the bias does not
    matter), with :math:`X` the columns of the input and :math:`K` the kernels
    of a group as matrices (see the module's docstring):

    .. math::

        \frac{\partial \ell}{\partial b_o} = \sum_{n,i,j} G_{n,o,i,j}, \qquad
        \frac{\partial \ell}{\partial K} = G X^\top, \qquad
        \frac{\partial \ell}{\partial X} = K^\top G,

    and each pixel's gradient is the sum of :math:`\partial \ell / \partial X`
    over every window tap that read it (zero for pixels no window reached).
    The results have the shapes of ``input``, ``weight`` and ``(C_out,)``.
    """
    x, w, g = as_float_arrays(input=input, weight=weight, grad_output=grad_output)
    geometry = conv_geometry(x.shape, w.shape, None, stride, padding, dilation, groups)
    xb = batched(x, geometry)
    unfolded = Unfolded(_columns(xb, geometry, groups), geometry, groups, xb.shape)
    grad_input, grad_weight, grad_bias = conv2d_backward_unfolded(g, unfolded, w)
    return grad_input, grad_weight, grad_bias


def conv2d_backward_unfolded(
    grad_output: ArrayLike, unfolded: Unfolded, weight: np.ndarray, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """:func:`conv2d_backward` from the columns :func:`conv2d_unfolded` kept; no ``grad_input`` (``None``)
    unless ``input_grad``: a network's first layer reads the data, which need no gradient.
    """
    (g,) = as_float_arrays(grad_output=grad_output)
    check_same_dtype(grad_output=g, weight=weight, columns=unfolded.columns)
    check_grad_output(g.shape, unfolded.geometry, weight.shape[0])
    grad_input, grad_weight, grad_bias = _conv2d_backward_unfolded(
        batched(g, unfolded.geometry), unfolded, weight, input_grad)
    return None if grad_input is None else unbatched(grad_input, unfolded.geometry), grad_weight, grad_bias


def _conv2d_backward_unfolded(
    gb: np.ndarray, unfolded: Unfolded, weight: np.ndarray, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """:func:`conv2d_backward_unfolded` of a batched ``grad_output`` ``gb``, the arguments already checked: a
    network's step. The input's gradient comes batched too."""
    geometry, groups = unfolded.geometry, unfolded.groups
    grad_matrix = _grad_matrix(gb, geometry, groups)
    with np.errstate(**QUIET):
        grad_weight = grad_matrix @ unfolded.columns.transpose(0, 2, 1)
        if np.isnan(grad_weight).any():  # maybe 0 * inf from a column thrown away: compute without them
            grad_weight = grad_matrix @ _output_columns_only(unfolded.columns.copy(), geometry).transpose(0, 2, 1)
        grad_weight = grad_weight.reshape(weight.shape)
        grad_bias = gb.sum(axis=(0, 2, 3))
        if not input_grad:
            return None, grad_weight, grad_bias
        grad_columns = _kernels(weight, groups).transpose(0, 2, 1) @ grad_matrix  # (groups, C/g * kH * kW, N * L)
        if not np.isfinite(weight).all():  # 0 * inf in the columns thrown away must not reach the input
            _output_columns_only(grad_columns, geometry)
    # Each tap's gradients go back to the pixels it read: the same view as the forward pass, written to.
    n, c, h, width = unfolded.shape
    top, bottom, left, right = geometry.padding
    grad_flat = np.zeros((n, c, (h + top + bottom + 1) * (width + left + right)), dtype=gb.dtype)
    targets = _wide_view(grad_flat, geometry, writeable=True)
    sources = grad_columns.reshape(targets.shape)
    with np.errstate(**QUIET):
        for a in range(geometry.kernel[0]):  # one tap at a time: within a tap, no two windows read the same pixel
            for q in range(geometry.kernel[1]):
                targets[:, a, q] += sources[:, a, q]
    plane = grad_flat.reshape(n, c, h + top + bottom + 1, width + left + right)  # the extra row too
    return plane[:, :, top:top + h, left:left + width], grad_weight, grad_bias


def _grad_matrix(grad_output: np.ndarray, geometry: Geometry, groups: int) -> np.ndarray:
    """:math:`G` of a batched ``grad_output`` as one matrix per group, ``(groups, C_out / groups, N * H_out * W_p)``.

    Its columns are those of :func:`_columns`; the wide columns that are not
    the output's get zero.
    """
    n, c_out = grad_output.shape[:2]
    wide = np.zeros((c_out, n, geometry.out_height, geometry.padded_shape[3]), dtype=grad_output.dtype)
    wide[..., _output_columns(geometry)] = grad_output.transpose(1, 0, 2, 3)
    return wide.reshape(groups, c_out // groups, -1)
