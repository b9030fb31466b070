"""Turning user input into NumPy arrays the way the rest of the backend expects.

A reader hands a function numbers, lists, arrays of any layout or dtype,
tensors, and sometimes things that are not numbers at all. Everything is
read here once: what holds real numbers becomes an array, the rest raises an
error that names the argument. :mod:`dlbook.torch._tensors` reads non-tensor
input through these functions too, so both backends accept the same things.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, Mapping

import numpy as np
from numpy.typing import ArrayLike

from dlbook._validate import ArgumentTypeError, describe

#: The dtype kinds of real numbers: bool, signed and unsigned integers, floats.
REAL_KINDS = "biuf"


def _is_tensor(a: Any) -> bool:
    """True for a PyTorch tensor, recognised without importing torch."""
    return type(a).__module__.startswith("torch") and hasattr(a, "detach")


def _object_numbers(arr: np.ndarray, name: str) -> np.ndarray:
    """An object array (Python numbers NumPy could not fit in one dtype) as float64, or an error."""
    for item in arr.reshape(-1):
        if not isinstance(item, Real):
            raise ArgumentTypeError(f"{name} must hold numbers only, found {describe(item)} ({type(item).__name__})")
    try:
        return arr.astype(np.float64)
    except OverflowError:
        largest = max(arr.reshape(-1), key=abs)
        raise ValueError(
            f"{name} holds an integer too large for a float: about 1e{len(str(abs(int(largest)))) - 1}"
        ) from None


def as_numeric_array(a: ArrayLike, name: str = "x") -> np.ndarray:
    """``a`` as a NumPy array of real numbers (dtype bool, integer or float), not copied when it already is one.

    Accepts Python numbers, (nested) lists and tuples of them, NumPy arrays of
    any memory layout and CPU tensors. Raises :class:`~dlbook._validate.ArgumentTypeError`
    (a ``TypeError``) for anything that is not numbers: ``None``, strings,
    dicts, complex numbers, dates, other objects; ``ValueError`` for lists of
    uneven length and for integers too large for a float.
    """
    if isinstance(a, np.ndarray) and a.dtype.kind in REAL_KINDS:
        return a
    if a is None or isinstance(a, (str, bytes, Mapping, set, frozenset)):
        raise ArgumentTypeError(f"{name} must be a number or an array of numbers, got {describe(a)}")
    if _is_tensor(a):
        a = a.detach().cpu().numpy()
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError, OverflowError, RuntimeError) as error:
        raise ValueError(
            f"{name} must be a number or a rectangular array of numbers (every row of one length); "
            f"NumPy cannot read it: {describe(str(error), 160)}"
        ) from None
    if arr.dtype.kind == "O":
        return _object_numbers(arr, name)
    if arr.dtype.kind not in REAL_KINDS:
        raise ArgumentTypeError(f"{name} must hold real numbers, got dtype {arr.dtype}: {describe(a)}")
    return arr


def as_float_array(a: ArrayLike, name: str = "x") -> np.ndarray:
    """Return ``a`` as a floating-point array (see :func:`as_numeric_array` for what is accepted).

    Float arrays keep their dtype (float32 stays float32); integers, booleans
    and Python numbers become float64, NumPy's default float. ``name`` names
    the argument in error messages.
    """
    arr = as_numeric_array(a, name)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def as_int64(name: str, labels: np.ndarray) -> np.ndarray:
    """Integer ``labels`` as int64; ``ValueError`` for unsigned values beyond int64 (which would wrap around)."""
    if labels.dtype.kind == "u" and labels.size and labels.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} holds {labels.max()}, too large for a class index")
    return labels.astype(np.int64, copy=False)
