"""Turning user input into NumPy arrays the way the rest of the backend expects."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def as_float_array(a: ArrayLike) -> np.ndarray:
    """Return ``a`` as a floating-point array.

    Float arrays keep their dtype (float32 stays float32); integers, booleans
    and Python numbers become float64, NumPy's default float.
    """
    arr = np.asarray(a)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr
