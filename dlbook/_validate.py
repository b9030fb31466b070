"""Input checks shared by the NumPy and the PyTorch backends.

The checks are written against what NumPy arrays and PyTorch tensors have in
common (``.shape``, ``.ndim``, comparison operators, ``.any()``), so each rule
is stated once and both backends raise the same ``ValueError`` messages.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Mapping, TypeVar

T = TypeVar("T")


def lookup(kind: str, name: str, table: Mapping[str, T]) -> T:
    """Return ``table[name]``, or raise a ``ValueError`` listing the valid names."""
    try:
        return table[name]
    except (KeyError, TypeError):
        known = ", ".join(repr(key) for key in table)
        raise ValueError(f"unknown {kind} {name!r}; choose one of {known}") from None


def check_count(name: str, value: Any, low: int) -> None:
    """Raise ``ValueError`` unless ``value`` is an integer of at least ``low``.

    Booleans are not counts, although Python treats them as integers.
    """
    integer = isinstance(value, Integral) and not isinstance(value, bool)
    if not integer or value < low:
        raise ValueError(
            f"{name} must be an integer of at least {low}, got {value!r}"
        )


def has_nan(a: Any) -> bool:
    """True when the array or tensor ``a`` holds at least one NaN."""
    return bool((a != a).any())


def check_no_nan(name: str, a: Any) -> None:
    """Raise ``ValueError`` when ``a`` holds a NaN, naming the argument."""
    if has_nan(a):
        raise ValueError(f"{name} contains NaN; check the data or the step that produced it")


def check_not_empty(name: str, a: Any) -> None:
    """Raise ``ValueError`` when ``a`` has no elements, naming the argument and its shape."""
    if 0 in tuple(a.shape):
        raise ValueError(f"{name} is empty (shape {tuple(a.shape)}); it needs at least one element")


def check_ndim(name: str, a: Any, allowed: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless ``a.ndim`` is one of ``allowed``."""
    if a.ndim not in allowed:
        dims = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name} must be {dims}, got shape {tuple(a.shape)}")


def check_perceptron_inputs(x: Any, w: Any, b: Any) -> None:
    """Validate the arguments of a perceptron forward pass.

    ``x`` is one example of shape ``(d,)`` or a batch of shape ``(n, d)``,
    ``w`` has shape ``(d,)`` and ``b`` is a scalar. Empty inputs and NaNs are
    rejected: a perceptron fed either is a bug upstream.
    """
    check_ndim("x", x, (1, 2))
    check_ndim("w", w, (1,))
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"shape mismatch: x has shape {tuple(x.shape)} and w has shape {tuple(w.shape)}; "
            f"the last dimension of x must equal the length of w"
        )
    if b.ndim != 0:
        raise ValueError(f"b must be a scalar, got shape {tuple(b.shape)}")
    for name, a in (("x", x), ("w", w)):
        check_not_empty(name, a)
    for name, a in (("x", x), ("w", w), ("b", b)):
        check_no_nan(name, a)


def check_labelled_data(X: Any, y: Any, n_classes: int | None = None) -> None:
    """Validate a training set: ``X`` of shape ``(n, d)`` and integer labels ``y`` of shape ``(n,)``.

    Rejects empty or NaN ``X``, labels that are not integers, a length
    mismatch, negative labels and, when ``n_classes`` is given, labels of
    ``n_classes`` or more (the network has no output for them).
    """
    check_ndim("X", X, (2,))
    check_not_empty("X", X)
    check_no_nan("X", X)
    check_ndim("y", y, (1,))
    if "int" not in str(y.dtype):
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels; they must match")
    if y.min() < 0 or (n_classes is not None and y.max() >= n_classes):
        top = "" if n_classes is None else f" and below {n_classes}"
        raise ValueError(f"y must hold class labels from 0{top}, got values from {int(y.min())} to {int(y.max())}")


def check_learning_rate(lr: Any) -> None:
    """Raise ``ValueError`` unless the learning rate ``lr`` is a real number with :math:`0 < lr < \\infty`."""
    if isinstance(lr, bool) or not isinstance(lr, Real):
        raise ValueError(f"lr must be a number, got {lr!r}")
    if not 0 < lr < float("inf"):  # also False for NaN
        raise ValueError(f"lr must be positive and finite, got {lr!r}")


def check_gradients(params: Mapping[str, Any], grads: Any, allow_none: bool = False) -> None:
    """Raise ``ValueError`` unless ``grads`` is a dict with the keys of ``params`` and each gradient its parameter's shape.

    The message names the keys that are missing or extra, or the key whose shape differs.
    With ``allow_none``, a gradient may be ``None`` (no gradient, as torch's
    ``.grad`` of a parameter the loss did not reach).
    """
    if not isinstance(grads, Mapping):
        raise ValueError(f"grads must be a dict of gradients with the keys of params, got {type(grads).__name__}")
    if set(params) != set(grads):
        missing = sorted(set(params) - set(grads))
        extra = sorted(set(grads) - set(params))
        raise ValueError(
            f"params and grads must have the same keys, got {sorted(params)} and {sorted(grads)}"
            f" (grads lacks {missing}, has extra {extra})"
        )
    for name, p in params.items():
        if grads[name] is None and allow_none:
            continue
        if tuple(grads[name].shape) != tuple(p.shape):
            raise ValueError(
                f"grads[{name!r}] has shape {tuple(grads[name].shape)} but params[{name!r}] has shape {tuple(p.shape)}"
            )
