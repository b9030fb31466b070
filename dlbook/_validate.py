"""Input checks shared by the NumPy and the PyTorch backends.

The checks are written against what NumPy arrays and PyTorch tensors have in
common (``.shape``, ``.ndim``, comparison operators, ``.any()``), so each rule
is stated once and both backends raise the same messages. Every message names
the argument and says what is wrong with it.

Bad input raises ``ValueError``. Where Python's own convention raises
``TypeError`` (a string, ``None`` or a float where a number or an integer is
needed), the error is an :class:`ArgumentTypeError`, which is both: code that
catches either ``TypeError`` or ``ValueError`` catches it.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any, Mapping, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 2**28
"""The most numbers one array may hold (2 GiB in float64): beyond it a size is a mistake, not a request."""


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: a ``TypeError`` as in Python, and a ``ValueError`` as for all bad input.

    The same pattern as NumPy's ``AxisError`` (a ``ValueError`` and an ``IndexError``).
    """


def describe(value: Any, limit: int = 60) -> str:
    """A short ``repr`` of ``value`` for a message, never raising (some objects' ``repr`` does)."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real problem
        return f"a {type(value).__name__} object"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: Any) -> str:
    """``f"{value}"``, as torch's messages print a value, or :func:`describe`'s text where that raises."""
    try:
        return f"{value}"
    except Exception:  # a broken __str__ or __repr__ must not hide the real problem
        return describe(value)


def _plain_number(value: Any) -> Any:
    """A 0-D array or tensor as the Python number it holds; anything else unchanged."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item") and not isinstance(value, (Real, str)):
        kind = str(getattr(value, "dtype", "")).removeprefix("torch.")
        if kind.startswith(("int", "uint", "float", "bool")):
            return value.item()
    return value


def is_integer(value: Any) -> bool:
    """True for a Python or NumPy integer (or a 0-D integer array), not for ``bool``."""
    value = _plain_number(value)
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_integer(name: str, value: Any) -> int:
    """``value`` as a Python ``int``; :class:`ArgumentTypeError` unless it is an integer (``bool`` is not)."""
    if not is_integer(value):
        raise ArgumentTypeError(f"{name} must be an integer, got {describe(value)} ({type(value).__name__})")
    return int(_plain_number(value))


def check_count(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as a Python ``int``; raises unless it is an integer from ``low`` to ``high`` (unbounded when ``None``).

    Booleans are not counts, although Python treats them as integers; a
    non-integer raises :class:`ArgumentTypeError`, an integer out of range
    ``ValueError``. The result is a Python ``int`` even for a NumPy integer,
    so that arithmetic on it cannot overflow (``np.uint8(3) - 10``).
    """
    if not is_integer(value):
        raise ArgumentTypeError(f"{name} must be an integer of at least {low}, got {describe(value)}")
    count = int(_plain_number(value))
    if count < low:
        raise ValueError(f"{name} must be an integer of at least {low}, got {describe(value)}")
    if high is not None and count > high:
        raise ValueError(f"{name} must be an integer of at most {high:,}, got {describe(value)}")
    return count


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as an ``int`` for ``numpy.random.default_rng``: any integer from 0 up (``bool`` is not)."""
    if not is_integer(seed):
        raise ArgumentTypeError(f"{name} must be a non-negative integer, got {describe(seed)}")
    seed = int(_plain_number(seed))
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {seed}")
    return seed


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    positive: bool = False,
    finite: bool = True,
) -> float:
    """``value`` as a Python ``float``, after checking it is a real number in range.

    A real number is a Python or NumPy ``int`` or ``float`` (or a 0-D array of
    one), never ``bool``, a string or ``None`` (:class:`ArgumentTypeError`).
    ``ValueError`` when it is NaN or infinite (unless ``finite=False``), below
    ``low``, above ``high``, not above 0 when ``positive``, or an integer too
    large for a float.
    """
    number = _plain_number(value)
    if isinstance(number, bool) or not isinstance(number, Real):
        raise ArgumentTypeError(f"{name} must be a number, got {describe(value)} ({type(value).__name__})")
    try:
        number = float(number)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float: {describe(value)}") from None
    if positive and not number > 0:  # also for NaN
        raise ValueError(f"{name} must be positive, got {number:g}")
    if finite and not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    if math.isnan(number):
        return number
    if low is not None and number < low:
        least = "non-negative" if low == 0 else f"at least {low:g}"
        raise ValueError(f"{name} must be {least}, got {number:g}")
    if high is not None and number > high:
        raise ValueError(f"{name} must be at most {high:g}, got {number:g}")
    return number


