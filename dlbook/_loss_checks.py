"""Input checks for softmax and the loss functions, shared by both backends.

Like :mod:`dlbook._validate`, every check uses only what NumPy arrays and
PyTorch tensors have in common (``.shape``, ``.ndim``, ``.dtype``, comparison
operators, boolean indexing, ``.sum(axis=...)``, ``.any()``), so the NumPy and
the PyTorch side of :mod:`dlbook` reject bad input with the same
``ValueError`` messages before any arithmetic happens.

Where :mod:`torch.nn.functional` raises (class index out of range, shapes that
do not match, an input of :func:`binary_cross_entropy` outside [0, 1]) these
checks raise a ``ValueError`` instead of torch's ``IndexError`` or
``RuntimeError``. They go further than torch in four places: an empty batch
is rejected (torch returns NaN), probability targets of cross-entropy must be
non-negative and sum to one, targets of ``binary_cross_entropy_with_logits``
must lie in [0, 1] (as torch already demands of ``binary_cross_entropy``), and
``mse_loss`` refuses different shapes (torch broadcasts with a warning). NaN
in logits passes, as in torch.
"""

from __future__ import annotations

from typing import Any

from dlbook._validate import check_integer, check_not_empty, check_real, describe

REDUCTIONS = ("mean", "sum", "none")

# How far a row of target probabilities may sum from 1 (rounding of the dtype).
SUM_TOLERANCE = {"float16": 1e-2, "bfloat16": 1e-2}
DEFAULT_SUM_TOLERANCE = 1e-4


def dtype_name(a: Any) -> str:
    """The dtype of an array or tensor as a plain name: ``"float32"``, ``"int64"``, ``"bool"``."""
    return str(a.dtype).removeprefix("torch.")


def is_integer(a: Any) -> bool:
    """True when ``a`` has a signed or unsigned integer dtype (not bool, not float)."""
    return dtype_name(a).startswith(("int", "uint"))


def first(a: Any) -> float:
    """The first element of a non-empty array or tensor, as a Python number (for messages)."""
    return a.reshape(-1)[0].item()


def check_axis(name: str, a: Any, axis: int | None, dim: int | None) -> int:
    """Return the axis to reduce over, from ``axis`` or its torch alias ``dim`` (default -1).

    Valid axes run from ``-ndim`` to ``ndim - 1``; a 0-D input counts as having
    one axis (index ``0`` or ``-1``), as in :func:`torch.softmax`. The result is
    the non-negative index.
    """
    if axis is not None and dim is not None:
        raise ValueError(
            f"give axis or dim (its PyTorch name), not both; got axis={describe(axis)} and dim={describe(dim)}"
        )
    given = "dim" if dim is not None else "axis"
    axis = -1 if axis is None and dim is None else check_integer(given, dim if dim is not None else axis)
    size = max(a.ndim, 1)
    if not -size <= axis < size:
        raise ValueError(
            f"{given} {describe(axis)} is out of range for {name} of shape {tuple(a.shape)}; "
            f"use {'a dim' if given == 'dim' else 'an axis'} from {-size} to {size - 1}"
        )
    return axis % size


def check_reduction(reduction: str) -> None:
    """Raise ``ValueError`` unless ``reduction`` is ``"mean"``, ``"sum"`` or ``"none"``."""
    if not (isinstance(reduction, str) and reduction in REDUCTIONS):
        known = ", ".join(repr(r) for r in REDUCTIONS)
        raise ValueError(f"unknown reduction {describe(reduction)}; choose one of {known}")


def check_same_shape(input: Any, target: Any) -> None:
    """Raise ``ValueError`` unless ``input`` and ``target`` have equal shapes."""
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(
            f"shape mismatch: input has shape {tuple(input.shape)} and target has shape "
            f"{tuple(target.shape)}; they must be equal"
        )


def check_unit_interval(name: str, a: Any) -> None:
    """Raise ``ValueError`` unless every entry of ``a`` is a probability in [0, 1] (NaN is not)."""
    outside = ~((a >= 0) & (a <= 1))
    if outside.any():
        raise ValueError(f"{name} must hold probabilities in [0, 1]; found {first(a[outside])}")


def check_broadcasts_to(name: str, a: Any, shape: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless ``a`` broadcasts to ``shape`` without enlarging it."""
    own = tuple(a.shape)
    padded = (1,) * (len(shape) - len(own)) + own
    if len(own) > len(shape) or any(n not in (1, m) for n, m in zip(padded, shape)):
        raise ValueError(f"{name} of shape {own} does not broadcast to the input's shape {tuple(shape)}")


def check_elementwise_loss(input: Any, target: Any, reduction: str) -> None:
    """Checks shared by every elementwise loss: a known reduction, equal shapes, a non-empty batch."""
    check_reduction(reduction)
    check_same_shape(input, target)
    check_not_empty("input", input)


def check_binary_inputs(
    input: Any, target: Any, weight: Any | None, reduction: str, *,
    input_is_probability: bool, pos_weight: Any | None = None,
) -> None:
    """Validate the arguments of binary cross-entropy (on probabilities or on logits).

    Targets are probabilities in [0, 1] in both cases; the input must be too
    when ``input_is_probability``. ``weight`` and ``pos_weight`` must broadcast
    to the input's shape.
    """
    check_elementwise_loss(input, target, reduction)
    if input_is_probability:
        check_unit_interval("input", input)
    check_unit_interval("target", target)
    for name, extra in (("weight", weight), ("pos_weight", pos_weight)):
        if extra is not None:
            check_broadcasts_to(name, extra, tuple(input.shape))


def class_axis(input: Any) -> int:
    """The class dimension of cross-entropy's input: 0 for ``(C,)``, else 1 for ``(N, C, d1, ...)``."""
    return 0 if input.ndim == 1 else 1


def _check_class_input(input: Any, weight: Any | None, reduction: str) -> int:
    """Checks shared by ``nll_loss`` and ``cross_entropy`` on their input; returns the number of classes."""
    check_reduction(reduction)
    if input.ndim == 0:
        raise ValueError("input must have a class dimension: shape (C,), (N, C) or (N, C, d1, ...); got a scalar")
    check_not_empty("input", input)
    classes = input.shape[class_axis(input)]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise ValueError(f"weight must have shape ({classes},), one weight per class; got {tuple(weight.shape)}")
    return classes


def _check_class_indices(input: Any, target: Any, classes: int, ignore_index: int) -> None:
    """``target`` must be integer class indices of the input's shape without the class dimension."""
    expected = tuple(input.shape[:class_axis(input)]) + tuple(input.shape[class_axis(input) + 1:])
    if tuple(target.shape) != expected:
        raise ValueError(
            f"shape mismatch: input has shape {tuple(input.shape)}, so target must hold class indices of "
            f"shape {expected} or class probabilities of shape {tuple(input.shape)}; got {tuple(target.shape)}"
        )
    if not is_integer(target):
        raise ValueError(
            f"target of shape {tuple(target.shape)} holds class indices, so it needs an integer dtype, "
            f"got {dtype_name(target)}; for class probabilities give target the input's shape {tuple(input.shape)}"
        )
    bad = ((target < 0) | (target >= classes)) & (target != ignore_index)
    if bad.any():
        raise ValueError(
            f"target holds class index {first(target[bad])}, out of range for {classes} classes; "
            f"class indices run from 0 to {classes - 1} (or equal ignore_index={ignore_index})"
        )


def _check_class_probabilities(input: Any, target: Any) -> None:
    """``target`` (the input's shape) must be non-negative and sum to one over the class dimension."""
    negative = target < 0
    if negative.any():
        raise ValueError(f"target probabilities must be non-negative; found {first(target[negative])}")
    axis = class_axis(input)
    sums = target.sum(axis=axis)
    tolerance = SUM_TOLERANCE.get(dtype_name(target), DEFAULT_SUM_TOLERANCE)
    off = abs(sums - 1) > tolerance
    if off.any():
        raise ValueError(
            f"target probabilities must sum to 1 over the class dimension (axis {axis}); "
            f"found a sum of {first(sums[off])}"
        )


def check_ignore_index(ignore_index: Any) -> int:
    """``ignore_index`` as an ``int``: an integer (not ``bool``) that fits int64, the dtype of class indices."""
    index = check_integer("ignore_index", ignore_index)
    if not -(2**63) <= index < 2**63:
        raise ValueError(f"ignore_index must fit in int64 (class indices are int64), got {index}")
    return index


def check_nll_inputs(input: Any, target: Any, weight: Any | None, ignore_index: int, reduction: str) -> None:
    """Validate ``nll_loss``: log-probabilities ``(C,)`` or ``(N, C, d1, ...)`` and class-index targets."""
    ignore_index = check_ignore_index(ignore_index)
    classes = _check_class_input(input, weight, reduction)
    _check_class_indices(input, target, classes, ignore_index)


def check_cross_entropy_inputs(
    input: Any, target: Any, weight: Any | None, ignore_index: int, reduction: str, label_smoothing: float
) -> bool:
    """Validate ``cross_entropy``; return True for probability targets, False for class indices.

    As in torch, a target with the input's shape holds class probabilities
    (one-hot included); otherwise it holds class indices.
    """
    if not 0.0 <= check_real("label_smoothing", label_smoothing) <= 1.0:
        raise ValueError(f"label_smoothing must be between 0 and 1, got {label_smoothing}")
    ignore_index = check_ignore_index(ignore_index)
    classes = _check_class_input(input, weight, reduction)
    if tuple(target.shape) == tuple(input.shape):
        _check_class_probabilities(input, target)
        return True
    _check_class_indices(input, target, classes, ignore_index)
    return False
