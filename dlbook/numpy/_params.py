r"""What the book's NumPy models share: sizes, Glorot initialisation, checks.

The two-layer network (:mod:`dlbook.numpy.mlp`) and softmax regression
(:mod:`dlbook.numpy.linear`) keep their parameters in a dict of arrays
(``{"W1": ..., "b1": ...}`` or ``{"W": ..., "b": ...}``). The rules for
creating and checking such dicts, and the inputs fed to them, live here once.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from dlbook._validate import check_ndim, check_no_nan, check_not_empty


def check_sizes(**sizes: int) -> None:
    """Raise ``ValueError`` unless each keyword value is a positive integer."""
    for name, size in sizes.items():
        integer = isinstance(size, Integral) and not isinstance(size, bool)
        if not integer or size < 1:
            raise ValueError(
                f"{name} must be a positive integer, got {size!r}"
            )


def float_dtype(dtype: DTypeLike) -> np.dtype:
    """``dtype`` as a NumPy dtype; ``ValueError`` unless it is a float type."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(
            "dtype must be a floating-point type such as np.float32 or "
            f"np.float64, got {dtype}"
        )
    return dtype


def glorot_uniform(
    rng: np.random.Generator, fan_in: int, fan_out: int, dtype: np.dtype
) -> np.ndarray:
    r"""A ``(fan_in, fan_out)`` weight matrix drawn from :math:`U(-a, a)`.

    :math:`a = \sqrt{6 / (\mathrm{fan\_in} + \mathrm{fan\_out})}` (Glorot and
    Bengio, 2010) keeps the variance of activations and gradients roughly
    constant from layer to layer.
    """
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out)).astype(dtype)


def check_param_arrays(
    params: dict[str, np.ndarray],
    names: tuple[str, ...],
    ndims: dict[str, int] | None = None,
) -> tuple[np.ndarray, ...]:
    """Check a parameter dict entry by entry; return its arrays in order.

    ``params`` must have exactly the keys ``names`` (the order of the
    result); every entry must be a
    non-empty floating-point NumPy array without NaN, all of one dtype, with
    the number of axes ``ndims`` gives for its name, or else: weights (names
    starting with ``W``) 2-D and biases 1-D. How the shapes fit together is
    the caller's check.
    """
    if not isinstance(params, dict) or set(params) != set(names):
        if isinstance(params, dict):
            keys = sorted(params)
        else:
            keys = type(params).__name__
        raise ValueError(
            f"params must be a dict with keys {list(names)}, got {keys}"
        )
    arrays = tuple(params[name] for name in names)
    first = names[0]
    for name, p in zip(names, arrays):
        label = f"params[{name!r}]"
        floating = isinstance(p, np.ndarray) and np.issubdtype(
            p.dtype, np.floating
        )
        if not floating:
            raise ValueError(
                f"{label} must be a floating-point NumPy array, "
                f"got {type(p).__name__}"
            )
        if p.dtype != arrays[0].dtype:
            raise ValueError(
                f"all params must share one dtype: {first} is "
                f"{arrays[0].dtype} but {name} is {p.dtype}"
            )
        default = 2 if name.startswith("W") else 1
        check_ndim(label, p, ((ndims or {}).get(name, default),))
        check_not_empty(label, p)
        check_no_nan(label, p)
    return arrays


def layer_input(X: ArrayLike, W: np.ndarray, weight_name: str) -> np.ndarray:
    """``X`` checked as input of the weight matrix ``W``, in ``W``'s dtype.

    ``X`` must be 2-D with one column per row of ``W``, non-empty and free
    of NaN; ``weight_name`` names ``W`` in the error messages.
    """
    X = np.asarray(X)
    check_ndim("X", X, (2,))
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has shape {X.shape} but {weight_name} has shape {W.shape}; "
            f"X needs {W.shape[0]} columns"
        )
    check_not_empty("X", X)
    X = X.astype(W.dtype, copy=False)
    check_no_nan("X", X)
    return X