def check_number(name: str, value: Any) -> Any:
    """``value`` itself, after checking it is a number that ``torch.optim`` or ``torch.nn.init`` could compute with.

    As torch, it takes any real number (``bool``, NaN and infinities
    included: torch's own range checks decide on them) and a 0-D array or
    tensor. It refuses what is not a number (``None``, a string, a list, a
    complex number) with :class:`ArgumentTypeError`, and an integer too
    large for a float with ``ValueError`` (torch's ``OverflowError``), both
    naming the argument.
    """
    number = _plain_number(value)
    if not isinstance(number, Real):
        raise ArgumentTypeError(f"{name} must be a number, got {describe(value)} ({type(value).__name__})")
    try:
        float(number)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float: {describe(value)}") from None
    return value


def check_entries(what: str, count: int, hint: str = "") -> None:
    """Raise ``ValueError`` when an array of ``count`` numbers, ``what``, would exceed :data:`MAX_ENTRIES`."""
    if count > MAX_ENTRIES:
        size = f"{count:,}" if count < 10**15 else f"about 1e{len(str(count)) - 1}"
        raise ValueError(
            f"{what} would hold {size} numbers, more than the {MAX_ENTRIES:,} (2 GiB) dlbook allocates"
            + (f"; {hint}" if hint else "")
        )


def check_function(name: str, function: Any, *, optional: bool = False) -> None:
    """Raise :class:`ArgumentTypeError` unless ``function`` is callable (or ``None``, when ``optional``), naming it."""
    if not (callable(function) or (optional and function is None)):
        raise ArgumentTypeError(f"{name} must be a function, got {describe(function)}")


def check_sequence(name: str, value: Any, example: str) -> None:
    """Raise :class:`ArgumentTypeError` unless ``value`` is a list-like sequence (a string is not), naming it."""
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__") or not hasattr(value, "__getitem__"):
        raise ArgumentTypeError(f"{name} must be a list, e.g. {example}, got {describe(value)}")


def check_mapping(name: str, value: Any) -> Mapping[str, Any]:
    """``value`` itself when it is a dict (any mapping) of arrays; :class:`ArgumentTypeError` otherwise."""
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(
            f"{name} must be a dict of arrays, e.g. {{'W': ..., 'b': ...}}, got {type(value).__name__}"
        )
    return value


def lookup(kind: str, name: str, table: Mapping[str, T]) -> T:
    """Return ``table[name]``, or raise a ``ValueError`` listing the valid names."""
    try:
        return table[name]
    except (KeyError, TypeError):
        known = ", ".join(repr(key) for key in table)
        raise ValueError(f"unknown {kind} {describe(name)}; choose one of {known}") from None


def has_nan(a: Any) -> bool:
    """True when the array or tensor ``a`` holds at least one NaN."""
    return bool((a != a).any())


def check_no_nan(name: str, a: Any) -> None:
    """Raise ``ValueError`` when ``a`` holds a NaN, naming the argument."""
    if has_nan(a):
        raise ValueError(f"{name} contains NaN; check the data or the step that produced it")


def check_finite(name: str, a: Any) -> None:
    """Raise ``ValueError`` when ``a`` holds a NaN or an infinity, naming the argument and which."""
    check_no_nan(name, a)
    if bool((abs(a) == math.inf).any()):
        raise ValueError(f"{name} contains inf (an infinite value); check the data or the step that produced it")


def check_not_empty(name: str, a: Any) -> None:
    """Raise ``ValueError`` when ``a`` has no elements, naming the argument and its shape."""
    if 0 in tuple(a.shape):
        raise ValueError(f"{name} is empty (shape {tuple(a.shape)}); it needs at least one element")


def check_ndim(name: str, a: Any, allowed: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless ``a.ndim`` is one of ``allowed``."""
    if a.ndim not in allowed:
        dims = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name} must be {dims}, got shape {tuple(a.shape)}")


def check_not_bool(name: str, value: Any) -> None:
    """Raise :class:`ArgumentTypeError` for a boolean (or an array of them) where a number is needed."""
    dtype = str(getattr(value, "dtype", "")).removeprefix("torch.")
    if isinstance(value, bool) or type(value).__name__ == "bool_" or dtype == "bool":
        raise ArgumentTypeError(f"{name} must be a number, got {describe(value)}")


def check_perceptron_inputs(x: Any, w: Any, b: Any) -> None:
    """Validate the arguments of a perceptron forward pass.

    ``x`` is one example of shape ``(d,)`` or a batch of shape ``(n, d)``,
    ``w`` has shape ``(d,)`` and ``b`` is a scalar. Empty inputs, NaN and
    infinities are rejected: a perceptron fed either is a bug upstream (and
    :math:`0 \\cdot \\infty` would be NaN).
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
        check_finite(name, a)


def check_labelled_data(X: Any, y: Any, n_classes: int | None = None) -> None:
    """Validate a training set: ``X`` of shape ``(n, d)`` and integer labels ``y`` of shape ``(n,)``.

    Rejects empty ``X`` or ``X`` with NaN or infinities, labels that are not
    integers, a length mismatch (suggesting ``X.T`` when ``X`` looks
    transposed), negative labels and, when ``n_classes`` is given, labels of
    ``n_classes`` or more (the network has no output for them).
    """
    check_ndim("X", X, (2,))
    check_ndim("y", y, (1,))
    if y.shape[0] != X.shape[0]:
        transposed = (
            f". X looks transposed: its {X.shape[1]} columns match the labels; pass X.T, of shape "
            f"{tuple(X.shape)[::-1]}, with one row per example"
            if X.shape[1] == y.shape[0] else ""
        )
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels; they must match{transposed}")
    check_not_empty("X", X)
    check_finite("X", X)
    if not str(y.dtype).removeprefix("torch.").startswith(("int", "uint")):
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    if y.min() < 0 or (n_classes is not None and y.max() >= n_classes):
        top = "" if n_classes is None else f" and below {n_classes}"
        raise ValueError(f"y must hold class labels from 0{top}, got values from {int(y.min())} to {int(y.max())}")


def check_learning_rate(lr: Any) -> float:
    """``lr`` as a float; raises unless the learning rate is a real number with :math:`0 < lr < \\infty`."""
    number = _plain_number(lr)
    if isinstance(number, bool) or not isinstance(number, Real):
        raise ArgumentTypeError(f"lr must be a number, got {describe(lr)}")
    try:
        value = float(number)
    except OverflowError:  # an integer beyond the float range
        value = math.inf
    if not 0 < value < math.inf:  # also False for NaN
        raise ValueError(f"lr must be positive and finite, got {describe(lr)}")
    return value


def check_gradients(params: Mapping[str, Any], grads: Any, allow_none: bool = False) -> None:
    """Raise ``ValueError`` unless ``grads`` is a dict with the keys of ``params`` and each gradient its parameter's shape.

    The message names the keys that are missing or extra, or the key whose shape differs.
    With ``allow_none``, a gradient may be ``None`` (no gradient, as torch's
    ``.grad`` of a parameter the loss did not reach).
    """
    if not isinstance(grads, Mapping):
        raise ValueError(f"grads must be a dict of gradients with the keys of params, got {type(grads).__name__}")
    if set(params) != set(grads):
        missing = sorted(map(str, set(params) - set(grads)))
        extra = sorted(map(str, set(grads) - set(params)))
        raise ValueError(
            f"params and grads must have the same keys, got {sorted(map(str, params))} and {sorted(map(str, grads))}"
            f" (grads lacks {missing}, has extra {extra})"
        )
    for name, p in params.items():
        if grads[name] is None and allow_none:
            continue
        if tuple(grads[name].shape) != tuple(p.shape):
            raise ValueError(
                f"grads[{describe(name)}] has shape {tuple(grads[name].shape)} but params[{describe(name)}] has shape {tuple(p.shape)}"
            )
